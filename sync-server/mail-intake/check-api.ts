import { HttpError } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import type { AgentAuth } from "../services/agent-auth";
import type { MailRecords } from "./mail-records";

/**
 * « À vérifier »: the messages the email door did not file (automatic replies, spam, too large,
 * unreadable, a reply from another address), with the reason, for every agent. An agent marks
 * one as seen once handled (retyped, answered or ignored); the record stays as proof.
 */
export function addMailCheckApi(
  r: Router,
  deps: { agents: AgentAuth; records: () => MailRecords | null },
): Router {
  r.get("/api/v1/mail-checks", async (ctx) => {
    await deps.agents.require(ctx.req);
    const records = deps.records();
    const list = records ? await records.toCheck() : [];
    sendJson(ctx.res, 200, {
      items: list.map((m) => ({
        id: m._id,
        receivedAt: m.receivedAt,
        from: m.from,
        subject: m.subject,
        reason: m.reason ?? "",
        excerpt: m.excerpt ?? "",
      })),
    });
  });

  r.post("/api/v1/mail-checks/:id/seen", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const records = deps.records();
    const rec = records ? await records.get(ctx.params.id ?? "") : null;
    if (!records || !rec || rec.type !== "mailin" || rec.state !== "check")
      throw new HttpError(404, "Message introuvable dans la liste « à vérifier ».");
    await records.update(rec, {
      state: "dismissed",
      dismissedBy: agent.name,
      dismissedAt: new Date().toISOString(),
    });
    sendJson(ctx.res, 200, { ok: true });
  });
  return r;
}
