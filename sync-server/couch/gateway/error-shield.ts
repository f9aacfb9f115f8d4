import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

const GENERIC = `${JSON.stringify({ error: "internal_server_error", reason: "Erreur interne du serveur." })}\n`;

/**
 * No stack trace, path or library message leaves the database port: an answer of status 500 or
 * more, or an HTML error page (Express's default handler prints the stack there), becomes a
 * generic CouchDB-style JSON error. A handler that throws gets the same answer.
 */
export function withErrorShield(next: RequestListener, log: (m: string) => void): RequestListener {
  return (req, res) => {
    shieldResponse(res);
    try {
      next(req, res);
    } catch (e) {
      log(`[base] ${req.method} ${pathOf(req)} : ${(e as Error)?.message ?? String(e)}`);
      answerGeneric(res, 500);
    }
  };
}

function shieldResponse(res: ServerResponse): void {
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  let decided: "pass" | "replaced" | undefined;
  const decide = () => {
    if (decided) return decided;
    const type = String(res.getHeader("content-type") ?? "");
    const leaky = res.statusCode >= 500 || type.includes("text/html");
    decided = leaky && !res.headersSent ? "replaced" : "pass";
    if (decided === "replaced") answerGeneric(res, res.statusCode >= 400 ? res.statusCode : 500, end);
    return decided;
  };
  res.write = ((...args: unknown[]) => (decide() === "pass" ? write(...args) : true)) as typeof res.write;
  res.end = ((...args: unknown[]) => (decide() === "pass" ? end(...args) : res)) as typeof res.end;
}

function answerGeneric(
  res: ServerResponse,
  status: number,
  end: (...args: unknown[]) => unknown = res.end.bind(res) as (...args: unknown[]) => unknown,
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const name of res.getHeaderNames()) if (!name.startsWith("access-control-")) res.removeHeader(name);
  const body =
    status >= 500 ? GENERIC : `${JSON.stringify({ error: "bad_request", reason: "Requête invalide." })}\n`;
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.setHeader("Content-Length", Buffer.byteLength(body));
  end(body);
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "").split("?")[0] ?? "";
}
