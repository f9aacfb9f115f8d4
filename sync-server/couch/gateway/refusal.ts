import type { ServerResponse } from "node:http";

/** A refusal answered by the gateway itself, CouchDB style: `{"error", "reason"}`. */
export class GatewayRefusal extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export function sendRefusal(res: ServerResponse, refusal: GatewayRefusal): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${JSON.stringify({ error: refusal.error, reason: refusal.reason })}\n`;
  // The rest of an unread body is not worth reading: the connection closes after the answer.
  res.writeHead(refusal.status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    Connection: "close",
  });
  res.end(body);
}
