import { describe, expect, it } from "vitest";
import { withEvents } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { buildRequest, ev, WS_A } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { findDuplicates } from "./duplicates";
import { countIndexed, fetchPage, findIndexed } from "./indexed-query";
import { localDataPerTest } from "./local-data.test-support";
import { planQueue } from "./queues";
import { findByName, findByTracking, findByWords, looksLikeTracking } from "./search";
import { nextTrackingNumber } from "./tracking-sequence";

const data = localDataPerTest();

function request(
  seq: number,
  over: {
    lastName?: string;
    demarche?: string;
    at?: string;
    channel?: "guichet" | "en_ligne" | "courriel";
  } = {},
): GuichetRequest {
  const tracking = makeTrackingNumber(WS_A, seq);
  return buildRequest(over.demarche ?? "aide_restauration_scolaire", {
    content: {
      citizen: { firstName: "Léa", lastName: over.lastName ?? `Martin${seq}` },
      channel: over.channel ?? "guichet",
    },
    ctx: { tracking, now: over.at ?? `2026-03-${String(1 + (seq % 28)).padStart(2, "0")}T08:30:00.000Z` },
  });
}

const ctxOf = (myService: string) => ({ myService, today: "2026-03-15", soonDays: 15 });

describe("queues", () => {
  it("lists my service's open requests soonest deadline first, page after page without gaps", async () => {
    const d = await data();
    const docs = Array.from({ length: 130 }, (_, i) => request(i + 1));
    await d.repo.bulkInsert(docs);
    const q = planQueue("service", {}, { myService: "scolaire", today: "2026-03-15", soonDays: 15 });
    const seen: GuichetRequest[] = [];
    let page = await fetchPage(d, q, null, 50);
    seen.push(...page.rows);
    while (page.next) {
      page = await fetchPage(d, q, page.next, 50);
      seen.push(...page.rows);
    }
    expect(seen).toHaveLength(130);
    expect(new Set(seen.map((r) => r.id)).size).toBe(130);
    expect(await countIndexed(d, q)).toBe(130);
    // A filter read in memory: no exact count (it would mean reading every match).
    expect(
      await countIndexed(d, planQueue("service", { channel: "guichet" }, ctxOf("scolaire"))),
    ).toBeUndefined();
    const keys = seen.map((r) => `${r.dueOn}|${r.id}`);
    expect(keys).toEqual([...keys].sort());
  });

  it("puts an online request waiting for triage in the triage queue only while it is received", async () => {
    const d = await data();
    const online = request(1, { channel: "en_ligne" });
    await d.repo.bulkInsert([online, request(2)]);
    const q = planQueue("triage", {}, { myService: "accueil", today: "2026-03-15", soonDays: 15 });
    expect((await fetchPage(d, q, null, 50)).rows.map((r) => r.id)).toEqual([online.id]);
    await d.repo.addEvents(online.id, [ev.assigned("2026-03-13T09:00:00.000Z", "scolaire", "agent.b")]);
    expect((await fetchPage(d, q, null, 50)).rows).toEqual([]);
  });

  it("shows the mails filed by the email door in the triage queue when the channel filter says courriel", async () => {
    const d = await data();
    const mail = request(3, { channel: "courriel" });
    await d.repo.bulkInsert([mail, request(4, { channel: "en_ligne" })]);
    const ctx = { myService: "accueil", today: "2026-03-15", soonDays: 15 };
    const q = planQueue("triage", { channel: "courriel" }, ctx);
    expect((await fetchPage(d, q, null, 50)).rows.map((r) => r.id)).toEqual([mail.id]);
    expect(findIndexed(d, q, 50).getPreparedQuery().queryPlan.sortSatisfiedByIndex).toBe(true);
  });

  it("uses the index it names, so the sort never needs a full read", async () => {
    const d = await data();
    await d.repo.bulkInsert([request(1)]);
    const q = planQueue(
      "open",
      { channel: "guichet" },
      { myService: "accueil", today: "2026-03-15", soonDays: 15 },
    );
    const plan = findIndexed(d, q, 50).getPreparedQuery().queryPlan;
    expect(plan.index).toEqual(["_deleted", "open", "dueOn", "id"]);
    expect(plan.selectorSatisfiedByIndex).toBe(false);
    expect(plan.sortSatisfiedByIndex).toBe(true);
  });
});

