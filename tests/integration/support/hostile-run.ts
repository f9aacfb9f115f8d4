import { request as httpRequest } from "node:http";
import fc from "fast-check";
import { requestSchema } from "../../../domain/request";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "../../../sync-server/mail/smtp-sink";
import { type GuichetServer, startGuichetServer } from "../../../sync-server/server";
import { seededRandom } from "../../support/link-proxy";
import {
  apiCase,
  type DocRecipe,
  docFromRecipe,
  docJson,
  docRecipeFor,
  formCase,
  type HttpCase,
  open311Case,
  type Target,
} from "./hostile-cases";
import { basicAuth } from "./http";
import { startTestCouch, type TestCouch, type TestUser } from "./test-couch";

/**
 * Runs the hostile cases of hostile-cases.ts against a real Guichet server (its own SMTP sink)
 * and checks what must hold whatever was sent: no 5xx, no unanswered call, nothing invalid
 * stored, no mail header written by a citizen.
 */
export type HostileEnv = {
  tc: TestCouch;
  server: GuichetServer;
  sink: SmtpSink;
  agent: TestUser;
  /** What the server logged (it logs every 5xx and every background failure). */
  logs: string[];
  stop(): Promise<void>;
};

export async function startHostileEnv(): Promise<HostileEnv> {
  const tc = await startTestCouch();
  const sink = await startSmtpSink();
  const logs: string[] = [];
  const sa = tc.bootstrapped.serviceAccounts;
  const server = await startGuichetServer({
    couch: tc.couch,
    commune: tc.commune,
    port: 0,
    jobs: false,
    smtpUrl: sink.url,
    rendererDir: "/nonexistent",
    log: (m) => {
      if (!m.startsWith("[bootstrap]")) logs.push(m);
    },
    limits: { submitPerMinute: null, followUpPerMinute: 1_000_000_000 },
    followUpMinDelayMs: 0,
    mail: { retryBaseMs: 200, leaseMs: 5_000 },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
  });
  const agent = await tc.createUser("hostile-agent", ["agent"]);
  return {
    tc,
    server,
    sink,
    agent,
    logs,
    async stop() {
      await server.stop();
      await sink.stop();
      await tc.stop();
    },
  };
}

export type Tally = {
  target: Target;
  cases: number;
  /** Cases per answer class: "2xx", "3xx", "4xx", "5xx", "sans réponse". */
  classes: Record<string, number>;
  statuses: Record<string, number>;
  /** Per family of case: how many, and how they were answered. */
  labels: Record<string, Record<string, number>>;
  /** The failing cases, described (at most 20). */
  failures: string[];
  failureCount: number;
  /** What the server logged while this target ran (5xx, background failures). */
  serverLogs: string[];
  durationMs: number;
};

const classOf = (status: number) => `${Math.floor(status / 100)}xx`;

function describeCase(c: HttpCase, detail: string): string {
  const body = c.body ? c.body() : Buffer.alloc(0);
  const shown =
    body.length > 400
      ? `${body.subarray(0, 400).toString("utf8")}… (${body.length} octets)`
      : body.toString("utf8");
  return `[${c.target} · ${c.label}] ${c.method} ${c.path.slice(0, 300)} ${JSON.stringify(c.headers)} ${JSON.stringify(shown)} → ${detail}`;
}

/**
 * A body sent in 64 KiB chunks with no Content-Length (chunked). The server may answer 413 and
 * close while the body is still coming: the answer counts, as a browser would show it (fetch
 * reports the broken upload instead).
 */
