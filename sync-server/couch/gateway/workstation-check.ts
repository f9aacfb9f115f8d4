import type { IncomingMessage } from "node:http";
import {
  WORKSTATION_REVOKED,
  WORKSTATION_STATUS_PREFIX,
  workstationStatusId,
} from "../../../domain/workstation-status";
import {
  REQUIRED_MESSAGE,
  REVOKED_MESSAGE,
  UNKNOWN_MESSAGE,
  type WorkstationIdentity,
  type WorkstationRegistry,
} from "../workstation-registry";
import { basicCredentials, cookieUserName } from "./credentials";
import { GatewayRefusal } from "./refusal";

/** Routes that say nothing but whether a password is right: a workstation logs in before it has an identity. */
const WITHOUT_IDENTITY = new Set(["/", "/_session", "/_up"]);

/**
 * Which workstation a non-administrator request comes from, refusing a revoked or unknown one at
 * once, one of another commune's databases, and (when identities are required) an agent's
 * request that names none. The sync-server's own accounts and calls are not workstations.
 */
export function checkWorkstation(
  req: IncomingMessage,
  path: string,
  registry: WorkstationRegistry,
): WorkstationIdentity | "server" {
  if (registry.isInternal(req)) return "server";
  if (registry.isServiceAccount(basicCredentials(req)?.name ?? cookieUserName(req))) return "server";
  const identity = registry.identify(req);
  if (identity.kind === "revoked") throw new GatewayRefusal(403, WORKSTATION_REVOKED, REVOKED_MESSAGE);
  if (identity.kind === "unknown") throw new GatewayRefusal(403, "workstation_unknown", UNKNOWN_MESSAGE);
  if (identity.kind === "valid") {
    const db = firstSegment(path);
    const own = `guichet-${identity.commune}`;
    if (db && !db.startsWith("_") && db !== own && !db.startsWith(`${own}-`)) {
      throw new GatewayRefusal(403, "forbidden", "Ce poste appartient à une autre commune.");
    }
  } else if (registry.required && !WITHOUT_IDENTITY.has(path.replace(/\/$/, "") || "/")) {
    throw new GatewayRefusal(403, "workstation_required", REQUIRED_MESSAGE);
  }
  return identity;
}

/**
 * Status documents (`workstation-status:<code>`): a workstation writes only its own, and the
 * server stamps the time it arrived (the fleet view's "last contact"), whatever the workstation's clock says.
 */
export function checkStatusWrites(
  body: unknown,
  path: string,
  bulk: boolean,
  identity: WorkstationIdentity | "server",
  now: Date,
): void {
  if (identity === "server") return;
  const docs = bulk ? ((body as { docs?: unknown[] }).docs ?? []) : [body];
  const pathId = bulk ? undefined : documentIdOf(path);
  for (const doc of docs) {
    if (typeof doc !== "object" || doc === null) continue;
    const d = doc as Record<string, unknown>;
    const id = typeof d._id === "string" ? d._id : pathId;
    if (!id?.startsWith(WORKSTATION_STATUS_PREFIX) && d.type !== "workstation_status") continue;
    if (identity.kind !== "valid" || id !== workstationStatusId(identity.code)) {
      throw new GatewayRefusal(403, "forbidden", "Un poste n'écrit que son propre état.");
    }
    d.seenAt = now.toISOString();
  }
}

function segments(path: string): string[] {
  return path
    .split("/")
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

const firstSegment = (path: string): string | undefined => segments(path)[0];

/** `PUT /db/<id>`: the id in the path. */
function documentIdOf(path: string): string | undefined {
  const parts = segments(path);
  return parts.length === 2 ? parts[1] : undefined;
}
