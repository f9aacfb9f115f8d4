import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withEvents } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { ev } from "../../domain/test-fixtures";
import { BulkWriter } from "../../sync-server/couch/bulk-writer";
import { type CouchDb, couchServer } from "../../sync-server/couch/couch-db";
import { buildRequest } from "./support/requests";
import { startTestCouch, type TestCouch } from "./support/test-couch";
import { waitFor } from "./support/wait";

/** The group commit of the server's jobs (outbox, deadline watcher, mail door) on a real database. */
describe("group commit of single-document writes", () => {
  let tc: TestCouch;
  let db: CouchDb;
  let by = "";
  beforeAll(async () => {
    tc = await startTestCouch();
    const agent = await tc.createUser("agent-w", ["agent"], []);
    by = agent.name;
    db = couchServer(tc.url, { username: agent.name, password: agent.password }).db(tc.dbName("main"));
  });
  afterAll(async () => {
    await tc?.stop();
  });

  const request = () => {
    const d = buildRequest({ commune: tc.commune, by });
    return { ...d, _id: d.id };
  };

  it("tells the write that was stored so, and the other one on the same revision a conflict, when both wait for the same batch", async () => {
    // Two jobs changing one request at once (the deadline watcher and the outbox did): the winner
    // was told 409 too, read again, found its own change there and reported nothing done.
    const writer = new BulkWriter(db, 100, 1);
    const base = request();
    const rev = await writer.write(base);
    const inFlight = writer.write(request()); // the next two wait for one batch
    const edit = (text: string) => ({
      ...withEvents(base, [ev.note(new Date().toISOString(), text, { by, workstation: "K7M" })]),
      _id: base._id,
      _rev: rev,
    });
    const a = writer.write(edit("Notée par la première tâche"));
    const b = writer.write(edit("Notée par la seconde tâche"));
    const [ra, rb] = await Promise.allSettled([a, b]);
    await inFlight;
    // Each caller is told the truth about its own write. On a 3-node cluster both may be taken, as
    // sibling revisions (a copy that had not seen the first yet): then both are told so.
    const won = [ra, rb].flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
    expect(won.length).toBeGreaterThanOrEqual(1);
    for (const rev of won) expect(await db.get(base._id, { rev })).toMatchObject({ _rev: rev });
    for (const r of [ra, rb]) {
      // PouchDB Server validates a stale revision against the current document: 403, not 409.
      if (r.status === "rejected")
        expect(r.reason).toMatchObject({ status: tc.kind === "couchdb" ? 409 : 403 });
    }
    // The document served is one of them (on a cluster, once the copies read have it).
    const stored = await waitFor("l'écriture gagnante", async () => {
      const d = (await db.get(base._id)) as unknown as GuichetRequest & { _rev: string };
      return won.includes(d._rev) && d;
    });
    const note = stored.events.at(-1);
    expect(note?.kind === "note" && note.text).toMatch(/^Notée par la (première|seconde) tâche$/);
  });
});
