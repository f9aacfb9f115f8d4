import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { withCors } from "../cors";
import { withCouchStatusParity } from "../couch-parity";
import { withMemberOnlyQueries } from "../member-guard";
import type { WorkstationRegistry } from "../workstation-registry";
import { basicCredentials, cookieUserName, hasCredentials, ServerAdmin } from "./credentials";
import { withErrorShield } from "./error-shield";
import { DEFAULT_LIMITS, type GatewayLimits } from "./limits";
import { LoginLockout } from "./login-lockout";
import { GatewayRefusal, sendRefusal } from "./refusal";
import { attachParsedBody, checkDeclaredLength, parseJson, parseLoginBody, readBody } from "./request-body";
import { type RouteAccess, routeAccess } from "./routes";
import { checkStatusWrites, checkWorkstation } from "./workstation-check";
import { checkWrite } from "./write-check";

export type GatewayOptions = {
  /** The server administrator (the only account past the allowlist). */
  admin: { user: string; password: string };
  /** CORS origins, read on every request (the sync-server adds its own once listening). */
  origins: ReadonlySet<string>;
  /** The port the database listens on (member-guard asks it for database info). */
  port: () => number;
  limits?: Partial<GatewayLimits>;
  lockout?: LoginLockout;
  log?: (message: string) => void;
  /** In front of Apache CouchDB 3: it checks membership and answers like itself already. */
  couchdb?: boolean;
  /** Registered and revoked workstations (workstations/registry.ts); absent: none are checked. */
  workstations?: WorkstationRegistry;
};

/**
 * Everything in front of express-pouchdb on the database port: CORS, error shielding, login
 * lockout, the route allowlist, body limits, then the existing member check and CouchDB parity.
 */
export function databaseGateway(app: RequestListener, opts: GatewayOptions): RequestListener {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const lockout = opts.lockout ?? new LoginLockout();
  const serverAdmin = new ServerAdmin(opts.admin.user, opts.admin.password);
  const log = opts.log ?? ((m: string) => console.error(m));
  const inner = opts.couchdb ? app : withMemberOnlyQueries(opts.port, withCouchStatusParity(app));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const ip = req.socket.remoteAddress ?? "";
    const access = routeAccess(method, path);
    let admin = serverAdmin.is(req);

    let loginName = basicCredentials(req)?.name;
    if (method === "POST" && path === "/_session") {
      const body = parseLoginBody(req, await readBody(req, limits.maxLoginBodyBytes));
      if (typeof body.name === "string") loginName = body.name;
      admin ||= serverAdmin.matches(body.name, body.password);
      attachParsedBody(req, body);
    }
    if (loginName !== undefined) refuseLocked(lockout, loginName, ip);
    if (!admin) refuseOutsideAllowlist(req, access);
    const identity = admin || !opts.workstations ? "server" : checkWorkstation(req, path, opts.workstations);
    if (identity !== "server" && identity.kind === "valid" && opts.workstations) {
      // A long-poll already let through ends when the workstation is revoked, not 25 s later.
      const release = opts.workstations.track(identity, () => res.destroy());
      res.once("close", release);
    }

    if (access.kind === "write" && isJson(req)) {
      const body = await readBody(req, limits.maxBodyBytes);
      const parsed = parseJson(body);
      if (!admin) {
        checkWrite(parsed, body.length, { bulk: access.bulk, limits });
        checkStatusWrites(parsed, path, access.bulk, identity, new Date());
      }
      attachParsedBody(req, parsed);
    } else if (access.kind === "write" && !admin) {
      throw new GatewayRefusal(415, "bad_content_type", "Corps JSON attendu (application/json).");
    } else {
      checkDeclaredLength(req, limits.maxBodyBytes);
    }

    if (loginName !== undefined) {
      const name = loginName;
      res.once("finish", () => {
        if (res.statusCode === 401) lockout.fail(name, ip);
      });
    }
    if (admin) res.once("finish", () => serverAdmin.remember(res.getHeader("set-cookie")));
    if (path === "/_up" && !opts.couchdb) return answerUp(res);
    inner(req, res);
  };

  const shielded = withErrorShield((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof GatewayRefusal) return sendRefusal(res, e);
      log(`[base] ${req.method} ${req.url?.split("?")[0]} : ${(e as Error)?.message ?? String(e)}`);
      sendRefusal(res, new GatewayRefusal(500, "internal_server_error", "Erreur interne du serveur."));
    });
  }, log);
  return withCors(opts.origins, shielded);
}

function refuseLocked(lockout: LoginLockout, name: string, ip: string): void {
  const ms = lockout.lockedFor(name, ip);
  if (ms <= 0) return;
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  throw new GatewayRefusal(
    403,
    "forbidden",
    `Compte temporairement bloqué après plusieurs échecs de connexion : réessayez dans ${minutes} min.`,
  );
}

function refuseOutsideAllowlist(req: IncomingMessage, access: RouteAccess): void {
  if (access.kind === "own-user") {
    const claimed = basicCredentials(req)?.name ?? cookieUserName(req);
    if (claimed === access.name) return;
  } else if (access.kind !== "admin") {
    return;
  }
  if (process.env.GUICHET_GATEWAY_DEBUG) console.error(`[gateway] refusé ${req.method} ${req.url}`);
  // Server endpoints answer 401 to everyone but the server admin, as CouchDB 3 does.
  const serverLevel = (req.url ?? "").startsWith("/_");
  throw hasCredentials(req) && !serverLevel
    ? new GatewayRefusal(403, "forbidden", "Réservé à l'administrateur du serveur.")
    : new GatewayRefusal(401, "unauthorized", "Réservé à l'administrateur du serveur.");
}

/** PouchDB Server has no `_up`; health checks (and CouchDB clients) expect CouchDB's answer. */
function answerUp(res: ServerResponse): void {
  const body = `${JSON.stringify({ status: "ok" })}\n`;
  res.writeHead(200, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function isJson(req: IncomingMessage): boolean {
  const type = req.headers["content-type"];
  return type === undefined || type.includes("application/json");
}
