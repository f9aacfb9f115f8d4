import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { WORKSTATION_HEADER } from "../../domain/workstation-status";

export type Revocation = { at: string; by: string };
type Entry = { commune: string; code: string; revoked?: Revocation };

/** What a request says about the workstation it comes from. */
export type WorkstationIdentity =
  | { kind: "none" }
  | { kind: "unknown" }
  | { kind: "valid"; commune: string; code: string }
  | { kind: "revoked"; commune: string; code: string; revoked: Revocation };

const HEADER = WORKSTATION_HEADER.toLowerCase();
const INTERNAL_HEADER = "x-guichet-internal";

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

/** A fresh workstation secret and the hash kept on the server (the secret is shown once). */
export function newWorkstationSecret(): { secret: string; hash: string } {
  const secret = randomBytes(24).toString("base64url");
  return { secret, hash: hashSecret(secret) };
}

/**
 * Every registered workstation of the communes this process serves, by the hash of its secret,
 * and which are revoked: read by the database gateway and the API on each request, so a
 * revocation holds from the next request on. In memory (one process); filled at each commune's
 * start from its `workstation:` records and kept current by the API that issues and revokes them.
 */
export class WorkstationRegistry {
  private readonly bySecret = new Map<string, Entry>();
  private readonly byCode = new Map<string, Entry>();
  private readonly serviceAccounts = new Set<string>();
  private readonly internalToken = randomBytes(24).toString("base64url");
  /** Requests in flight per workstation (long-polls last 25 s): ended at once when it is revoked. */
  private readonly inFlight = new Map<string, Set<() => void>>();

  /** `required`: agents' requests without a workstation identity are refused (see README, Sécurité). */
  constructor(public required: boolean) {}

  add(commune: string, record: { code: string; secretHash?: string; revoked?: Revocation }): void {
    if (!record.secretHash) return; // issued before identities existed: it cannot prove itself
    const known = this.byCode.get(`${commune}/${record.code}`);
    if (known) {
      // Read again (another process revoked it): a revocation is never undone here.
      if (record.revoked) this.revoke(commune, record.code, record.revoked);
      return;
    }
    const entry: Entry = {
      commune,
      code: record.code,
      ...(record.revoked ? { revoked: record.revoked } : {}),
    };
    this.bySecret.set(record.secretHash, entry);
    this.byCode.set(`${commune}/${record.code}`, entry);
  }

  revoke(commune: string, code: string, revoked: Revocation): void {
    const key = `${commune}/${code}`;
    const entry = this.byCode.get(key);
    if (entry && !entry.revoked) entry.revoked = revoked;
    for (const end of this.inFlight.get(key) ?? []) end();
    this.inFlight.delete(key);
  }

  /** Registers a request of this workstation still being answered; returns its release. */
  track(identity: { commune: string; code: string }, end: () => void): () => void {
    const key = `${identity.commune}/${identity.code}`;
    let set = this.inFlight.get(key);
    if (!set) {
      set = new Set();
      this.inFlight.set(key, set);
    }
    set.add(end);
    return () => {
      set.delete(end);
      if (set.size === 0 && this.inFlight.get(key) === set) this.inFlight.delete(key);
    };
  }

  /** The commune's portal and server accounts: the server's own, never a workstation. */
  addServiceAccounts(names: readonly string[]): void {
    for (const n of names) this.serviceAccounts.add(n);
  }

  isServiceAccount(name: string | null | undefined): boolean {
    return !!name && this.serviceAccounts.has(name);
  }

  /** Headers the sync-server's own calls with an agent's credentials carry (it checked the workstation). */
  internalHeaders(): Record<string, string> {
    return { [INTERNAL_HEADER]: this.internalToken };
  }

  isInternal(req: IncomingMessage): boolean {
    const value = req.headers[INTERNAL_HEADER];
    if (typeof value !== "string" || value.length !== this.internalToken.length) return false;
    return timingSafeEqual(Buffer.from(value), Buffer.from(this.internalToken));
  }

  identify(req: IncomingMessage): WorkstationIdentity {
    const raw = req.headers[HEADER];
    if (raw === undefined) return { kind: "none" };
    const value = Array.isArray(raw) ? raw[0] : raw;
    const dot = value?.indexOf(".") ?? -1;
    if (!value || dot <= 0) return { kind: "unknown" };
    const entry = this.bySecret.get(hashSecret(value.slice(dot + 1)));
    if (!entry || entry.code !== value.slice(0, dot)) return { kind: "unknown" };
    if (entry.revoked)
      return { kind: "revoked", commune: entry.commune, code: entry.code, revoked: entry.revoked };
    return { kind: "valid", commune: entry.commune, code: entry.code };
  }
}

export const REVOKED_MESSAGE =
  "Ce poste a été révoqué par un responsable : il n'a plus accès au serveur et ses données locales sont effacées.";
export const UNKNOWN_MESSAGE =
  "Ce poste n'est pas reconnu par le serveur : faites-le enregistrer de nouveau par un responsable.";
export const REQUIRED_MESSAGE =
  "Ce poste n'est pas enregistré auprès du serveur : connectez-vous depuis l'application du guichet.";
