import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { setBasePath } from "../http/respond";
import { type CommuneEntry, normalizeHost } from "./registry";

type Site = { id: string; handler: RequestListener; stop(): Promise<void> };

const PREFIX = /^\/c\/([^/?#]+)(.*)$/s;

/**
 * Chooses the commune of a request: by host name first (a registry entry's `hosts`), else by the
 * path prefix `/c/<id>/` (stripped before the commune's own handler sees the request), else the
 * default commune. Host names and prefixes are both served by the same process.
 */
export class CommuneRouter<S extends Site> {
  private sites = new Map<string, S>();
  private hosts = new Map<string, string>();
  /** What each site was started with (`setupOf`): a site whose setup changed is started again. */
  private setups = new Map<string, string>();

  constructor(
    private readonly main: S,
    private readonly onError: (e: unknown) => void,
  ) {}

  readonly handler: RequestListener = (req, res) => {
    const byHost = this.hosts.get(normalizeHost(String(req.headers.host ?? "")));
    const hostSite = byHost ? this.find(byHost) : undefined;
    if (hostSite) return hostSite.handler(req, res);
    const match = PREFIX.exec(req.url ?? "/");
    if (!match) return this.main.handler(req, res);
    const [, id = "", rest = ""] = match;
    const site = this.find(id);
    if (!site) return notFound(res);
    if (rest === "" || rest.startsWith("?")) {
      res.writeHead(308, { Location: `/c/${id}/${rest}`, "Content-Length": "0" }).end();
      return;
    }
    req.url = rest;
    setBasePath(res, `/c/${id}`);
    site.handler(req as IncomingMessage, res);
  };

  ids(): string[] {
    return [this.main.id, ...this.sites.keys()];
  }

  site(id: string): S {
    const site = this.find(id);
    if (!site) throw new Error(`La commune « ${id} » n'est pas servie par ce serveur.`);
    return site;
  }

  /**
   * Starts the communes new in `entries`, stops the ones gone, and takes their host names; false
   * when a commune could not be started (to be tried again).
   */
  async reconcile(
    entries: CommuneEntry[],
    start: (entry: CommuneEntry) => Promise<S>,
    setupOf: (entry: CommuneEntry) => string = () => "",
  ): Promise<boolean> {
    let allStarted = true;
    const wanted = new Map(entries.filter((e) => e.id !== this.main.id).map((e) => [e.id, e]));
    for (const [id, site] of [...this.sites]) {
      const entry = wanted.get(id);
      if (entry && this.setups.get(id) === setupOf(entry)) continue;
      this.sites.delete(id);
      this.setups.delete(id);
      await bounded(site.stop(), `arrêt de la commune ${id}`).catch(this.onError);
    }
    for (const [id, entry] of wanted) {
      if (this.sites.has(id)) continue;
      const starting = start(entry);
      try {
        this.sites.set(id, await bounded(starting, `démarrage de la commune ${id}`));
        this.setups.set(id, setupOf(entry));
      } catch (e) {
        this.onError(e);
        allStarted = false;
        // Started after all, too late: stop it; the registry's watch tries again.
        starting.then((site) => site.stop()).catch(() => undefined);
      }
    }
    const hosts = new Map<string, string>();
    for (const e of entries) for (const h of e.hosts) hosts.set(normalizeHost(h), e.id);
    this.hosts = hosts;
    return allStarted;
  }

  async stopAll(): Promise<void> {
    for (const site of [...this.sites.values()]) await site.stop().catch(this.onError);
    this.sites.clear();
  }

  private find(id: string): S | undefined {
    return id === this.main.id ? this.main : this.sites.get(id);
  }
}

/**
 * One commune's start or stop may not hold the others back: PouchDB Server can leave a request
 * unanswered when its database is deleted meanwhile (a commune deleted while it was starting).
 */
const STEP_LIMIT_MS = 20_000;

function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} : pas fini en ${STEP_LIMIT_MS / 1000} s.`)),
      STEP_LIMIT_MS,
    );
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Commune inconnue sur ce serveur.");
}
