import type { GatewayLimits } from "./limits";
import { GatewayRefusal } from "./refusal";
import { SERVER_LOCAL_PREFIX } from "./routes";

/**
 * What a write may carry when its author is not the server administrator: no design document
 * (their functions run inside the server process), none of the server's `_local` checkpoints,
 * documents of a bounded size, a bounded batch.
 */
export function checkWrite(
  body: unknown,
  bodyBytes: number,
  opts: { bulk: boolean; limits: GatewayLimits },
): void {
  const docs = opts.bulk ? bulkDocs(body, opts.limits.maxBulkDocs) : [body];
  for (const doc of docs) checkId(doc);
  // A document cannot be larger than the body that carries it: measure only when it could be.
  if (bodyBytes > opts.limits.maxDocumentBytes) {
    for (const doc of docs) {
      if (Buffer.byteLength(JSON.stringify(doc) ?? "") > opts.limits.maxDocumentBytes) {
        throw new GatewayRefusal(
          413,
          "document_too_large",
          `Document trop volumineux (au plus ${Math.round(opts.limits.maxDocumentBytes / 1024)} Kio).`,
        );
      }
    }
  }
}

function bulkDocs(body: unknown, max: number): unknown[] {
  const docs = (body as { docs?: unknown } | null)?.docs;
  if (!Array.isArray(docs)) throw new GatewayRefusal(400, "bad_request", "Champ docs (liste) attendu.");
  if (docs.length > max) {
    throw new GatewayRefusal(413, "too_large", `Au plus ${max} documents par envoi (_bulk_docs).`);
  }
  return docs;
}

function checkId(doc: unknown): void {
  const id = (doc as { _id?: unknown } | null)?._id;
  if (typeof id !== "string") return;
  if (id.startsWith("_design/") || id.startsWith(`_local/${SERVER_LOCAL_PREFIX}`)) {
    throw new GatewayRefusal(
      403,
      "forbidden",
      "Seul le serveur écrit les documents de conception et ses propres points de reprise.",
    );
  }
}
