import type { IncomingMessage, ServerResponse } from "node:http";

export type Ctx = {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
  /** The client's address (the proxy's X-Forwarded-For when trusted). */
  ip: string;
  /** Served over https (directly, or behind a trusted proxy that says so). */
  secure: boolean;
};

export type Handler = (ctx: Ctx) => Promise<void> | void;

type Route = { method: string; pattern: RegExp; keys: string[]; handler: Handler };

export type Match = { handler: Handler; params: Record<string, string> } | { allowed: string[] } | null;

/** Method + path table with `:name` segments (and a final `*`); enough for a few dozen routes, no dependency. */
export class Router {
  private readonly routes: Route[] = [];

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path
      .split("/")
      .map((part) => {
        // A final "*" takes the rest of the path (static files).
        if (part === "*") return ".*";
        if (part.startsWith(":")) {
          keys.push(part.slice(1));
          return "([^/]+)";
        }
        return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("/");
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), keys, handler });
    return this;
  }

  get(path: string, handler: Handler): this {
    return this.on("GET", path, handler);
  }

  post(path: string, handler: Handler): this {
    return this.on("POST", path, handler);
  }

  match(method: string, pathname: string): Match {
    const wanted = method === "HEAD" ? "GET" : method;
    const allowed: string[] = [];
    for (const r of this.routes) {
      const m = r.pattern.exec(pathname);
      if (!m) continue;
      if (r.method !== wanted) {
        allowed.push(r.method);
        continue;
      }
      const params: Record<string, string> = {};
      r.keys.forEach((k, i) => {
        params[k] = safeDecode(m[i + 1] ?? "");
      });
      return { handler: r.handler, params };
    }
    return allowed.length > 0 ? { allowed } : null;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
