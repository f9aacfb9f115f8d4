import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GuichetRequest, requestSchema } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { type KillableGuichet, startKillableGuichet } from "../support/killable-guichet";
import { seededRandom } from "../support/link-proxy";
import { waitFor } from "./support/wait";

/**
 * Durability under portal load: many citizens submit at once (JSON API and HTML form) while the
 * whole Guichet server — with its embedded database, or beside the CouchDB of COUCHDB_URL — is
 * killed with SIGKILL, then restarted on the same data. Every submission that was answered with
 * a success (201, or the form's 303 to its confirmation page) must be there after the restart,
 * once, under a tracking number given to no one else, readable by the citizen's follow-up; and
 * the restarted server goes on accepting without reusing a number. The server groups concurrent
 * writes (_bulk_docs) and reserves tracking numbers in blocks: this is what proves those never
 * answer before the write is durable. GUICHET_DURABILITY_KILLS / _CLIENTS / _SEED change the run.
 */
const KILLS = Number(process.env.GUICHET_DURABILITY_KILLS ?? 3);
const CLIENTS = Number(process.env.GUICHET_DURABILITY_CLIENTS ?? 16);
const SEED = Number(process.env.GUICHET_DURABILITY_SEED ?? Math.floor(Math.random() * 1e6));
const DEMARCHE = "aide_restauration_scolaire";

type Ack = { nonce: string; tracking: string; email: string; via: "api" | "form"; phase: number };
type Outcome = { acks: Ack[]; serverErrors: string[]; otherRefusals: string[]; cut: number };

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const citizen = (nonce: string) => ({
  firstName: "Camille",
  lastName: `Durand ${nonce}`,
  email: `c.${nonce}@example.org`,
  address: { line: "3 rue du Port", postcode: "13002", city: "Marseille" },
});

/** One citizen's submission; the tracking number when the server acknowledged it, else the reply. */
async function submitOnce(
  url: string,
  nonce: string,
  via: "api" | "form",
): Promise<{ ok: true; tracking: string } | { ok: false; status: number; text: string }> {
  const c = citizen(nonce);
  if (via === "api") {
    const res = await fetch(`${url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        demarche: DEMARCHE,
        fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
        citizen: c,
      }),
    });
    const text = await res.text();
    if (res.status !== 201) return { ok: false, status: res.status, text };
    return { ok: true, tracking: (JSON.parse(text) as { id: string }).id };
  }
  const form = new URLSearchParams({
    champ_enfant: "Léa Martin",
    champ_ecole: "École Jules-Ferry",
    nom: c.lastName,
    prenom: c.firstName,
    email: c.email,
    adresse: c.address.line,
    code_postal: c.address.postcode,
    ville: c.address.city,
  });
  const res = await fetch(`${url}/demarches/${DEMARCHE}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    redirect: "manual",
  });
  const text = await res.text();
  const location = res.headers.get("location") ?? "";
  const m = /^\/demarches\/envoyee\/([^.]+)\./.exec(location);
  if (res.status !== 303 || !m?.[1]) return { ok: false, status: res.status, text: text.slice(0, 200) };
  // The confirmation token carries the tracking number in its (signed, not secret) payload.
  return { ok: true, tracking: Buffer.from(m[1], "base64url").toString("utf8") };
}

/**
 * CLIENTS citizens submitting in a loop until `until` resolves. A 5xx received before `faultAt()`
 * (while the server was up and not yet killed) counts as a server error.
 */
async function load(
  url: string,
  phase: number,
  random: () => number,
  until: Promise<void>,
  faultAt: () => number,
): Promise<Outcome> {
  const out: Outcome = { acks: [], serverErrors: [], otherRefusals: [], cut: 0 };
  let stop = false;
  void until.then(() => {
    stop = true;
  });
  let n = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      while (!stop) {
        const nonce = `${SEED}-${phase}-${client}-${n++}`;
        const via = random() < 0.7 ? "api" : "form";
        try {
          const r = await submitOnce(url, nonce, via);
          if (r.ok) out.acks.push({ nonce, tracking: r.tracking, email: citizen(nonce).email, via, phase });
          else if (r.status >= 500) {
            if (Date.now() < faultAt()) out.serverErrors.push(`${via} ${r.status} ${r.text.slice(0, 200)}`);
          } else out.otherRefusals.push(`${via} ${r.status} ${r.text.slice(0, 200)}`);
        } catch {
          // Connection refused or reset: the server is down (killed), nothing was acknowledged.
          out.cut++;
          await pause(20);
        }
      }
    }),
  );
  return out;
}

