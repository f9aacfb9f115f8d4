import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { ANONYMISED_NAME } from "../../domain/retention";
import { CATALOGUE } from "../../domain/test-fixtures";
import { type GuichetServer, type GuichetServerOptions, startGuichetServer } from "../../sync-server/server";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { openWorkstation, type Workstation } from "./support/workstation";

function startServer(tc: TestCouch, extra: Partial<GuichetServerOptions> = {}): Promise<GuichetServer> {
  const sa = tc.bootstrapped.serviceAccounts;
  return startGuichetServer({
    couch: tc.couch,
    commune: tc.commune,
    port: 0,
    jobs: false,
    log: () => undefined,
    limits: { submitPerMinute: null },
    followUpMinDelayMs: 0,
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    ...extra,
  });
}

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 30_000, label = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${label} : délai dépassé`);
}

const citizen = {
  firstName: "Léa",
  lastName: "Martin",
  email: "lea.martin@example.org",
  address: { line: "12 rue des Lilas", postcode: "75011", city: "Paris" },
};

describe("server jobs: deadline watcher (injected clock), SVA attestation, retention with a replica", () => {
  let tc: TestCouch;
  let server: GuichetServer;
  let agent: TestUser;
  // The server's clock, moved by the tests.
  let clock = new Date("2026-01-05T09:00:00Z");
  const setDay = (day: string) => {
    clock = new Date(`${day}T10:00:00Z`);
  };

  beforeAll(async () => {
    tc = await startTestCouch();
    server = await startServer(tc, { catalogue: CATALOGUE, now: () => clock });
    agent = await tc.createUser("agent", ["agent", "service_agent"], ["scolaire", "accueil"]);
  });
  afterAll(async () => {
    await server?.stop();
    await tc?.stop();
  });

  const doc = async (id: string) =>
    (await tc.admin.use<GuichetRequest>(tc.dbName("main")).get(id)) as unknown as GuichetRequest;
  const basic = (u: TestUser) => `Basic ${Buffer.from(`${u.name}:${u.password}`).toString("base64")}`;
  const file = async (demarche: string, fields: Record<string, unknown>) => {
    const res = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ demarche, fields, citizen }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  const followUp = async (id: string) => {
    const res = await fetch(`${server.url}/suivi`, {
      method: "POST",
      body: new URLSearchParams({ numero: id, email: citizen.email }),
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    return { location, page: await (await fetch(server.url + location)).text() };
  };

  let sva = "";
  let svr = "";

  it("flags approaching implicit-decision dates once per level, then records the decision once", async () => {
    setDay("2026-01-05");
    sva = await file("autorisation_buvette", { association: "Comité des fêtes", dateFete: "2026-06-21" });
    svr = await file("aide_restauration_scolaire", { enfant: "Hugo Martin", ecole: "École Jules-Ferry" });
    // Received 5 January: two months end on 5 March, the decision exists from 6 March.
    expect((await doc(sva)).dueOn).toBe("2026-03-05");
    expect((await doc(svr)).dueOn).toBe("2026-03-05");

    const run = async (day: string) => {
      setDay(day);
      return (await server.runDailyJobs()).deadlines;
    };
    // The watcher finds candidates with `_find`, which on a cluster reads one copy of each shard
    // and may miss a write acknowledged a moment ago: the job is idempotent and runs again every
    // hour. So a day that owes work runs until the work is done (never more than owed), like the
    // hourly schedule would; a second run that day must add nothing.
    const runUntil = async (day: string, owed: { flagged: number; decided: number }) => {
      const done = { flagged: 0, decided: 0 };
      await waitFor(
        async () => {
          const d = await run(day);
          done.flagged += d.flagged;
          done.decided += d.decided;
          return done.flagged >= owed.flagged && done.decided >= owed.decided;
        },
        20_000,
        `échéances du ${day}`,
      ).catch(async (err: Error) => {
        // What was done, and what each request holds: tells a query that missed it from a write.
        const states = await Promise.all(
          [sva, svr].map(async (id) => {
            const d = await doc(id);
            return { id, status: d.status, dueOn: d.dueOn, events: d.events.map((e) => e.kind) };
          }),
        );
        throw new Error(`${err.message} ; fait ${JSON.stringify(done)} ; ${JSON.stringify(states)}`);
      });
      return done;
    };
    expect(await run("2026-02-10")).toEqual({ flagged: 0, decided: 0 }); // 23 days left
    expect(await runUntil("2026-02-18", { flagged: 2, decided: 0 })).toEqual({ flagged: 2, decided: 0 }); // 15 days: soon
    expect(await run("2026-02-18")).toEqual({ flagged: 0, decided: 0 }); // same day again: nothing
    expect(await run("2026-02-25")).toEqual({ flagged: 0, decided: 0 }); // still "soon"
    expect(await runUntil("2026-03-01", { flagged: 2, decided: 0 })).toEqual({ flagged: 2, decided: 0 }); // 4 days: urgent
    expect(await run("2026-03-05")).toEqual({ flagged: 0, decided: 0 }); // last day: not born yet
    expect(await runUntil("2026-03-06", { flagged: 2, decided: 2 })).toEqual({ flagged: 2, decided: 2 }); // born: overdue + decision
    expect(await run("2026-03-20")).toEqual({ flagged: 0, decided: 0 });

    const a = await doc(sva);
    const r = await doc(svr);
    expect(a.implicitDecision).toBe("acceptance");
    expect(r.implicitDecision).toBe("rejection");
    for (const d of [a, r]) {
      const flags = d.events
        .filter((e) => e.kind === "deadline_flagged")
        .map((e) => (e.kind === "deadline_flagged" ? e.level : ""));
      expect(flags).toEqual(["soon", "urgent", "overdue"]);
      const decisions = d.events.filter((e) => e.kind === "implicit_decision");
      expect(decisions).toHaveLength(1);
      expect(decisions[0]).toMatchObject({
        by: tc.bootstrapped.serviceAccounts.server.name,
        workstation: "W3S",
        dueOn: "2026-03-05",
      });
      expect(decisions[0]?.at.startsWith("2026-03-06")).toBe(true); // the injected clock
    }
  });

  it("offers the L232-3 attestation as a PDF for the implicitly accepted request only", async () => {
    setDay("2026-03-20");
    const accepted = await followUp(sva);
    expect(accepted.page).toContain("acceptée implicitement");
    expect(accepted.page).toContain("attestation.pdf");
    const pdf = await fetch(`${server.url}${accepted.location}/attestation.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(pdf.headers.get("content-disposition")).toContain(`attestation-${sva}.pdf`);
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect(bytes.length).toBeGreaterThan(1_000);

    const rejected = await followUp(svr);
    expect(rejected.page).toContain("rejetée implicitement");
    expect(rejected.page).not.toContain("attestation.pdf");
    expect((await fetch(`${server.url}${rejected.location}/attestation.pdf`)).status).toBe(404);

    // Agents get it through the API with their own account.
    const api = (id: string, auth?: string) =>
      fetch(
        `${server.url}/api/v1/requests/${id}/attestation.pdf`,
        auth ? { headers: { authorization: auth } } : {},
      );
    expect((await api(sva)).status).toBe(401);
    const forAgent = await api(sva, basic(agent));
    expect(forAgent.status).toBe(200);
    expect(
      Buffer.from(await forAgent.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe("%PDF-");
    expect((await api(svr, basic(agent))).status).toBe(409);
  });

  it("anonymises a closed request past its retention period, on the server and on a replica, despite a stale offline note", async () => {
    clock = new Date();
    let ws: Workstation | undefined;
    try {
      ws = await openWorkstation({
        code: "R4T",
        commune: tc.commune,
        dbUrl: tc.dbUrl("main"),
        auth: { username: agent.name, password: agent.password },
      });
      const created = await ws.record({ demarche: "demande_generale", lastName: "Durand-Secret" });
      await ws.repo.addEvents(created.id, [
        ws.event("status", {
          from: "received",
          to: "answered",
          answer: "Horaires envoyés à Mme Durand-Secret.",
        }),
      ]);
      await new Promise((r) => setTimeout(r, 5));
      await ws.repo.addEvents(created.id, [ws.event("status", { from: "answered", to: "closed" })]);
      await ws.settle();
      expect((await doc(created.id)).status).toBe("closed");

      // Offline, the agent adds a note to the old copy, naming the citizen again.
      ws.setOnline(false);
      await ws.repo.addEvents(created.id, [
        ws.event("note", { text: "Mme Durand-Secret a rappelé, 06 11 22 33 44." }),
      ]);

      // Long after the démarche's retention (365 days after closure).
      const report = await server.runDailyJobs("2031-01-01");
      expect(report.anonymised).toContain(created.id);
      const anonymised = await doc(created.id);
      expect(anonymised.anonymised).toBe(true);
      expect(anonymised.citizen).toEqual({ firstName: ANONYMISED_NAME, lastName: ANONYMISED_NAME });
      expect(JSON.stringify(anonymised)).not.toContain("Durand-Secret");

      // Back online: the replica receives the anonymised version, and its stale note does not
      // bring the name back (the note stays in the history, its text scrubbed).
      ws.setOnline(true);
      await ws.settle(60_000);
      await waitFor(
        async () => (await ws?.repo.get(created.id))?.anonymised === true,
        30_000,
        "copie locale anonymisée",
      );
      await ws.settle(60_000);
      const local = await ws.repo.get(created.id);
      const server2 = await doc(created.id);
      for (const d of [local, server2]) {
        expect(d?.anonymised).toBe(true);
        expect(JSON.stringify(d)).not.toContain("Durand-Secret");
        expect(JSON.stringify(d)).not.toContain("06 11 22 33 44");
        expect(d?.events.some((e) => e.kind === "note")).toBe(true);
      }
      const conflicts = (await tc.admin.use(tc.dbName("main")).get(created.id, { conflicts: true })) as {
        _conflicts?: string[];
      };
      expect(conflicts._conflicts ?? []).toEqual([]);

      // Running again changes nothing.
      expect((await server.runDailyJobs("2031-01-02")).anonymised).toEqual([]);
    } finally {
      await ws?.destroy();
    }
  });
});
