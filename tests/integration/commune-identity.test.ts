import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDemarche } from "../../domain/catalogue";
import { type Commune, DEMO_COMMUNE, DEMO_LABEL } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { newEventId, withEvents } from "../../domain/history";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber, makeTrackingNumber } from "../../domain/tracking-number";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "../../sync-server/mail/smtp-sink";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { basicAuth, call, type Reply } from "./support/http";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor, waitForFew } from "./support/wait";

type Errors = { errors: { field: string; message: string }[] };
type Admin = { commune: Commune & { version: number }; gaps: string[]; history: { version: number }[] };

const IDENTITY = {
  name: "Mairie de Testville",
  address: "2 rue de l'Hôtel de Ville",
  postcode: "93100",
  town: "Montreuil",
  phone: "01 48 70 00 00",
  email: "accueil@testville.example",
  website: "https://www.testville.example",
  tribunal: "Tribunal administratif de Montreuil",
  tribunalAddress: "7 rue Catherine Puig, 93100 Montreuil",
  mediator: { name: "Médiateur de la ville de Testville" },
};

const about = (messages: ReceivedMail[], trackingNumber: string) =>
  messages.filter((m) => m.subject.includes(formatTrackingNumber(trackingNumber)));

describe("the commune's identity and agents, administered and printed on the emailed AR", () => {
  let tc: TestCouch;
  let sink: SmtpSink;
  let server: GuichetServer;
  let admin: TestUser;
  let supervisor: TestUser;
  let counter: TestUser;
  const clerk = { name: "", password: "Mot-de-passe-1" };

  const api = (method: string, path: string, user: TestUser | null, body?: unknown): Promise<Reply> =>
    call(method, `${server.url}${path}`, user, body);
  const configDoc = async (id: string) =>
    (await call("GET", `${tc.dbUrl("config")}/${encodeURIComponent(id)}`, admin)).body as Record<
      string,
      unknown
    >;
  /** The commune a workstation is handed, once the server's config follower has read the change. */
  async function workstationCommune(until: (c: Commune) => boolean): Promise<Commune> {
    let last: Commune | undefined;
    await waitFor(
      "configuration du poste",
      async () => {
        const res = await api("GET", "/api/v1/workstation/config", counter);
        last = (res.body as { commune: Commune }).commune;
        return until(last);
      },
      10_000,
    );
    return last as Commune;
  }
  const canLogIn = async (user: { name: string; password: string }) =>
    (await api("GET", "/api/v1/workstation/config", user)).status === 200;

  /** A counter request of the school-meal démarche (AR owed), assigned to `assignee`. */
  async function counterRequest(seq: number, email: string, assignee?: string): Promise<GuichetRequest> {
    const { request, res } = await putCounterRequest(seq, email, assignee);
    expect(res.status, await res.clone().text()).toBe(201);
    return request;
  }

  /** The same, written by the clerk as a workstation would (raw HTTP), the answer returned as is. */
  async function putCounterRequest(seq: number, email: string, assignee?: string, service = "scolaire") {
    const d = findDemarche(DEFAULT_CATALOGUE, "aide_restauration_scolaire");
    if (!d) throw new Error("démarche absente");
    const now = new Date().toISOString();
    const built = newRequest(
      {
        demarche: d.id,
        channel: "guichet",
        subject: d.label,
        fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
        citizen: { firstName: "Louis", lastName: "Guichet", email },
        attachments: [],
      },
      {
        commune: tc.commune,
        tracking: makeTrackingNumber("K7M", seq),
        demarche: d,
        policy: DEMO_COMMUNE.policy,
        by: clerk.name,
        workstation: "K7M",
        now,
      },
    );
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    const request = assignee
      ? withEvents(built.request, [
          {
            id: newEventId(now, "K7M"),
            at: now,
            by: clerk.name,
            workstation: "K7M",
            kind: "assigned",
            service,
            assignee,
          },
        ])
      : built.request;
    const res = await fetch(`${tc.dbUrl("main")}/${encodeURIComponent(request.id)}`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: basicAuth(clerk) },
      body: JSON.stringify(request),
    });
    return { request, res };
  }

  beforeAll(async () => {
    tc = await startTestCouch();
    sink = await startSmtpSink();
    const sa = tc.bootstrapped.serviceAccounts;
    server = await startGuichetServer({
      couch: tc.couch,
      commune: tc.commune,
      port: 0,
      jobs: false,
      log: () => undefined,
      smtpUrl: sink.url,
      mail: { retryBaseMs: 200, leaseMs: 5_000 },
      env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    });
    admin = await tc.createUser("admin", ["admin"]);
    supervisor = await tc.createUser("chef", ["supervisor"]);
    counter = await tc.createUser("accueil", ["agent"]);
    clerk.name = `claire.dupont.${tc.commune}`;
  });

  afterAll(async () => {
    await server?.stop();
    await sink?.stop();
    // The account made through the API is this commune's too: removed with it on a shared CouchDB.
    const users = tc?.admin.use<{ _rev: string }>("_users");
    const doc = await users?.get(`org.couchdb.user:${clerk.name}`).catch(() => undefined);
    if (doc) await users?.destroy(doc._id, doc._rev);
    await tc?.stop();
  });

  it("refuses every administration call to non-admins, on the server (raw HTTP)", async () => {
    for (const user of [null, counter, supervisor]) {
      for (const [method, path, body] of [
        ["GET", "/api/v1/admin/commune", undefined],
        ["PUT", "/api/v1/admin/commune", IDENTITY],
        ["PUT", "/api/v1/admin/services/accueil", { phone: "01 00 00 00 99" }],
        ["GET", "/api/v1/admin/agents", undefined],
        ["POST", "/api/v1/admin/agents", { username: "intrus", password: "12345678" }],
        ["POST", `/api/v1/admin/agents/${counter.name}/password`, { password: "12345678" }],
      ] as const) {
        const res = await api(method, path, user, body);
        expect(res.status, `${method} ${path} as ${user?.name ?? "anonymous"}`).toBe(user ? 403 : 401);
      }
    }
    const forbidden = await api("GET", "/api/v1/admin/commune", supervisor);
    expect((forbidden.body as Errors).errors[0]?.message).toBe(
      "Seuls les administrateurs gèrent l'identité, les services et le calendrier de la commune.",
    );
    // Straight to CouchDB: the -config database's rules refuse a supervisor too.
    const stored = await configDoc("commune");
    const direct = await call("PUT", `${tc.dbUrl("config")}/commune`, supervisor, {
      ...stored,
      name: "Mairie pirate",
    });
    expect(direct.status).toBe(403);
    expect((await configDoc("commune")).name).toBe(DEMO_COMMUNE.name);
  });

  it("creates an agent with an account and a card, and manages their roles, access and password", async () => {
    const created = await api("POST", "/api/v1/admin/agents", admin, {
      username: clerk.name,
      firstName: "Claire",
      lastName: "Dupont",
      position: "agente d'accueil",
      roles: ["agent", "service_agent"],
      services: ["scolaire"],
      password: clerk.password,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor("le nouveau compte entre", () => canLogIn(clerk), 15_000);
    const listed = (await api("GET", "/api/v1/admin/agents", admin)).body as {
      agents: { username: string; firstName: string }[];
    };
    expect(listed.agents.map((a) => a.username)).toContain(clerk.name);

    // Another account on the server (not in this directory) is never taken over.
    const takeover = await api("POST", "/api/v1/admin/agents", admin, {
      username: counter.name,
      firstName: "X",
      lastName: "Y",
      position: "Z",
      roles: ["admin"],
      services: [],
      password: "un-autre-mot-de-passe",
    });
    expect(takeover.status).toBe(409);
    expect(await canLogIn(counter)).toBe(true);
    expect((await api("PUT", `/api/v1/admin/agents/${counter.name}`, admin, { disabled: true })).status).toBe(
      404,
    );

    // French refusals: a short password, an unknown service, an admin locking themself out.
    const short = await api("POST", "/api/v1/admin/agents", admin, {
      username: `court.${tc.commune}`,
      firstName: "A",
      lastName: "B",
      position: "C",
      roles: ["agent"],
      services: [],
      password: "court",
    });
    expect(short.status).toBe(422);
    expect((short.body as Errors).errors[0]?.message).toBe(
      "Mot de passe trop court : 12 caractères au minimum.",
    );
    const unknownService = await api("PUT", `/api/v1/admin/agents/${clerk.name}`, admin, {
      services: ["inexistant"],
    });
    expect(unknownService.status).toBe(422);

    // Disabled: no door opens any more; enabled again only with a new password.
    const disabled = await api("PUT", `/api/v1/admin/agents/${clerk.name}`, admin, { disabled: true });
    expect(disabled.status).toBe(200);
    // A cluster node learns of the change from the _users feed, a moment after the write.
    await waitFor("le compte désactivé est refusé", async () => !(await canLogIn(clerk)), 15_000);
    await waitFor(
      "la base refuse le compte désactivé",
      async () => (await call("GET", `${tc.dbUrl("main")}/_all_docs`, clerk)).status >= 401,
      15_000,
    );
    const back = await api("PUT", `/api/v1/admin/agents/${clerk.name}`, admin, { disabled: false });
    expect(back.status).toBe(409);
    clerk.password = "Nouveau-mot-de-passe-2";
    const beforeReset = new Date().toISOString();
    const reset = await api("POST", `/api/v1/admin/agents/${clerk.name}/password`, admin, {
      password: clerk.password,
    });
    expect(reset.status, JSON.stringify(reset.body)).toBe(200);
    // Few tries: each refusal while a node still knows the old password counts towards CouchDB's
    // lockout (5), and the two refusals above already count.
    await waitForFew("le compte réactivé entre", () => canLogIn(clerk), [300, 2_000, 12_000]);

    // The directory travels with the configuration, to every workstation.
    const commune = await workstationCommune(
      (c) => !!c.agents?.some((a) => a.username === clerk.name && !a.disabled),
    );
    expect(commune.agents?.find((a) => a.username === clerk.name)).toMatchObject({
      firstName: "Claire",
      lastName: "Dupont",
      position: "agente d'accueil",
    });
    // passwordSetAt: a workstation drops its offline hash of an older password.
    expect((commune.agents?.find((a) => a.username === clerk.name)?.passwordSetAt ?? "") >= beforeReset).toBe(
      true,
    );
    expect(Object.keys(commune.agents?.[0] ?? {}).sort()).toEqual(
      ["firstName", "lastName", "position", "roles", "services", "username", "passwordSetAt"].sort(),
    );
  });

  it("refuses on the server an assignment to someone outside the directory or outside the service (raw HTTP)", async () => {
    // On a cluster a node validates with its cached copy of the rules, refreshed a moment after
    // the directory changed (previous test): the refusal must come, within a few tries.
    let seq = 30;
    const unknown = await waitFor(
      "la règle de l'annuaire en vigueur sur le nœud",
      async () => {
        const n = seq++;
        const r = await putCounterRequest(n, `a${n}@example.org`, "mdurand");
        return r.res.status === 403 ? r : null;
      },
      15_000,
    );
    expect(unknown.res.status).toBe(403);
    expect(((await unknown.res.json()) as { reason: string }).reason).toMatch(
      /l'agent « mdurand » n'est pas dans l'annuaire des agents de la commune/,
    );
    // Claire works for the school service only.
    const elsewhere = await putCounterRequest(21, "b@example.org", clerk.name, "etat_civil");
    expect(elsewhere.res.status).toBe(403);
    expect(((await elsewhere.res.json()) as { reason: string }).reason).toContain(
      `l'agent « ${clerk.name} » ne fait pas partie du service « etat_civil »`,
    );
    // A service without a named agent, and Claire in her own service, go through.
    expect((await putCounterRequest(22, "c@example.org", "", "etat_civil")).res.status).toBe(201);
    expect((await putCounterRequest(23, "d@example.org", clerk.name)).res.status).toBe(201);
  });

  it("labels the demo commune's emailed AR as worthless", async () => {
    const r = await counterRequest(1, "demo@example.org");
    await waitFor("AR démo", () => about(sink.messages(), r.id).length >= 1, 20_000);
    const [ar] = about(sink.messages(), r.id);
    expect(ar?.text).toContain(DEMO_LABEL);
    expect(ar?.html).toContain(DEMO_LABEL);
    expect(ar?.subject).toContain(DEMO_LABEL);
  });

  it("versions the identity an admin saves, keeps the old one in history, and hands it to workstations", async () => {
    const before = (await api("GET", "/api/v1/admin/commune", admin)).body as Admin;
    expect(before.commune.demo).toBe(true);
    expect(before.commune.version).toBe(1);

    const invalid = await api("PUT", "/api/v1/admin/commune", admin, { ...IDENTITY, postcode: "931" });
    expect(invalid.status).toBe(422);
    expect((invalid.body as Errors).errors).toContainEqual({
      field: "postcode",
      message: "Code postal : 5 chiffres.",
    });

    const saved = await api("PUT", "/api/v1/admin/commune", admin, { ...IDENTITY, baseVersion: 1 });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    const after = (await api("GET", "/api/v1/admin/commune", admin)).body as Admin;
    expect(after.commune).toMatchObject({ ...IDENTITY, version: 2, updatedBy: admin.name });
    expect(after.commune.demo).toBeUndefined();
    expect(after.gaps).toEqual([]);
    expect(after.history.map((h) => h.version)).toEqual([1]);
    // The replaced identity is kept as it was, and never changes again.
    const past = await configDoc("history:commune@1");
    expect((past.content as Commune).name).toBe(DEMO_COMMUNE.name);
    const rewrite = await call("PUT", `${tc.dbUrl("config")}/history:commune@1`, admin, {
      ...past,
      content: { ...(past.content as object), name: "Réécrit" },
    });
    expect(rewrite.status).toBe(403);

    const stale = await api("PUT", "/api/v1/admin/commune", admin, {
      ...IDENTITY,
      phone: "01",
      baseVersion: 1,
    });
    expect(stale.status).toBe(409);
    expect((stale.body as Errors).errors[0]?.message).toContain("modifiée entre-temps (version 2)");

    const commune = await workstationCommune((c) => c.name === IDENTITY.name);
    expect(commune).toMatchObject({ postcode: "93100", tribunalAddress: IDENTITY.tribunalAddress });
  });

  it("changes a service's contact details and the calendar, versioned", async () => {
    const service = await api("PUT", "/api/v1/admin/services/scolaire", admin, {
      address: "Mairie annexe, 4 rue des Écoles",
      postcode: "93100",
      town: "Montreuil",
      hours: "lundi-vendredi 8 h 30-12 h",
      sensitive: true,
    });
    expect(service.status, JSON.stringify(service.body)).toBe(200);
    expect((service.body as { service: { version: number; sensitive: boolean } }).service).toMatchObject({
      version: 2,
      sensitive: false,
    });
    expect(await configDoc("history:service:scolaire@1")).toMatchObject({ of: "service:scolaire" });

    const calendar = await api("PUT", "/api/v1/admin/commune", admin, {
      policy: {
        shiftToWorkingDay: true,
        startFrom: "received",
        calendar: { region: "alsace-moselle", extraClosedDays: ["2026-12-24"] },
      },
    });
    expect(calendar.status, JSON.stringify(calendar.body)).toBe(200);
    const commune = await workstationCommune((c) => c.policy.calendar.region === "alsace-moselle");
    expect(commune.policy).toMatchObject({ shiftToWorkingDay: true });
    expect(commune.name).toBe(IDENTITY.name);
  });

  it("emails an AR with the commune's real identity and the agent in charge (L111-2)", async () => {
    const r = await counterRequest(2, "reel@example.org", clerk.name);
    await waitFor("AR réel", () => about(sink.messages(), r.id).length >= 1, 20_000);
    const [ar] = about(sink.messages(), r.id);
    for (const mention of [
      "Mairie de Testville",
      "2 rue de l'Hôtel de Ville, 93100 Montreuil",
      "Téléphone : 01 48 70 00 00 – Courriel : accueil@testville.example",
      "recours contentieux devant le Tribunal administratif de Montreuil, 7 rue Catherine Puig, 93100 Montreuil",
      "Dossier suivi par : Claire Dupont, agente d'accueil",
      "Votre dossier est suivi par Claire Dupont, agente d'accueil, Service Enfance et scolaire, Mairie annexe, 4 rue des Écoles, 93100 Montreuil.",
    ]) {
      expect(ar?.text).toContain(mention);
    }
    expect(ar?.text).not.toContain(DEMO_LABEL);
    expect(ar?.text).not.toContain("Saint-Exemple");
    expect(ar?.html).toContain("Claire Dupont, agente d&#39;accueil");
  });

  it("names the service when no agent is assigned yet", async () => {
    const r = await counterRequest(3, "service@example.org");
    await waitFor("AR service", () => about(sink.messages(), r.id).length >= 1, 20_000);
    expect(about(sink.messages(), r.id)[0]?.text).toContain(
      "Dossier suivi par : Service Enfance et scolaire (aucun agent désigné à ce jour)",
    );
  });

  it("blocks the AR of a commune whose identity is incomplete, saying what to fill in and where", async () => {
    const emptied = await api("PUT", "/api/v1/admin/commune", admin, { postcode: "", tribunalAddress: "" });
    expect(emptied.status).toBe(200);
    expect((emptied.body as { gaps: string[] }).gaps).toEqual([
      "code postal",
      "adresse du tribunal administratif",
    ]);
    await workstationCommune((c) => c.postcode === undefined);

    const r = await counterRequest(4, "bloque@example.org", clerk.name);
    const claim = async () =>
      (await tc.admin
        .use(serverDatabaseName(tc.commune))
        .get(`outbox:${r.id}:ar`)
        .catch(() => null)) as unknown as { state: string; lastError?: string } | null;
    await waitFor("AR bloqué", async () => (await claim())?.state === "blocked", 20_000);
    expect((await claim())?.lastError).toBe(
      "Mentions obligatoires manquantes : Identité de la commune incomplète (code postal, adresse du tribunal administratif) : aucun document officiel ne peut être établi tant qu'un administrateur de la commune la complète dans l'application du guichet, écran « Administration › Commune » (#/admin/commune).",
    );
    expect(about(sink.messages(), r.id)).toHaveLength(0);
  });
});
