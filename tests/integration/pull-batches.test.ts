import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { couchClient } from "../../renderer/sync/couch-client";
import type { Seq } from "../../renderer/sync/requests/checkpoints";
import { batchPuller } from "../../renderer/sync/requests/pull";
import { buildRequest, event, type RequestDoc, withNewEvents } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";

/**
 * The pull's batches, with the next page read ahead while RxDB stores the current one: every
 * document of the feed arrives, in its newest version, whatever is written between two batches,
 * and a page read ahead is used only for the position and size it was read for.
 */
describe("pull batches with read-ahead", () => {
  let t: TestCouch;
  let agent: TestUser;
  const sent: string[] = [];

  beforeAll(async () => {
    t = await startTestCouch();
    agent = await t.createUser("lecteur", ["agent"], ["accueil"]);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  /** A request's version as both sides see it (pulled documents carry no revision). */
  const version = (d: { events: readonly { id: string }[] }) => d.events.map((e) => e.id).join(",");

  function puller() {
    const ends: Seq[] = [];
    const client = couchClient(
      t.dbUrl("main"),
      { username: agent.name, password: agent.password },
      (url, init) => {
        if (String(url).includes("_changes")) sent.push(new URL(String(url)).searchParams.get("since") ?? "");
        return fetch(url, init);
      },
    );
    return { pull: batchPuller([{ key: "", client }], (_k, seq) => ends.push(seq)), ends };
  }

  async function write(docs: RequestDoc[]): Promise<RequestDoc[]> {
    const writer = couchClient(t.dbUrl("main"), { username: agent.name, password: agent.password });
    const res = await writer.bulkDocs(docs);
    const rev = new Map(res.map((r) => [r.id, r.rev]));
    for (const r of res) if (!r.rev) throw new Error(`${r.id}: ${r.error} ${r.reason}`);
    return docs.map((d) => ({ ...d, _rev: rev.get(d._id) as string }));
  }

  it("brings every document once, in its newest version, when documents change between batches", async () => {
    const seeded = await write(
      Array.from({ length: 35 }, () => buildRequest({ commune: t.commune, by: agent.name })),
    );
    const { pull, ends } = puller();
    sent.length = 0;

    const first = await pull(undefined, 10);
    expect(first.documents).toHaveLength(10);
    // The next page is already asked for, from where this batch ends, before RxDB asks.
    expect(sent.at(-1)).toBe(String(first.checkpoint.seq));

    // Written after the read-ahead left: an edit of a document of the page read ahead (or of a
    // later one) and a new request. Both must arrive, the edit in its new version.
    const edited = withNewEvents(
      seeded[12] as RequestDoc,
      event("note", agent.name, { text: "Ajoutée entre deux lots" }),
    );
    const [editedStored] = await write([edited]);
    const [late] = await write([buildRequest({ commune: t.commune, by: agent.name })]);

    const seen = new Map<string, string>();
    for (const d of first.documents) seen.set(d.id, version(d));
    let cp = first.checkpoint;
    const beforeSecond = sent.length;
    const second = await pull(cp, 10);
    // Served by the page read ahead: the only new call is the read-ahead of the third page.
    expect(sent.length - beforeSecond).toBe(1);
    for (const d of second.documents) seen.set(d.id, version(d));
    cp = second.checkpoint;
    for (let i = 0; i < 20 && ends.length === 0; i++) {
      const next = await pull(cp, 10);
      for (const d of next.documents) seen.set(d.id, version(d));
      cp = next.checkpoint;
    }
    expect(ends.length).toBeGreaterThan(0);
    for (const d of seeded) expect(seen.has(d.id)).toBe(true);
    expect(seen.size).toBe(seeded.length + 1);
    expect(seen.get(late?.id as string)).toBe(version(late as RequestDoc));
    expect(seen.get(edited.id)).toBe(version(editedStored as RequestDoc));
    expect(version(edited)).not.toBe(version(seeded[12] as RequestDoc));
  });

  it("does not use a page read ahead for another position or size", async () => {
    await write(Array.from({ length: 12 }, () => buildRequest({ commune: t.commune, by: agent.name })));
    const { pull } = puller();
    const first = await pull(undefined, 5);
    const again = await pull(undefined, 5);
    // Asked again from the start: the same page, read again, not the second page read ahead.
    expect(again.documents.map((d) => d.id)).toEqual(first.documents.map((d) => d.id));
    const bigger = await pull(first.checkpoint, 7);
    expect(bigger.documents).toHaveLength(7);
    const next = await pull(first.checkpoint, 5);
    expect(next.documents.map((d) => d.id)).toEqual(bigger.documents.slice(0, 5).map((d) => d.id));
  });
});
