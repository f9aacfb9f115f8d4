import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { type FieldIssue, fieldIssues } from "../../domain/zod-fr";
import { AGENTS_DOC_ID, COMMUNE_DOC_ID, type StoredDoc } from "../couch/config-docs";
import { type CouchDb, CouchError, type CouchServer } from "../couch/couch-db";
import { HttpError } from "../http/errors";
import type { Agent, AgentAuth } from "../services/agent-auth";

/** What every administration route needs: who asks, and the commune's -config database. */
export type AdminAccess = {
  agents: AgentAuth;
  /** CouchDB without credentials: writes carry the admin's own Authorization, so the -config VDU checks them again. */
  couch: CouchServer;
  /** The commune's -config database, as the server account (reads only). */
  configDb: CouchDb;
};

/** The caller, if an admin of this commune (the server checks; the screen only hides). */
export async function requireAdmin(deps: AdminAccess, req: IncomingMessage, what: string): Promise<Agent> {
  try {
    return await deps.agents.require(req, ["admin"]);
  } catch (e) {
    if (e instanceof HttpError && e.status === 403)
      throw new HttpError(403, `Seuls les administrateurs ${what}.`);
    throw e;
  }
}

/**
 * The -config database is small (settings, catalogue, directory, history): read whole. On a
 * cluster a plain `_all_docs` reads one copy of each shard and may miss a write just acknowledged
 * (an admin would see the old identity after saving); with `keys`, CouchDB reads each document by
 * quorum. So: list the ids, then read them, with the documents every edit starts from.
 */
export async function readConfig(deps: AdminAccess): Promise<StoredDoc[]> {
  const listed = await deps.configDb.allDocs({});
  const keys = new Set([COMMUNE_DOC_ID, AGENTS_DOC_ID, ...listed.rows.map((row) => row.id)]);
  const res = await deps.configDb.allDocs<StoredDoc>({ keys: [...keys], include_docs: true });
  return res.rows.map((row) => row.doc).filter((d): d is StoredDoc => !!d && !d._id.startsWith("_design/"));
}

/** 422 with every field at fault; the first message is the headline. */
export const invalid = (errors: FieldIssue[], fallback = "Données invalides."): HttpError =>
  new HttpError(422, errors[0]?.message ?? fallback, errors);

/** zod's French, with an empty text said plainly. */
export function plainIssues(error: z.ZodError, body: unknown): FieldIssue[] {
  return fieldIssues(error).map((issue, i) => {
    const raw = error.issues[i];
    const empty = raw?.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], body) === "";
    if (empty || (raw?.code === "too_small" && raw.origin === "string" && raw.minimum === 1))
      return { ...issue, message: "Ce champ est obligatoire." };
    return issue;
  });
}

/**
 * Writes as the admin's own account; CouchDB's refusal comes back in French, as the VDU wrote it.
 * `conflict`: the message of a 409, or "done" when finding the document there is the expected
 * outcome of a retry (a history entry is written once).
 */
export async function writeAsAgent(
  deps: AdminAccess,
  agent: Agent,
  doc: { _id: string } & Record<string, unknown>,
  conflict: string,
): Promise<void> {
  try {
    await deps.couch.request(`${encodeURIComponent(deps.configDb.name)}/${encodeURIComponent(doc._id)}`, {
      method: "PUT",
      body: doc,
      headers: { Authorization: agent.authorization },
    });
  } catch (e) {
    if (!(e instanceof CouchError)) throw e;
    if (e.status === 409 && conflict === "done") return;
    if (e.status === 409) throw new HttpError(409, conflict);
    if (e.status === 401) throw new HttpError(401, "Identifiant ou mot de passe refusé.");
    if (e.status === 403) throw new HttpError(403, e.reason);
    throw e;
  }
}

/** `baseVersion`, when sent, is the version the admin edited: saving over a newer one would lose it. */
export function checkBaseVersion(baseVersion: unknown, current: number, what: string): void {
  if (baseVersion === undefined || baseVersion === null) return;
  if (typeof baseVersion !== "number" || !Number.isInteger(baseVersion) || baseVersion < 0) {
    throw invalid([{ field: "baseVersion", message: "Version de départ invalide." }]);
  }
  if (baseVersion !== current) {
    throw new HttpError(
      409,
      `${what} a été modifiée entre-temps (version ${current}) : rechargez-la avant d'enregistrer.`,
    );
  }
}
