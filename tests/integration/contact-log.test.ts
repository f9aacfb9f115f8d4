import { firstValueFrom } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parisDate } from "../../domain/history";
import { openQuickAnswersOnly } from "../../renderer/db/local-data.test-support";
import { quickAnswersToday$, recordQuickAnswer } from "../../renderer/db/quick-answers";
import {
  type ContactLogReplication,
  startContactLogReplication,
} from "../../renderer/sync/contact-log-replication";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";

/** Immediate answers leave the workstation for the commune's -log, and every workstation gets them all. */
let t: TestCouch;
let alice: TestUser;
let bruno: TestUser;
type Data = Awaited<ReturnType<typeof openQuickAnswersOnly>>;
const open: { data: Data; rep: ContactLogReplication }[] = [];

async function workstation(user: TestUser): Promise<{ data: Data; rep: ContactLogReplication }> {
  // The immediate answers alone: two whole replicas exceed what RxDB keeps open in one process.
  const data = await openQuickAnswersOnly();
  const rep = startContactLogReplication({
    collection: data.local.quick_answers,
    dbUrl: t.dbUrl("log"),
    auth: { username: user.name, password: user.password },
    pullEveryMs: 200,
    retryMs: 300,
  });
  const ws = { data, rep };
  open.push(ws);
  return ws;
}

beforeAll(async () => {
  t = await startTestCouch();
  alice = await t.createUser("alice", ["agent"]);
  bruno = await t.createUser("bruno", ["agent"]);
}, 60_000);

afterAll(async () => {
  for (const ws of open) {
    await ws.rep.stop();
    await ws.data.db.remove();
  }
  await t?.stop();
});

describe("immediate answers and the -log database", () => {
  it("are sent once to the server and reach every workstation, while each counts only its own today", async () => {
    const a = await workstation(alice);
    const b = await workstation(bruno);
    await recordQuickAnswer(a.data, {
      channel: "guichet",
      reason: "horaires",
      text: "Demande des horaires\nde l'état civil",
      by: alice.name,
      workstation: "A2C",
    });
    await recordQuickAnswer(b.data, {
      channel: "telephone",
      reason: "pieces",
      by: bruno.name,
      workstation: "B3D",
    });

    const log = t.admin.use<Record<string, unknown>>(t.dbName("log"));
    // One read, kept: on a cluster `_all_docs` reads one copy of each shard, and the next read may
    // come from a copy that does not hold an entry acknowledged a moment ago.
    const docs = await waitFor("both entries on the server", async () => {
      const rows = (await log.list({ include_docs: true })).rows.filter((r) => !r.id.startsWith("_design/"));
      const found = rows.map((r) => r.doc as Record<string, unknown>);
      return found.some((d) => d.by === alice.name) && found.some((d) => d.by === bruno.name) ? found : null;
    });
    expect(docs).toHaveLength(2);
    const byAlice = docs.find((d) => d.by === alice.name);
    expect(byAlice).toMatchObject({
      type: "contact_log",
      channel: "guichet",
      reason: "horaires",
      workstation: "A2C",
      // The line break would be refused by the database: it became a space, nothing lost.
      text: "Demande des horaires de l'état civil",
    });
    expect(docs.find((d) => d.by === bruno.name)).toMatchObject({ channel: "telephone", workstation: "B3D" });

    // Each workstation receives the other's entry (for the supervisors' statistics)…
    for (const ws of [a, b]) {
      await waitFor(
        "the other entry pulled",
        async () => (await ws.data.local.quick_answers.count().exec()) === 2,
      );
    }
    // …and its "today" counter still counts its own only.
    const today = parisDate(new Date().toISOString());
    expect(await firstValueFrom(quickAnswersToday$(a.data, today, "A2C"))).toBe(1);
    expect(await firstValueFrom(quickAnswersToday$(b.data, today, "B3D"))).toBe(1);

    // Restarting the replication sends nothing twice.
    await a.rep.stop();
    a.rep = startContactLogReplication({
      collection: a.data.local.quick_answers,
      dbUrl: t.dbUrl("log"),
      auth: { username: alice.name, password: alice.password },
      pullEveryMs: 200,
    });
    await a.rep.awaitInSync();
    const after = (await log.list()).rows.filter((r) => !r.id.startsWith("_design/"));
    expect(after).toHaveLength(2);
  });
});
