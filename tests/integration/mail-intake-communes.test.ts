import { randomBytes } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_COMMUNE } from "../../domain/commune";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { deleteCommune } from "../../sync-server/communes/delete-commune";
import { REGISTRY_DB, registerCommune } from "../../sync-server/communes/registry";
import { bootstrap } from "../../sync-server/couch/bootstrap";
import { databaseNames } from "../../sync-server/couch/database-names";
import { randomPassword } from "../../sync-server/couch/secrets";
import { addUser } from "../../sync-server/couch/users";
import { DEFAULT_FOLDERS } from "../../sync-server/mail-intake/intake-job";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { type ImapTestServer, startImapServer } from "../support/imap-server";
import { call } from "./support/http";
import { startTestCouch, type TestCouch } from "./support/test-couch";
import { waitFor } from "./support/wait";

// One Guichet process, three communes: A (the default, GUICHET_IMAP_URL-style options), B and C
// (registry communes, each with its own mailbox in the registry). One dovecot, one user per mailbox.

type Doc = GuichetRequest & { _id: string };

describe("email door: one mailbox per commune of the registry (real dovecot, two mailboxes)", () => {
  let t: TestCouch;
  let imap: ImapTestServer;
  let server: GuichetServer;
  let A: string;
  let B: string;
  let C: string;

  beforeAll(async () => {
    t = await startTestCouch();
    imap = await startImapServer({ users: ["mairie-b", "mairie-c", "mairie-c2"] });
    A = t.commune;
    B = `${A}-b`;
    C = `${A}-c`;
    await bootstrap(t.couch, { ...DEMO_COMMUNE, id: B, name: "Mairie de Bé", email: "accueil@be.test" });
    await bootstrap(t.couch, { ...DEMO_COMMUNE, id: C, name: "Mairie de Cé", email: "accueil@ce.test" });
    await registerCommune(t.couch, B, {
      mailbox: { imapUrl: imap.urlOf("mairie-b"), address: "mairie@be.test" },
    });
    await registerCommune(t.couch, C, {
      mailbox: { imapUrl: imap.urlOf("mairie-c"), address: "mairie@ce.test" },
    });
    const sa = t.bootstrapped.serviceAccounts;
    server = await startGuichetServer({
      couch: t.couch,
      commune: A,
      port: 0,
      jobs: false,
      log: () => undefined,
      mail: { retryBaseMs: 200, leaseMs: 5_000 },
      env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
      // The default commune's mailbox; registry communes read theirs (a short poll for the test).
      mailIntake: { imapUrl: imap.url, address: "mairie@a.test", pollMs: 300 },
    });
    await server.communes.reload();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    for (const id of [B, C]) if (id) await deleteCommune(t.couch, id).catch(() => undefined);
    await imap?.stop();
    await t?.stop();
  });

  const mail = (from: string, subject: string) =>
    new MailComposer({
      from,
      to: "mairie@example.test",
      subject,
      text: `${subject}.`,
      messageId: `<${randomBytes(6).toString("hex")}@citoyen.test>`,
    })
      .compile()
      .build();
  const filed = async (commune: string, subject: string): Promise<Doc[]> =>
    (
      await t.admin
        .use(databaseNames(commune).main)
        .find({ selector: { channel: "courriel", subject }, limit: 10 })
    ).docs as unknown as Doc[];

  it("reads each commune's mailbox into that commune only, with its own reply address", async () => {
    expect(server.communes.ids()).toEqual(expect.arrayContaining([A, B, C]));
    await imap.append(await mail("louise@citoyen.test", "Pour Bé"), { user: "mairie-b" });
    await imap.append(await mail("jules@citoyen.test", "Pour Cé"), { user: "mairie-c" });
    await imap.append(await mail("anna@citoyen.test", "Pour A"));

    const [b] = await waitFor("courriel de Bé", async () => {
      const d = await filed(B, "Pour Bé");
      return d.length > 0 && d;
    });
    await waitFor("courriel de Cé", async () => (await filed(C, "Pour Cé")).length > 0);
    await waitFor("courriel de A", async () => (await filed(A, "Pour A")).length > 0);
    // Exactly once, and nowhere else.
    for (const [commune, subject] of [
      [B, "Pour Bé"],
      [C, "Pour Cé"],
      [A, "Pour A"],
    ] as const) {
      expect(await filed(commune, subject)).toHaveLength(1);
      for (const other of [A, B, C].filter((x) => x !== commune))
        expect(await filed(other, subject)).toHaveLength(0);
    }
    expect(b).toMatchObject({ commune: B, citizen: { email: "louise@citoyen.test" } });
    await waitFor("boîte de Bé vidée", async () => (await imap.count("INBOX", "mairie-b")) === 0);
    expect(await imap.count(DEFAULT_FOLDERS.done, "mairie-b")).toBe(1);
    expect(await imap.count(DEFAULT_FOLDERS.done, "mairie-c")).toBe(1);

    // Bé's accusé d'enregistrement: Bé's reply address names the request.
    const ack = await waitFor("accusé de Bé", () =>
      // Numbers are per commune (A's door may have given the same one): match the citizen too.
      server.smtp
        .messages()
        .find(
          (m) =>
            m.to.includes("louise@citoyen.test") && m.subject.includes(formatTrackingNumber(b?.id as string)),
        ),
    );
    expect(ack.subject).toContain("Mairie de Bé");
    expect(ack.headers["reply-to"]).toContain(`mairie+${b?.id}@be.test`);
  });

  it("takes a changed mailbox into account without a restart", async () => {
    await registerCommune(t.couch, C, {
      mailbox: { imapUrl: imap.urlOf("mairie-c2"), address: "mairie@ce.test" },
    });
    await server.communes.reload();
    await imap.append(await mail("paul@citoyen.test", "Nouvelle boîte de Cé"), { user: "mairie-c2" });
    await waitFor(
      "courriel de la nouvelle boîte",
      async () => (await filed(C, "Nouvelle boîte de Cé")).length > 0,
    );
    expect(await filed(B, "Nouvelle boîte de Cé")).toHaveLength(0);
  });

  it("keeps the IMAP passwords of the registry from the communes' own accounts", async () => {
    const agent = { name: `agent.${B}`, password: randomPassword() };
    await addUser(t.couch, { ...agent, roles: ["admin", "supervisor"], commune: B });
    for (const path of [`${REGISTRY_DB}/commune:${B}`, `${REGISTRY_DB}/_all_docs?include_docs=true`]) {
      const res = await call("GET", `${t.couch.url}/${path}`, agent);
      expect([401, 403]).toContain(res.status);
      expect(JSON.stringify(res.body)).not.toContain("imap");
    }
  });
});
