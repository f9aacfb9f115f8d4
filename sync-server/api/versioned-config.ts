import { HISTORY_PREFIX, historyDocId, type StoredDoc, strip } from "../couch/config-docs";
import type { Agent } from "../services/agent-auth";
import { type AdminAccess, writeAsAgent } from "./admin-access";

/**
 * A -config document's current version: its own `version`, else one more than its newest history
 * entry (bootstrap may write a document back without it), else 1.
 */
export function currentVersion(docs: readonly StoredDoc[], docId: string): number {
  const doc = docs.find((d) => d._id === docId);
  if (doc && typeof doc.version === "number") return doc.version;
  const prefix = `${HISTORY_PREFIX}${docId}@`;
  const past = docs.filter((d) => d._id.startsWith(prefix)).map((d) => Number(d.version) || 0);
  return past.length > 0 ? Math.max(...past) + 1 : 1;
}

/**
 * Replaces a versioned -config document (commune, agents, service:<id>) as the admin: the
 * replaced content goes to history first (so no state is ever lost), then the new one, numbered
 * by the server, carrying who changed it and when.
 */
export async function saveVersioned(
  deps: AdminAccess,
  agent: Agent,
  docs: readonly StoredDoc[],
  target: { _id: string; type: string; content: Record<string, unknown> },
  now: Date,
  conflict: string,
): Promise<{ version: number; updatedAt: string }> {
  const current = docs.find((d) => d._id === target._id);
  const version = currentVersion(docs, target._id);
  const next = current ? version + 1 : version;
  if (current) {
    await writeAsAgent(
      deps,
      agent,
      {
        _id: historyDocId(target._id, version),
        type: "config_version",
        of: target._id,
        version,
        content: strip(current),
      },
      "done",
    );
  }
  const updatedAt = now.toISOString();
  await writeAsAgent(
    deps,
    agent,
    {
      ...target.content,
      _id: target._id,
      ...(current?._rev ? { _rev: current._rev } : {}),
      type: target.type,
      version: next,
      updatedBy: agent.name,
      updatedAt,
    },
    conflict,
  );
  return { version: next, updatedAt };
}
