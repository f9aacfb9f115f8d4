import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Catalogue, type Demarche, demarcheAt } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { newRequest } from "../../domain/new-request";
import { couchRole as localCouchRole } from "../../domain/roles";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { communeRole, couchRole } from "../../sync-server/couch/couch-roles";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { call, errorOf, type Reply } from "./support/http";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";

type Listing = { services: { id: string }[]; demarches: Demarche[]; archived: Record<string, number[]> };
type Saved = { demarche: Demarche; previousVersion: number | null; changed: boolean };
type Errors = { errors: { field: string; message: string }[] };

const FRENCH = /[éèêàçùô]|obligatoire|inconnu|invalide|attendu/i;

describe("catalogue administration", () => {
  let tc: TestCouch;
  let server: GuichetServer;
  let admin: TestUser;
  let agent: TestUser;
  let supervisor: TestUser;
  let original: Demarche;

  const api = (method: string, path: string, user: TestUser | null, body?: unknown): Promise<Reply> =>
    call(method, `${server.url}${path}`, user, body);
  const configDoc = (id: string): Promise<Reply> =>
    call("GET", `${tc.dbUrl("config")}/${encodeURIComponent(id)}`, admin);
  const current = async (id: string): Promise<Demarche> => {
    const listing = (await api("GET", "/api/v1/admin/demarches", admin)).body as Listing;
    const d = listing.demarches.find((x) => x.id === id);
    if (!d) throw new Error(`démarche ${id} absente`);
    return d;
  };
  /** The config a workstation gets, once the server's config follower has read the change. */
  async function workstationDemarche(id: string, version: number): Promise<Demarche> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await api("GET", "/api/v1/workstation/config", agent);
      expect(res.status).toBe(200);
      const d = (res.body as { catalogue: Catalogue }).catalogue.demarches.find((x) => x.id === id);
      if (d?.version === version) return d;
      if (Date.now() > deadline)
        throw new Error(`la version ${version} de ${id} n'arrive pas (${d?.version})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    tc = await startTestCouch();
    const sa = tc.bootstrapped.serviceAccounts;
    server = await startGuichetServer({
      couch: tc.couch,
      commune: tc.commune,
      port: 0,
      jobs: false,
      log: () => undefined,
      env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    });
    admin = await tc.createUser("admin", ["admin"]);
    agent = await tc.createUser("agent", ["agent"]);
    supervisor = await tc.createUser("chef", ["supervisor"]);
    original = await current("demande_generale");
  });

  afterAll(async () => {
    await server?.stop();
    await tc?.stop();
  });

  it("bumps the version on a change, keeps the old one for old requests, and hands the new one to workstations", async () => {
    expect(original.version).toBe(1);
    // A request recorded with version 1, before the change.
    const made = newRequest(
      {
        demarche: original.id,
        channel: "guichet",
        subject: "Question",
        fields: { message: "Question posée avant le changement." },
        citizen: { firstName: "Léa", lastName: "Martin" },
        attachments: [],
      },
      {
        commune: tc.commune,
        tracking: makeTrackingNumber("K7M", 1),
        demarche: original,
        policy: DEMO_COMMUNE.policy,
        by: agent.name,
        workstation: "K7M",
        now: new Date().toISOString(),
      },
    );
    if (!made.ok) throw new Error(JSON.stringify(made.issues));
    const oldRequest = { _id: made.request.id, ...made.request };
    expect(oldRequest.demarcheVersion).toBe(1);
    expect((await call("PUT", `${tc.dbUrl("main")}/${oldRequest._id}`, agent, oldRequest)).status).toBe(201);

    const changed = {
      ...original,
      // Never trusted: the server numbers versions itself.
      version: 99,
      label: "Demande générale ou réclamation",
      fields: [
        { ...original.fields[0], label: "Objet de votre demande" },
        { key: "rappel", label: "Numéro pour vous rappeler", kind: "phone", required: false },
      ],
    };
    const res = await api("PUT", "/api/v1/admin/demarches/demande_generale", admin, {
      ...changed,
      baseVersion: 1,
    });
    expect(res.status).toBe(200);
    const saved = res.body as Saved;
    expect(saved).toMatchObject({ changed: true, previousVersion: 1 });
    expect(saved.demarche.version).toBe(2);

    // Stored: the new current version, and version 1 archived exactly as it was.
    const stored = (await configDoc("demarche:demande_generale")).body as Demarche;
    expect(stored.version).toBe(2);
    expect(stored.fields.map((f) => f.key)).toEqual(["message", "rappel"]);
    const archive = (await configDoc("demarche-version:demande_generale@1")).body as Demarche;
    expect(archive).toMatchObject({ ...original, type: "demarche_version" });

    // Every workstation: the new version in its config, the old one among the past versions.
    const seen = await workstationDemarche("demande_generale", 2);
    expect(seen.fields.map((f) => f.label)).toEqual(["Objet de votre demande", "Numéro pour vous rappeler"]);
    const past = await api("GET", "/api/v1/workstation/demarche-versions", agent);
    expect(past.status).toBe(200);
    const versions = (past.body as { versions: Demarche[] }).versions;
    expect(versions).toEqual([original]);

    // The old request keeps its version; the workstation shows it with version 1's labels.
    const reread = (await call("GET", `${tc.dbUrl("main")}/${oldRequest._id}`, agent)).body as {
      demarcheVersion: number;
    };
    expect(reread.demarcheVersion).toBe(1);
    const catalogue = (await api("GET", "/api/v1/workstation/config", agent)).body as {
      catalogue: Catalogue;
    };
    const shown = demarcheAt(catalogue.catalogue, versions, "demande_generale", reread.demarcheVersion);
    expect(shown?.fields.map((f) => f.label)).toEqual(["Votre demande"]);

    // A second change: version 3, both older ones kept.
    const third = await api("PUT", "/api/v1/admin/demarches/demande_generale", admin, {
      ...saved.demarche,
      retentionDays: 400,
      baseVersion: 2,
    });
    expect((third.body as Saved).demarche.version).toBe(3);
    const listing = (await api("GET", "/api/v1/admin/demarches", admin)).body as Listing;
    expect(listing.archived.demande_generale).toEqual([1, 2]);
    await workstationDemarche("demande_generale", 3);

    // Saving what is already there makes no version.
    const same = await api(
      "PUT",
      "/api/v1/admin/demarches/demande_generale",
      admin,
      (third.body as Saved).demarche,
    );
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ changed: false, demarche: { version: 3 } });

    // Saving over a version one did not see is refused.
    const stale = await api("PUT", "/api/v1/admin/demarches/demande_generale", admin, {
      ...saved.demarche,
      label: "Écrasement",
      baseVersion: 2,
    });
    expect(stale.status).toBe(409);
    expect((stale.body as Errors).errors[0]?.message).toContain("modifiée entre-temps");
    expect(((await configDoc("demarche:demande_generale")).body as Demarche).version).toBe(3);
  });

  it("creates a new démarche at version 1, its sensitivity taken from its service", async () => {
    const created = await api("PUT", "/api/v1/admin/demarches/aide_energie", admin, {
      ...original,
      id: undefined,
      label: "Aide à l'énergie",
      category: "social",
      service: "ccas",
      sensitive: false,
      online: false,
      rule: { kind: "SVR", months: 2 },
      retentionDays: 90,
      fields: [{ key: "foyer", label: "Composition du foyer", kind: "textarea", required: true }],
      baseVersion: 0,
    });
    expect(created.status).toBe(201);
    expect((created.body as Saved).demarche).toMatchObject({
      id: "aide_energie",
      version: 1,
      sensitive: true,
    });
    const seen = await workstationDemarche("aide_energie", 1);
    expect(seen.service).toBe("ccas");
    const again = await api("PUT", "/api/v1/admin/demarches/aide_energie", admin, {
      ...(created.body as Saved).demarche,
      baseVersion: 0,
    });
    expect(again.status).toBe(409);
  });

  it("answers 403 in French to agents and supervisors, 401 without an account, and changes nothing", async () => {
    const before = (await configDoc("demarche:demande_generale")).body as { _rev: string };
    const target = await current("demande_generale");
    for (const user of [agent, supervisor]) {
      const list = await api("GET", "/api/v1/admin/demarches", user);
      expect(list.status).toBe(403);
      expect((list.body as Errors).errors[0]?.message).toBe(
        "Seuls les administrateurs gèrent le catalogue des démarches.",
      );
      const put = await api("PUT", "/api/v1/admin/demarches/demande_generale", user, {
        ...target,
        label: "Pris par un agent",
      });
      expect(put.status).toBe(403);
    }
    const anonymous = await api("PUT", "/api/v1/admin/demarches/demande_generale", null, target);
    expect(anonymous.status).toBe(401);
    expect((anonymous.body as Errors).errors[0]?.message).toBe("Identifiez-vous avec votre compte Guichet.");
    expect(((await configDoc("demarche:demande_generale")).body as { _rev: string })._rev).toBe(before._rev);
  });

  it("refuses invalid démarches with 422 and French messages on the fields at fault, changing nothing", async () => {
    const base = await current("demande_generale");
    const before = (await configDoc("demarche:demande_generale")).body as { _rev: string };
    const cases: { body: Record<string, unknown>; field: string; message: RegExp }[] = [
      {
        body: { ...base, service: "inexistant" },
        field: "service",
        message: /Service « inexistant » inconnu/,
      },
      { body: { ...base, label: "" }, field: "label", message: /^Ce champ est obligatoire\.$/ },
      { body: { ...base, label: undefined }, field: "label", message: /obligatoire/ },
      { body: { ...base, retentionDays: 0 }, field: "retentionDays", message: FRENCH },
      {
        body: { ...base, rule: { kind: "SVA" } },
        field: "rule.months",
        message: /délai de la décision implicite/,
      },
      {
        body: { ...base, rule: { kind: "SVR", months: 2, days: 10 } },
        field: "rule.days",
        message: /pas les deux/,
      },
      {
        body: { ...base, rule: { kind: "SVA", months: 30 } },
        field: "rule.months",
        message: FRENCH,
      },
      {
        body: { ...base, rule: { kind: "SVA", months: 2, onCorrection: "resume" } },
        field: "rule.onCorrection",
        message: /réception du dossier complet \(L114-5, al\. 3\)/,
      },
      {
        body: { ...base, rule: { kind: "SVR", months: 2, onCorrection: "restart" } },
        field: "rule.onCorrection",
        message: /suspendu pendant le délai imparti .*\(L114-5, al\. 4\)/,
      },
      {
        body: { ...base, fields: [...base.fields, { ...base.fields[0], label: "Encore" }] },
        field: `fields.${base.fields.length}.key`,
        message: /déjà utilisé/,
      },
      {
        body: { ...base, fields: [{ key: "Mauvais nom", label: "x", kind: "text", required: false }] },
        field: "fields.0.key",
        message: /^Nom technique invalide : une lettre minuscule/,
      },
      {
        body: { ...base, fields: [{ key: "choix", label: "Choix", kind: "select", required: true }] },
        field: "fields.0.options",
        message: /au moins une valeur/,
      },
      {
        body: { ...base, fields: [{ key: "x", label: "X", kind: "couleur", required: true }] },
        field: "fields.0.kind",
        message: FRENCH,
      },
      { body: { ...base, id: "autre_id" }, field: "id", message: /ne correspond pas/ },
    ];
    for (const c of cases) {
      const res = await api("PUT", "/api/v1/admin/demarches/demande_generale", admin, c.body);
      expect(res.status, JSON.stringify(c.body).slice(0, 200)).toBe(422);
      const errors = (res.body as Errors).errors;
      const hit = errors.find((e) => e.field === c.field);
      expect(hit, JSON.stringify(errors)).toBeDefined();
      expect(hit?.message).toMatch(c.message);
    }
    const badId = await api("PUT", "/api/v1/admin/demarches/Pas-Valide", admin, base);
    expect(badId.status).toBe(422);
    expect((badId.body as Errors).errors[0]?.field).toBe("id");
    const notJson = await fetch(`${server.url}/api/v1/admin/demarches/demande_generale`, {
      method: "PUT",
      headers: {
        authorization: `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString("base64")}`,
        "content-type": "application/json",
      },
      body: "{pas du json",
    });
    expect(notJson.status).toBe(400);
    expect(((await configDoc("demarche:demande_generale")).body as { _rev: string })._rev).toBe(before._rev);
    const listing = (await api("GET", "/api/v1/admin/demarches", admin)).body as Listing;
    expect(listing.demarches.find((d) => d.id === "demande_generale")?.version).toBe(base.version);
  });

  it("has CouchDB refuse direct writes to the -config database by an agent, and version-breaking ones by an admin", async () => {
    const url = (id: string) => `${tc.dbUrl("config")}/${encodeURIComponent(id)}`;
    const doc = (await configDoc("demarche:demande_generale")).body as Demarche & { _rev: string };
    const tampered = { ...doc, version: doc.version + 1, label: "Modifiée en direct" };
    for (const user of [agent, supervisor]) {
      const put = await call("PUT", url("demarche:demande_generale"), user, tampered);
      expect(put.status).toBe(403);
      expect(errorOf(put)).toEqual({
        error: "forbidden",
        reason: "Seuls les administrateurs modifient la configuration de la commune.",
      });
      const created = await call("PUT", url("demarche:piratee"), user, {
        ...tampered,
        _rev: undefined,
        _id: "demarche:piratee",
        id: "piratee",
      });
      expect(created.status).toBe(403);
      const removed = await call("DELETE", `${url("demarche:demande_generale")}?rev=${doc._rev}`, user);
      expect(removed.status).toBe(403);
      const archived = await call("DELETE", url("demarche-version:demande_generale@1"), user);
      expect([403, 409]).toContain(archived.status);
    }

    // An admin of another commune is not even a member here, nor is an account of an old install
    // that still holds the unqualified `guichet:admin` (no role is a database admin any more).
    const foreign = { name: `admin-ailleurs.${tc.commune}`, password: "ailleurs-123456" };
    const legacy = { name: `admin-ancien.${tc.commune}`, password: "ancien-1234567" };
    const other = `${tc.commune}-b`;
    for (const [user, roles] of [
      [foreign, [couchRole(other, "admin"), communeRole(other)]],
      [legacy, [localCouchRole("admin"), `guichet:commune:${other}`]],
    ] as const) {
      await tc.admin.use("_users").insert({
        _id: `org.couchdb.user:${user.name}`,
        type: "user",
        name: user.name,
        password: user.password,
        roles,
      } as never);
    }
    try {
      const put = await call("PUT", url("demarche:demande_generale"), foreign, tampered);
      expect(put.status).toBe(403);
      const old = await call("PUT", url("demarche:demande_generale"), legacy, tampered);
      // Not even a member (no role is a database admin): refused before the rules are asked.
      expect(old.status).toBe(403);
      for (const user of [foreign, legacy]) {
        const api = await call("GET", `${server.url}/api/v1/admin/demarches`, user);
        expect(api.status).toBe(403);
      }
    } finally {
      for (const user of [foreign, legacy]) {
        const doc = await tc.admin.use("_users").get(`org.couchdb.user:${user.name}`);
        await tc.admin.use("_users").destroy(doc._id, doc._rev);
      }
    }

    // Even an admin's raw writes keep versions intact: no going back, no rewriting history.
    const back = await call("PUT", url("demarche:demande_generale"), admin, { ...doc, version: 1 });
    expect(back.status).toBe(403);
    expect(errorOf(back).reason).toContain("version : doit augmenter");
    const archive = (await configDoc("demarche-version:demande_generale@1")).body as Demarche & {
      _rev: string;
    };
    const rewritten = await call("PUT", url("demarche-version:demande_generale@1"), admin, {
      ...archive,
      label: "Réécrite",
    });
    expect(rewritten.status).toBe(403);
    const deleted = await call(
      "DELETE",
      `${url("demarche-version:demande_generale@1")}?rev=${archive._rev}`,
      admin,
    );
    expect(deleted.status).toBe(403);
    const malformed = await call("PUT", url("demarche:demande_generale"), admin, {
      ...doc,
      version: doc.version + 1,
      retentionDays: "toujours",
    });
    expect(malformed.status).toBe(403);
    expect(errorOf(malformed).reason).toContain("retentionDays");

    const after = (await configDoc("demarche:demande_generale")).body as { _rev: string; label: string };
    expect(after._rev).toBe(doc._rev);
    expect(((await configDoc("demarche-version:demande_generale@1")).body as Demarche).label).toBe(
      original.label,
    );
  });
});