/** Every acknowledged request, checked in the database (once, valid, the citizen's own) and through follow-up. */
async function verify(g: KillableGuichet, acks: Ack[], viaFollowUp: Ack[]): Promise<void> {
  const trackings = acks.map((a) => a.tracking);
  expect(new Set(trackings).size, "numéros de suivi donnés deux fois").toBe(trackings.length);

  type Stored = GuichetRequest & { _id: string; _rev: string };
  const list = async (): Promise<Stored[]> => {
    const all = await g.admin.use<GuichetRequest>(g.mainDb).list({ include_docs: true });
    return all.rows.filter((r) => !r.id.startsWith("_design/")).map((r) => r.doc as unknown as Stored);
  };
  // On a cluster `_all_docs` reads one copy of each shard (a restarted node catching up may lag):
  // wait a while for every acknowledged request to show, then check what is there.
  let docs = await list();
  await waitFor("toutes les demandes acquittées dans la liste", async () => {
    docs = await list();
    const ids = new Set(docs.map((d) => d._id));
    return acks.every((a) => ids.has(a.tracking));
  }).catch(() => undefined);
  const byId = new Map(docs.map((d) => [d._id, d]));
  const missing = acks.filter((a) => !byId.has(a.tracking)).map((a) => `${a.tracking} (${a.via})`);
  expect(missing, "demandes acquittées absentes après le redémarrage").toEqual([]);
  const wrong = acks
    .filter((a) => byId.get(a.tracking)?.citizen.email !== a.email)
    .map((a) => `${a.tracking}: ${byId.get(a.tracking)?.citizen.email} ≠ ${a.email}`);
  expect(wrong, "numéro de suivi portant la demande d'un autre").toEqual([]);
  // No submission stored twice (each carries its own nonce in the name).
  const perNonce = new Map<string, number>();
  for (const d of docs) perNonce.set(d.citizen.lastName, (perNonce.get(d.citizen.lastName) ?? 0) + 1);
  expect(
    [...perNonce].filter(([, k]) => k > 1),
    "demandes enregistrées en double",
  ).toEqual([]);
  const invalid = docs.filter(
    ({ _id, _rev, ...rest }) => _id !== rest.id || !requestSchema.safeParse(rest).success,
  );
  expect(
    invalid.map((d) => d._id),
    "documents invalides",
  ).toEqual([]);

  // The citizen's own way back to the request: number + email, through the restarted server.
  const failures: string[] = [];
  for (let i = 0; i < viaFollowUp.length; i += 8) {
    await Promise.all(
      viaFollowUp.slice(i, i + 8).map(async (a) => {
        const res = await fetch(`${g.url}/api/v1/follow-up`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ trackingNumber: formatTrackingNumber(a.tracking), email: a.email }),
        });
        const body = (await res.json()) as { request?: { trackingNumber?: string; tracking?: string } };
        if (res.status !== 200) failures.push(`${a.tracking}: ${res.status} ${JSON.stringify(body)}`);
      }),
    );
  }
  expect(failures, "suivi impossible pour des demandes acquittées").toEqual([]);
}

describe("durability under portal load (kill -9 of the server)", () => {
  let g: KillableGuichet;
  beforeAll(async () => {
    g = await startKillableGuichet();
  }, 120_000);
  afterAll(async () => {
    await g?.stop();
  }, 120_000);

  it(`keeps every acknowledged request through ${KILLS} kill -9 under load (seed ${SEED})`, async () => {
    const random = seededRandom(SEED);
    const acks: Ack[] = [];
    let checked = 0;
    const summary: string[] = [];
    try {
      for (let phase = 0; phase <= KILLS; phase++) {
        const last = phase === KILLS;
        // The database itself is killed too on a real CouchDB whose data directory is known.
        const killDatabase = !last && !!g.database && phase % 2 === 1;
        let faultAt = Number.POSITIVE_INFINITY;
        const loadMs = 800 + random() * 1700;
        const fault = (async () => {
          await pause(loadMs);
          if (last) return;
          faultAt = Date.now();
          if (killDatabase) await g.database?.kill9();
          else await g.kill9();
        })();
        const outcome = await load(g.url, phase, random, fault, () => faultAt);
        // Let the in-flight answers of a live server (database killed) come back, then restart.
        if (killDatabase) {
          await g.database?.start();
        } else if (!last) {
          await g.start();
        }
        acks.push(...outcome.acks);
        summary.push(
          `phase ${phase}: ${outcome.acks.length} acquittées (${outcome.acks.filter((a) => a.via === "form").length} par le formulaire), ${outcome.cut} coupées${last ? "" : killDatabase ? ", CouchDB tué" : ", serveur tué"}`,
        );
        expect(outcome.serverErrors, `erreurs 5xx serveur en marche (phase ${phase})`).toEqual([]);
        expect(outcome.otherRefusals, `soumissions valides refusées (phase ${phase})`).toEqual([]);
        expect(outcome.acks.length, `aucune soumission acquittée (phase ${phase})`).toBeGreaterThan(0);
        await verify(g, acks, acks.slice(checked));
        checked = acks.length;
      }
      // The kills did land under load: connections were cut in flight.
      expect(summary.join("\n")).toMatch(/[1-9]\d* coupées/);
      console.log(
        `[durabilité seed ${SEED}, ${g.kind}] ${acks.length} demandes acquittées, toutes retrouvées\n${summary.join("\n")}`,
      );
    } catch (e) {
      (e as Error).message =
        `[durabilité seed ${SEED}] ${(e as Error).message}\n${summary.join("\n")}\n--- journal du serveur ---\n${g.logTail()}`;
      throw e;
    }
  }, 300_000);
});
