import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anonymise } from "../../domain/retention";
import { type BulkRow, call, errorOf, type Reply } from "./support/http";
import { buildRequest, event, type RequestDoc, withNewEvents } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";

/**
 * What the server itself refuses (validate_doc_update and _security), over raw HTTP with each
 * account's own credentials: a client bug or a hand-crafted request must hit the same wall.
 */
describe("server-side rules for requests, immediate answers and settings", () => {
  let t: TestCouch;
  let agent: TestUser;
  let otherAgent: TestUser;
  let serviceAgent: TestUser;
  let supervisor: TestUser;
  let admin: TestUser;
  let portal: TestUser;
  let police: TestUser;

  beforeAll(async () => {
    t = await startTestCouch();
    agent = await t.createUser("agent", ["agent"]);
    otherAgent = await t.createUser("agent2", ["agent"]);
    serviceAgent = await t.createUser("etatcivil", ["service_agent"], ["etat_civil"]);
    supervisor = await t.createUser("chef", ["supervisor"]);
    admin = await t.createUser("admin", ["admin"]);
    portal = await t.createUser("portail", ["portal"]);
    police = await t.createUser("police", ["service_agent"], ["police_municipale"]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  /** Any JSON document, valid or not: what a client could send. */
  type AnyDoc = { _id: string; [key: string]: unknown };
  const main = () => t.dbUrl("main");
  const docUrl = (doc: AnyDoc, db = main()) => `${db}/${encodeURIComponent(doc._id)}`;
  const send = (user: TestUser, doc: AnyDoc, db: string) => call("PUT", docUrl(doc, db), user, doc);
  /**
   * An update right after the write it follows: on a cluster, the copy that has not caught up yet
   * answers 409 for a moment (w = 2 of 3), before the rules are even asked. Wait for their answer.
   */
  const put = async (user: TestUser, doc: AnyDoc, db = main()): Promise<Reply> => {
    if (!doc._rev) return send(user, doc, db);
    return waitFor("la réponse des règles, toutes les copies à jour", async () => {
      const reply = await send(user, doc, db);
      return reply.status === 409 ? undefined : reply;
    });
  };

  /** A deletion right after the write, waiting out a lagging copy's 409 like `put`. */
  const del = (user: TestUser, doc: AnyDoc): Promise<Reply> =>
    waitFor("la réponse des règles à la suppression", async () => {
      const reply = await call("DELETE", `${docUrl(doc)}?rev=${doc._rev}`, user);
      return reply.status === 409 ? undefined : reply;
    });

  /** Stores `doc` as `user` and returns it with its new revision. */
  async function store(user: TestUser, doc: RequestDoc, db = main()): Promise<RequestDoc> {
    const reply = await put(user, doc, db);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
    return { ...doc, _rev: (reply.body as { rev: string }).rev };
  }

  function expectForbidden(reply: Reply, field: RegExp): void {
    expect(reply.status, JSON.stringify(reply.body)).toBe(403);
    const { error, reason } = errorOf(reply);
    expect(error).toBe("forbidden");
    expect(reason).toMatch(field);
  }

  const newDoc = (by: TestUser = agent) => buildRequest({ commune: t.commune, by: by.name });

  describe("creation", () => {
    it("stores a valid request built by the domain, unchanged", async () => {
      const doc = newDoc();
      await store(agent, doc);
      const back = await call("GET", docUrl(doc), agent);
      expect(back.status).toBe(200);
      const { _rev, ...stored } = back.body as RequestDoc;
      expect(stored).toEqual(doc);
    });

    it("refuses a missing field and names it", async () => {
      const { subject: _s, ...doc } = newDoc();
      expectForbidden(await put(agent, doc), /^subject : champ obligatoire manquant/);
    });

    it("refuses a missing nested field and names its path", async () => {
      const doc = newDoc();
      const { lastName: _l, ...citizen } = doc.citizen;
      expectForbidden(await put(agent, { ...doc, citizen }), /^citizen\.lastName : /);
    });

    it("refuses a value of the wrong type and names the field", async () => {
      expectForbidden(await put(agent, { ...newDoc(), subject: 42 }), /^subject : texte attendu/);
      expectForbidden(await put(agent, { ...newDoc(), open: "oui" }), /^open : /);
    });

    it("refuses an extra field, at the top and inside", async () => {
      expectForbidden(await put(agent, { ...newDoc(), priorite: "haute" }), /^priorite : champ non autorisé/);
      const doc = newDoc();
      expectForbidden(await put(agent, { ...doc, citizen: { ...doc.citizen, age: 40 } }), /^citizen\.age : /);
    });

    it("refuses a malformed value (pattern, length, enum)", async () => {
      const doc = newDoc();
      expectForbidden(
        await put(agent, { ...doc, citizen: { ...doc.citizen, email: "pas-un-mail" } }),
        /citizen\.email/,
      );
      expectForbidden(await put(agent, { ...doc, subject: "x".repeat(201) }), /^subject : 200 caractères/);
      expectForbidden(
        await put(agent, { ...newDoc(), channel: "pigeon" }),
        /^channel : valeur non autorisée/,
      );
    });

    it("refuses an _id that differs from the tracking number", async () => {
      const doc = newDoc();
      expectForbidden(await put(agent, { ...doc, _id: "AAAAAAAA" }), /^id : /);
    });

    it("refuses a forged createdBy", async () => {
      const doc = newDoc(otherAgent);
      // Every event is the agent's own, only createdBy names someone else.
      const forged = { ...doc, events: doc.events.map((e) => ({ ...e, by: agent.name })) };
      expectForbidden(await put(agent, forged), /^createdBy : /);
    });

    it("refuses a forged event author at creation", async () => {
      const doc = withNewEvents(newDoc(), event("note", otherAgent.name, { text: "Écrit par un autre" }));
      expectForbidden(await put(agent, doc), /^events\.1\.by : auteur/);
    });

    it("keeps « en_ligne » for the portal", async () => {
      const online = buildRequest({ commune: t.commune, by: agent.name, channel: "en_ligne" });
      expectForbidden(await put(agent, online), /^channel : /);
      await store(portal, buildRequest({ commune: t.commune, by: portal.name, channel: "en_ligne" }));
      // …and the portal files nothing else.
      expectForbidden(
        await put(portal, buildRequest({ commune: t.commune, by: portal.name })),
        /^channel : /,
      );
    });

    it("refuses a request of another commune", async () => {
      const doc = buildRequest({ commune: "autre-commune", by: agent.name });
      expectForbidden(await put(agent, doc), /^commune : /);
    });

    it("keeps sensitive requests out of the main database, and in their own", async () => {
      const doc = buildRequest({ commune: t.commune, by: police.name, demarche: "police_doleance" });
      expectForbidden(await put(police, doc), /^sensitive : /);
      const policeDb = t.dbUrl("sensitive", "police_municipale");
      await store(police, doc, policeDb);
      // A counter agent is not a member of the police database at all.
      const byAgent = buildRequest({ commune: t.commune, by: agent.name, demarche: "police_doleance" });
      const reply = await put(agent, byAgent, policeDb);
      expect(reply.status).toBe(403);
      // A non-sensitive request does not belong there either.
      expectForbidden(
        await put(police, buildRequest({ commune: t.commune, by: police.name }), policeDb),
        /^sensitive : /,
      );
    });

    it("refuses a sensitive service's request in another sensitive database", async () => {
      const ccasRequest = buildRequest({ commune: t.commune, by: supervisor.name, demarche: "ccas_aide" });
      expectForbidden(
        await put(supervisor, ccasRequest, t.dbUrl("sensitive", "police_municipale")),
        /service/,
      );
      await store(supervisor, ccasRequest, t.dbUrl("sensitive", "ccas"));
    });
  });

  describe("updates", () => {
    it("accepts a new event by its author, with the projection recomputed", async () => {
      const doc = await store(agent, newDoc());
      const next = withNewEvents(
        doc,
        event("status", agent.name, {
          from: "received",
          to: "incomplete",
          missingPieces: ["Justificatif de domicile"],
          piecesDueOn: "2026-04-30",
        }),
      );
      expect(next.status).toBe("incomplete");
      await store(agent, next);
    });

    it("refuses a request for pieces without the time given to produce them (L114-5)", async () => {
      const doc = await store(agent, newDoc());
      const next = withNewEvents(
        doc,
        event("status", agent.name, {
          from: "received",
          to: "incomplete",
          missingPieces: ["Livret de famille"],
        }),
      );
      expectForbidden(await put(agent, next), /^events\.1 : une demande de pièces indique .*date limite/);
    });

    it("refuses an event forged in another agent's name", async () => {
      const doc = await store(agent, newDoc());
      const next = withNewEvents(doc, event("note", otherAgent.name, { text: "Je ne suis pas l'auteur" }));
      expectForbidden(await put(agent, next), /^events\.1\.by : auteur .* falsifié/);
    });

    it("refuses removing an event from the history", async () => {
      const doc = await store(agent, newDoc());
      const withNote = await store(
        agent,
        withNewEvents(doc, event("note", agent.name, { text: "À rappeler" })),
      );
      const removed = { ...withNote, events: withNote.events.filter((e) => e.kind !== "note") };
      expectForbidden(await put(agent, removed), /^events : l'événement .* retiré/);
    });

    it("refuses altering an event already stored", async () => {
      const doc = await store(agent, newDoc());
      const withNote = await store(
        agent,
        withNewEvents(doc, event("note", agent.name, { text: "À rappeler" })),
      );
      const altered = {
        ...withNote,
        events: withNote.events.map((e) => (e.kind === "note" ? { ...e, text: "Réécrit" } : e)),
      };
      expectForbidden(await put(agent, altered), /^events\.\d : l'événement .* modifié/);
    });

    it("refuses a status change the agent's role does not allow (received → closed)", async () => {
      const doc = await store(agent, newDoc());
      const closed = withNewEvents(doc, event("status", agent.name, { from: "received", to: "closed" }));
      expect(closed.status).toBe("closed");
      expectForbidden(
        await put(agent, closed),
        /^events\.1 : impossible de passer une demande « Reçue » à « Clôturée »/,
      );
      const answered = withNewEvents(
        doc,
        event("status", agent.name, { from: "received", to: "in_progress" }),
      );
      expectForbidden(await put(agent, answered), /^events\.1 : votre rôle ne permet pas/);
      // The same step is a service agent's to take.
      const handled = withNewEvents(
        doc,
        event("status", serviceAgent.name, { from: "received", to: "in_progress" }),
      );
      await store(serviceAgent, handled);
    });

    it("refuses a projection that contradicts the events", async () => {
      const doc = await store(agent, newDoc());
      expectForbidden(
        await put(agent, { ...doc, status: "closed", open: false }),
        /^status : « closed » ne correspond pas/,
      );
      expectForbidden(await put(agent, { ...doc, arSent: true }), /^arSent : /);
      expectForbidden(await put(agent, { ...doc, assignee: "quelqu-un" }), /^assignee : /);
    });

    it("refuses changing what was recorded at creation", async () => {
      const doc = await store(agent, newDoc());
      expectForbidden(
        await put(agent, { ...doc, subject: "Autre objet" }),
        /^subject : ce champ ne peut plus/,
      );
      expectForbidden(
        await put(agent, { ...doc, createdBy: otherAgent.name }),
        /^createdBy : ce champ ne peut plus/,
      );
    });

    it("lets only supervisors (and admins, the server) delete", async () => {
      const doc = await store(agent, newDoc());
      const asAgent = await del(agent, doc);
      expectForbidden(asAgent, /^_deleted : /);
      const asSupervisor = await del(supervisor, doc);
      expect(asSupervisor.status, JSON.stringify(asSupervisor.body)).toBe(200);
    });

    it("lets a supervisor anonymise, never an agent, and never un-anonymise", async () => {
      const doc = await store(
        agent,
        withNewEvents(newDoc(), event("note", agent.name, { text: "Madame Martin a appelé" })),
      );
      const at = new Date(Date.now() + 5000).toISOString();
      const byAgent = { ...anonymise(doc, at, agent.name, "K7M"), _id: doc._id, _rev: doc._rev };
      expectForbidden(await put(agent, byAgent), /^anonymised : seuls/);

      const anonymised = await store(supervisor, {
        ...anonymise(doc, at, supervisor.name, "K7M"),
        _id: doc._id,
        _rev: doc._rev,
      });
      expect(anonymised.citizen.lastName).not.toBe("Martin");
      expect(anonymised.events.find((e) => e.kind === "note")).toMatchObject({ text: "—" });

      // An offline copy made before anonymisation, pushed on top of it: the personal data stays out.
      const { _rev: _old, ...stale } = doc;
      const resurrected = { ...stale, _rev: anonymised._rev };
      expectForbidden(
        await put(agent, resurrected),
        /^anonymised : une demande anonymisée ne peut pas redevenir/,
      );
      expectForbidden(await put(supervisor, { ...anonymised, anonymised: false }), /^anonymised : /);
      // Content stays anonymised afterwards.
      expectForbidden(
        await put(supervisor, { ...anonymised, subject: "Demande de Léa Martin" }),
        /^subject : /,
      );
    });

    it("rejects only the bad document of a _bulk_docs batch", async () => {
      const good1 = newDoc();
      const good2 = newDoc();
      const bad = { ...newDoc(), createdBy: otherAgent.name };
      const reply = await call("POST", `${main()}/_bulk_docs`, agent, { docs: [good1, bad, good2] });
      expect(reply.status).toBe(201);
      const rows = new Map((reply.body as BulkRow[]).map((r) => [r.id, r]));
      expect(rows.get(good1._id)?.rev).toBeTruthy();
      expect(rows.get(good2._id)?.rev).toBeTruthy();
      expect(rows.get(bad._id)).toMatchObject({ error: "forbidden" });
      expect(rows.get(bad._id)?.reason).toMatch(/^createdBy : /);
      expect((await call("GET", docUrl(good1), agent)).status).toBe(200);
      expect((await call("GET", docUrl(bad), agent)).status).toBe(404);
    });
  });

  describe("accounts and design documents", () => {
    it("answers 401 to a wrong password (the account is this test's own: CouchDB locks after 5)", async () => {
      const victim = await t.createUser("mauvais-mdp", ["agent"]);
      const reply = await call("GET", main(), { name: victim.name, password: "pas-le-bon" });
      expect(reply.status).toBe(401);
      expect((await call("GET", main(), victim)).status).toBe(200);
    });

    it("refuses anonymous writes", async () => {
      const reply = await call("PUT", docUrl(newDoc()), null, newDoc());
      expect(reply.status).toBe(401);
    });

    it("keeps design documents to admins", async () => {
      const ddoc = { _id: "_design/pirate", validate_doc_update: "function () {}" };
      const reply = await call("PUT", docUrl(ddoc), agent, ddoc);
      expect(reply.status).toBe(403);
      const before = await call("GET", `${main()}/_design/guichet`, agent);
      expect(before.status).toBe(200);
    });
  });

  describe("immediate answers (-log)", () => {
    const entry = (by: string) => ({
      _id: `log-${by}-${Math.random().toString(36).slice(2)}`,
      type: "contact_log",
      at: new Date().toISOString(),
      by,
      workstation: "K7M",
      channel: "guichet",
      reason: "Horaires d'ouverture",
    });

    it("stores an agent's own entry and refuses a forged or malformed one", async () => {
      const log = t.dbUrl("log");
      const mine = entry(agent.name);
      const stored = await put(agent, mine, log);
      expect(stored.status, JSON.stringify(stored.body)).toBe(201);
      expectForbidden(await put(agent, entry(otherAgent.name), log), /^by : auteur/);
      expectForbidden(
        await put(agent, { ...entry(agent.name), citizen: "Léa Martin" }, log),
        /^citizen : champ non autorisé/,
      );
      expectForbidden(await put(agent, { ...entry(agent.name), channel: "en_ligne" }, log), /^channel : /);
      const rev = (stored.body as { rev: string }).rev;
      expectForbidden(await put(agent, { ...mine, _rev: rev, reason: "Autre chose" }, log), /^reason : /);
    });
  });

  describe("settings (-config)", () => {
    it("is read by members and written by admins only", async () => {
      const config = t.dbUrl("config");
      const commune = await call("GET", `${config}/commune`, agent);
      expect(commune.status).toBe(200);
      const doc = commune.body as { _id: string; name: string };
      expectForbidden(await put(agent, { ...doc, name: "Mairie pirate" }, config), /administrateurs/);
      const byAdmin = await put(admin, { ...doc, name: "Mairie de Saint-Test" }, config);
      expect(byAdmin.status, JSON.stringify(byAdmin.body)).toBe(201);
    });
  });
});