describe("search", () => {
  it("tells a tracking number from a name", () => {
    expect(looksLikeTracking("k7m4 4eex")).toBe(true);
    expect(looksLikeTracking("K7M4-4EEX")).toBe(true);
    expect(looksLikeTracking("petit")).toBe(false);
    expect(looksLikeTracking("Dupont Jean")).toBe(false);
  });

  it("finds a name typed without accents or capitals, by prefix, in either order", async () => {
    const d = await data();
    await d.repo.bulkInsert([request(1, { lastName: "Lefèvre" }), request(2, { lastName: "Lefort" })]);
    expect((await findByName(d, "lefevre")).map((r) => r.citizen.lastName)).toEqual(["Lefèvre"]);
    expect((await findByName(d, "LEF")).length).toBe(2);
    expect((await findByName(d, "lea lefevre")).map((r) => r.citizen.lastName)).toEqual(["Lefèvre"]);
    await d.repo.bulkInsert([request(3, { lastName: "Dubreuil-Château" })]);
    expect((await findByName(d, "lea dubreuil")).map((r) => r.citizen.lastName)).toEqual([
      "Dubreuil-Château",
    ]);
    expect(await findByName(d, "lea dupont")).toEqual([]);
  });

  it("flags a tracking number with one wrong character instead of matching another request", async () => {
    const d = await data();
    const r = request(7);
    await d.repo.bulkInsert([r, request(8)]);
    const typo = `${r.id.slice(0, 5)}${r.id[5] === "A" ? "B" : "A"}${r.id.slice(6)}`;
    const res = await findByTracking(d, typo);
    expect(res).toEqual({ ok: false, error: expect.stringMatching(/faute de frappe/) });
    const good = await findByTracking(d, `${r.id.slice(0, 4)}-${r.id.slice(4).toLowerCase()}`);
    expect(good.ok && good.request?.id).toBe(r.id);
  });

  it("finds words of the subject whatever their accents", async () => {
    const d = await data();
    const r = buildRequest("demande_generale", {
      content: { subject: "Éclairage défectueux rue Pasteur", citizen: { firstName: "A", lastName: "B" } },
      ctx: { tracking: makeTrackingNumber(WS_A, 3) },
    });
    await d.repo.bulkInsert([r, request(4)]);
    expect((await findByWords(d, "eclairage pasteur")).map((x) => x.id)).toEqual([r.id]);
  });
});

describe("duplicates", () => {
  it("suggests an open request of the same citizen and démarche, and a signalement at the same place", async () => {
    const d = await data();
    const same = request(1, { lastName: "Durand" });
    const lamp = buildRequest("signalement_eclairage", {
      content: { location: { address: "12, Rue des Lilas" }, citizen: { firstName: "X", lastName: "Y" } },
      ctx: { tracking: makeTrackingNumber(WS_A, 2) },
    });
    await d.repo.bulkInsert([same, lamp, request(3, { lastName: "Dupont" })]);
    const byCitizen = await findDuplicates(d, {
      demarche: same.demarche,
      lastName: "DURAND",
      firstName: "lea",
    });
    expect(byCitizen.map((r) => r.id)).toEqual([same.id]);
    const byPlace = await findDuplicates(d, {
      demarche: "signalement_eclairage",
      lastName: "Autre",
      firstName: "Personne",
      place: "12 rue des lilas",
    });
    expect(byPlace.map((r) => r.id)).toEqual([lamp.id]);
    const closed = withEvents(same, [ev.status("2026-03-20T09:00:00.000Z", "received", "cancelled")]);
    await d.repo.replace(closed);
    expect(
      await findDuplicates(d, { demarche: same.demarche, lastName: "Durand", firstName: "Léa" }),
    ).toEqual([]);
  });
});

describe("tracking sequence", () => {
  it("never issues the same number twice, and starts above the numbers already in the replica", async () => {
    const d = await data();
    await d.repo.bulkInsert([request(41)]);
    const a = await nextTrackingNumber(d, WS_A);
    const b = await nextTrackingNumber(d, WS_A);
    expect(a).toBe(makeTrackingNumber(WS_A, 42));
    expect(b).toBe(makeTrackingNumber(WS_A, 43));
  });
});