function streamed(url: string, c: HttpCase, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    let answered: number | null = null;
    const req = httpRequest(url, { method: c.method, headers: c.headers }, (res) => {
      answered = res.statusCode ?? 0;
      res.resume();
      res.on("end", () => resolve(answered ?? 0));
      res.on("error", () => resolve(answered ?? 0));
    });
    req.on("error", (e) => {
      // Written after the server's answer and close: the answer stands.
      setTimeout(() => (answered !== null ? resolve(answered) : reject(e)), 200);
    });
    let at = 0;
    const pump = () => {
      while (at < body.length && answered === null) {
        const chunk = body.subarray(at, at + 65_536);
        at += chunk.length;
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** Runs `items` through `fn`, `concurrency` at a time (concurrent submissions share a _bulk_docs batch). */
async function pool<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

function newTally(target: Target): Tally {
  return {
    target,
    cases: 0,
    classes: {},
    statuses: {},
    labels: {},
    failures: [],
    failureCount: 0,
    serverLogs: [],
    durationMs: 0,
  };
}

function count(t: Tally, label: string, cls: string, status: string, n = 1) {
  t.cases += n;
  t.classes[cls] = (t.classes[cls] ?? 0) + n;
  t.statuses[status] = (t.statuses[status] ?? 0) + n;
  const l = t.labels[label] ?? {};
  t.labels[label] = l;
  l.cases = (l.cases ?? 0) + n;
  l[cls] = (l[cls] ?? 0) + n;
}

function fail(t: Tally, what: string, n = 1) {
  t.failureCount += n;
  if (t.failures.length < 20) t.failures.push(what);
}

/** `runs` cases of one target, from `seed`; every case answered, none with a 5xx. */
export async function runTarget(
  env: HostileEnv,
  target: Target,
  runs: number,
  seed: number,
  concurrency = 8,
): Promise<Tally> {
  const started = Date.now();
  const logged = env.logs.length;
  const tally = newTally(target);
  if (target === "direct") await runDirect(env, runs, seed, concurrency, tally);
  else {
    const arb = target === "api" ? apiCase : target === "form" ? formCase : open311Case;
    const cases = fc.sample(arb, { numRuns: runs, seed });
    await pool(cases, concurrency, async (c) => {
      let status: number;
      try {
        const body = c.body?.();
        if (c.stream && body) status = await streamed(`${env.server.url}${c.path}`, c, body);
        else {
          const res = await fetch(`${env.server.url}${c.path}`, {
            method: c.method,
            headers: c.headers,
            redirect: "manual",
            ...(body && c.method !== "GET" && c.method !== "HEAD" ? { body: new Uint8Array(body) } : {}),
          });
          await res.arrayBuffer();
          status = res.status;
        }
      } catch (e) {
        count(tally, c.label, "sans réponse", "sans réponse");
        fail(
          tally,
          describeCase(
            c,
            `pas de réponse : ${(e as Error).message} ${(e as { cause?: Error }).cause?.message ?? ""}`,
          ),
        );
        return;
      }
      count(tally, c.label, classOf(status), String(status));
      if (status >= 500) fail(tally, describeCase(c, String(status)));
    });
  }
  tally.durationMs = Date.now() - started;
  tally.serverLogs = env.logs.slice(logged);
  return tally;
}

/** Direct writes: each document is a case; sent alone or in `_bulk_docs` batches of up to 25. */
async function runDirect(env: HostileEnv, runs: number, seed: number, concurrency: number, tally: Tally) {
  const recipes = fc.sample(docRecipeFor(env.tc.kind), { numRuns: runs, seed });
  const random = seededRandom(seed);
  const calls: DocRecipe[][] = [];
  for (let i = 0; i < recipes.length; ) {
    const size = random() < 0.3 ? 1 : 1 + Math.floor(random() * 25);
    calls.push(recipes.slice(i, i + size));
    i += size;
  }
  const dbUrl = env.tc.dbUrl("main");
  const auth = basicAuth(env.agent);
  await pool(calls, Math.min(concurrency, 4), async (batch) => {
    const docs = batch.map((r) => docFromRecipe(r, env.tc.commune, env.agent.name));
    const label = (r: DocRecipe) => `écriture directe (${r.kind})`;
    const single = docs.length === 1;
    let status: number;
    let body: unknown;
    try {
      const res = await fetch(single ? dbUrl : `${dbUrl}/_bulk_docs`, {
        method: "POST",
        headers: { authorization: auth, "content-type": "application/json", accept: "application/json" },
        body: single
          ? docJson(batch[0]!, docs[0]!)
          : `{"docs":[${batch.map((r, i) => docJson(r, docs[i]!)).join(",")}]}`,
      });
      status = res.status;
      const text = await res.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    } catch (e) {
      for (const r of batch) count(tally, label(r), "sans réponse", "sans réponse");
      fail(
        tally,
        `[direct] ${docs.length} documents : pas de réponse : ${(e as Error).message}`,
        batch.length,
      );
      return;
    }
    if (status >= 500) {
      for (const r of batch) count(tally, label(r), "5xx", String(status));
      fail(
        tally,
        `[direct] ${status} ${JSON.stringify(body).slice(0, 300)} pour ${JSON.stringify(batch).slice(0, 600)}`,
        batch.length,
      );
      return;
    }
    if (!single && Array.isArray(body)) {
      // Per-document outcome: a row with a revision is stored, a row with an error is refused.
      const rows = body as { id?: string; rev?: string; error?: string }[];
      const byId = new Map(rows.map((r) => [r.id, r]));
      batch.forEach((r, i) => {
        const row = byId.get(String(docs[i]?._id)) ?? rows[i];
        const ok = !!row?.rev && !row.error;
        count(tally, label(r), ok ? "2xx" : "4xx", ok ? "201 (ligne)" : `refus (${row?.error ?? "?"})`);
      });
      return;
    }
    for (const r of batch) count(tally, label(r), classOf(status), String(status));
  });
}

/** Every request document stored in the commune's request databases. */
export async function storedRequests(
  env: HostileEnv,
): Promise<(Record<string, unknown> & { _id: string })[]> {
  const names = [env.tc.dbName("main"), ...Object.values(env.tc.bootstrapped.databases.sensitive)];
  const out: (Record<string, unknown> & { _id: string })[] = [];
  for (const name of names) {
    const all = await env.tc.admin.use(name).list({ include_docs: true });
    for (const r of all.rows)
      if (!r.id.startsWith("_design/"))
        out.push(r.doc as unknown as Record<string, unknown> & { _id: string });
  }
  return out;
}

/** Stored documents the domain's own schema refuses (or whose `_id` is not their `id`), with why. */
export function invalidDocuments(docs: (Record<string, unknown> & { _id: string })[]): string[] {
  const out: string[] = [];
  for (const d of docs) {
    const { _id, _rev, ...rest } = d;
    const parsed = requestSchema.safeParse(rest);
    if (_id !== rest.id || !parsed.success)
      out.push(
        `${JSON.stringify(_id)}: ${parsed.success ? "_id ≠ id" : JSON.stringify(parsed.error.issues).slice(0, 300)}`,
      );
  }
  return out;
}

/** Waits until the mailer has gone quiet: no new message for `quietMs`. */
export async function mailsSettled(
  env: HostileEnv,
  quietMs = 3_000,
  maxMs = 180_000,
): Promise<ReceivedMail[]> {
  const end = Date.now() + maxMs;
  let last = -1;
  let since = Date.now();
  while (Date.now() < end) {
    const n = env.sink.messages().length;
    if (n !== last) {
      last = n;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return env.sink.messages();
}

const MAIL_HEADERS = new Set([
  "from",
  "to",
  "subject",
  "message-id",
  "date",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "auto-submitted",
  "content-language",
]);

/**
 * Mails whose headers carry something a citizen wrote beyond its place: a header line of its own
 * (Bcc:, Subject:…), more than one recipient, or a recipient that is not a stored request's email.
 */
export function injectedMails(mails: ReceivedMail[], storedEmails: Set<string>): string[] {
  const out: string[] = [];
  for (const m of mails) {
    const head = m.raw.split(/\r\n\r\n/)[0] ?? "";
    // Header names, after unfolding continuation lines.
    const names = head
      .replace(/\r\n[ \t]+/g, " ")
      .split("\r\n")
      .map((l) => l.slice(0, l.indexOf(":")).trim().toLowerCase());
    const unexpected = names.filter((n) => !MAIL_HEADERS.has(n));
    const tos = names.filter((n) => n === "to").length;
    const problems = [
      ...(unexpected.length > 0 ? [`en-têtes inattendus ${JSON.stringify(unexpected)}`] : []),
      ...(tos !== 1 ? [`${tos} en-têtes To`] : []),
      ...(m.to.length !== 1 ? [`${m.to.length} destinataires ${JSON.stringify(m.to)}`] : []),
      ...(m.to.some((a) => !storedEmails.has(a.toLowerCase()))
        ? [`destinataire inconnu ${JSON.stringify(m.to)}`]
        : []),
      ...(/\b(bcc|cc)\s*:/i.test(
        head
          .replace(/\r\n[ \t]+/g, " ")
          .split("\r\n")
          .filter((l) => !/^(subject|to|from):/i.test(l))
          .join("\n"),
      )
        ? ["Bcc/Cc"]
        : []),
    ];
    if (problems.length > 0)
      out.push(`courriel n°${m.n} (${m.subject.slice(0, 80)}) : ${problems.join(", ")}`);
  }
  return out;
}
