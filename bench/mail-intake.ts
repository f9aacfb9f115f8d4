/**
 * `npm run bench:mail`: the email door files 1,000 mails from a real IMAP server (dovecot, as in
 * the tests; one in ten with a PDF), beside the raw IMAP fetch of the same mails (list + bodies,
 * same batches, nothing else). Writes docs/bench/mail-intake.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ImapFlow } from "imapflow";
import MailComposer from "nodemailer/lib/mail-composer";
import { imapMailbox } from "../sync-server/mail-intake/imap-mailbox";
import { startGuichetServer } from "../sync-server/server";
import { startTestCouch } from "../tests/integration/support/test-couch";
import { waitFor } from "../tests/integration/support/wait";
import { startImapServer } from "../tests/support/imap-server";
import { machineLine } from "./machine";

const N = Number(process.env.BENCH_MAIL_COUNT ?? 1000);
const BATCH = 50;
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(40_000, 0x20), Buffer.from("\n%%EOF\n")]);

async function fill(url: string, count: number): Promise<number> {
  const u = new URL(url);
  const c = new ImapFlow({
    host: u.hostname,
    port: Number(u.port),
    secure: false,
    auth: { user: u.username, pass: u.password },
    logger: false,
  });
  await c.connect();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const raw = await new MailComposer({
      from: { name: `Habitant ${i}`, address: `habitant${i}@citoyen.test` },
      to: "mairie@ville.test",
      subject: `Demande ${i} : éclairage public`,
      text: `Bonjour,\nle lampadaire n° ${i} ne fonctionne plus.\nCordialement.`,
      messageId: `<bench-${i}-${Date.now()}@citoyen.test>`,
      ...(i % 10 === 0 ? { attachments: [{ filename: `plan-${i}.pdf`, content: PDF }] } : {}),
    })
      .compile()
      .build();
    bytes += raw.length;
    await c.append("INBOX", raw);
  }
  await c.logout();
  return bytes;
}

/** The floor: what any intake must do over IMAP (list, fetch every body in batches), and nothing else. */
async function rawFetch(url: string): Promise<number> {
  const t0 = performance.now();
  const s = await imapMailbox(url).open();
  const entries = await s.list(1_000_000);
  for (let i = 0; i < entries.length; i += BATCH)
    await s.sources(entries.slice(i, i + BATCH).map((e) => e.uid));
  await s.close();
  if (entries.length !== N) throw new Error(`raw fetch saw ${entries.length} mails`);
  return performance.now() - t0;
}

async function main() {
  const tc = await startTestCouch();
  const imap = await startImapServer();
  const sa = tc.bootstrapped.serviceAccounts;
  const server = await startGuichetServer({
    couch: tc.couch,
    commune: tc.commune,
    port: 0,
    jobs: false,
    log: () => undefined,
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    mailIntake: { imapUrl: imap.url, address: "mairie@ville.test", pollMs: null },
  });
  try {
    const bytes = await fill(imap.url, N);
    const load = os.loadavg()[0]?.toFixed(1) ?? "?";
    const raw = await rawFetch(imap.url);
    const t0 = performance.now();
    const report = await server.mailDoor?.intake.runOnce();
    const intake = performance.now() - t0;
    if (report?.stored !== N) throw new Error(`intake: ${JSON.stringify(report)}`);
    await waitFor("accusés d'enregistrement", () => server.smtp.messages().length >= N, 300_000);
    const acks = performance.now() - t0;
    const rows = [
      ["lecture IMAP brute (liste + corps, lots de 50)", raw],
      ["porte courriel : demande enregistrée et courriel classé", intake],
      ["… jusqu'au dernier accusé d'enregistrement reçu par le serveur SMTP", acks],
    ] as const;
    const md = [
      `### Porte courriel (${N} courriels depuis dovecot, 1 sur 10 avec un PDF de 40 Ko)`,
      "",
      `${machineLine(`serveur : ${tc.kind === "couchdb" ? "CouchDB 3" : "PouchDB Server embarqué"}, charge ${load}`)} — ${(bytes / 2 ** 20).toFixed(1)} Mio de courriels.`,
      "",
      "| étape | total (s) | par courriel (ms) | / lecture brute |",
      "| --- | ---: | ---: | ---: |",
      ...rows.map(
        ([label, ms]) =>
          `| ${label} | ${(ms / 1000).toFixed(1)} | ${(ms / N).toFixed(1)} | ${(ms / raw).toFixed(1)}× |`,
      ),
      "",
      "Par courriel, la porte lit l'enregistrement du Message-ID, analyse le message (mailparser), réserve le numéro dans cet enregistrement, écrit la demande et les pièces jointes, marque l'enregistrement, puis déplace les courriels par lots (MOVE) ; l'accusé d'enregistrement part par la boîte d'envoi (exactement une fois).",
      "",
    ].join("\n");
    const dir = path.resolve("docs/bench");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "mail-intake.md"), md);
    console.log(md);
  } finally {
    await server.stop();
    await imap.stop();
    await tc.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
