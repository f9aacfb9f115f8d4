import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { parseTrackingNumber } from "../../domain/tracking-number";
import { PUBLIC_STATUS } from "../../domain/workflow";
import { type GuichetServer, type GuichetServerOptions, startGuichetServer } from "../../sync-server/server";
import { startTestCouch, type TestCouch } from "./support/test-couch";
import { waitFor } from "./support/wait";

/** The server under test on the test database, with the service accounts bootstrap gave it. */
function startServer(tc: TestCouch, extra: Partial<GuichetServerOptions> = {}): Promise<GuichetServer> {
  const sa = tc.bootstrapped.serviceAccounts;
  return startGuichetServer({
    couch: tc.couch,
    commune: tc.commune,
    port: 0,
    jobs: false,
    log: () => undefined,
    limits: { submitPerMinute: 1000 },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    ...extra,
  });
}

/**
 * The requests of the main database. On a cluster `_all_docs` reads one copy of each shard, which
 * may not show a write acknowledged a moment ago: wait until the listing holds `ids` and two reads
 * in a row agree.
 */
async function requestDocs(tc: TestCouch, ids: string[] = []): Promise<GuichetRequest[]> {
  let previous = "";
  return waitFor(`la liste des demandes avec ${ids.join(", ") || "toutes les écritures"}`, async () => {
    const res = await tc.admin.use<GuichetRequest>(tc.dbName("main")).list({ include_docs: true });
    const docs = res.rows
      .filter((r) => !r.id.startsWith("_design/"))
      .map((r) => r.doc as unknown as GuichetRequest);
    const seen = docs.map((d) => d.id).join(",");
    const settled = seen === previous && ids.every((id) => docs.some((d) => d.id === id));
    previous = seen;
    return settled ? docs : undefined;
  });
}

const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

function citizenForm(extra: Record<string, string> = {}): FormData {
  const form = new FormData();
  const values: Record<string, string> = {
    champ_message: "Bonjour, je voudrais connaître les horaires de la déchetterie.",
    nom: "Dupont",
    prenom: "Jeanne",
    email: "jeanne.dupont@example.org",
    adresse: "2 rue des Lilas",
    code_postal: "75001",
    ville: "Paris",
    ...extra,
  };
  for (const [k, v] of Object.entries(values)) form.append(k, v);
  return form;
}

const JSON_SUBMISSION = {
  demarche: "demande_generale",
  fields: { message: "Question envoyée par l'API." },
  citizen: {
    firstName: "Paul",
    lastName: "Martin",
    email: "paul.martin@example.org",
    address: { line: "5 avenue Foch", postcode: "69006", city: "Lyon" },
  },
};

describe("public portal (HTML without JavaScript, JSON API, Open311)", () => {
  let tc: TestCouch;
  let server: GuichetServer;

  beforeAll(async () => {
    tc = await startTestCouch();
    server = await startServer(tc);
  });
  afterAll(async () => {
    await server?.stop();
    await tc?.stop();
  });

  it("lists only online démarches and serves small pages with the security headers", async () => {
    const res = await fetch(`${server.url}/`);
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toContain('<html lang="fr">');
    expect(body).toContain("/demarches/demande_generale");
    // Offline-only and sensitive démarches are not offered.
    expect(body).not.toContain("/demarches/ccas_aide");
    expect(body).not.toContain("/demarches/police_doleance");
    expect(body).not.toContain("<script");
    expect(Buffer.byteLength(body)).toBeLessThan(14_000);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("strict-transport-security")).toBeNull(); // plain http here
    // The inline stylesheet is the one the CSP hash allows.
    const style = /<style>([\s\S]*?)<\/style>/.exec(body)?.[1] ?? "";
    expect(csp).toContain(createHash("sha256").update(style).digest("base64"));
  });

  it("files a request through the HTML form with a PDF, then shows the tracking number (POST, 303, GET)", async () => {
    const before = (await requestDocs(tc)).length;
    const form = citizenForm();
    form.append("piece", new Blob([PDF], { type: "application/pdf" }), "justificatif.pdf");
    const res = await fetch(`${server.url}/demarches/demande_generale`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/demarches\/envoyee\//);
    const confirmation = await (await fetch(server.url + location)).text();
    const shown = /class="numero">([0-9A-Z]{4}-[0-9A-Z]{4})</.exec(confirmation)?.[1] ?? "";
    const parsed = parseTrackingNumber(shown);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.workstationCode).toBe("W3B");

    const docs = await requestDocs(tc, [parsed.compact]);
    expect(docs).toHaveLength(before + 1);
    const doc = docs.find((d) => d.id === parsed.compact);
    expect(doc).toMatchObject({
      channel: "en_ligne",
      createdBy: tc.bootstrapped.serviceAccounts.portal.name,
      demarche: "demande_generale",
      citizen: { lastName: "Dupont", email: "jeanne.dupont@example.org", address: { postcode: "75001" } },
      status: "received",
    });
    const sha = createHash("sha256").update(PDF).digest("hex");
    expect(doc?.attachments).toEqual([
      { id: sha, name: "justificatif.pdf", mime: "application/pdf", size: PDF.length, sha256: sha },
    ]);
    expect(existsSync(path.join(tc.couch.dataDir, "attachments", sha.slice(0, 2), sha))).toBe(true);
  });

  it("shows the form again with the input kept and each error next to its field, storing nothing", async () => {
    const before = (await requestDocs(tc)).length;
    const form = citizenForm({
      email: "pas-une-adresse",
      code_postal: "75",
      nom: "",
      champ_message: "<b>gardé</b>",
    });
    form.append(
      "piece",
      new Blob([Buffer.from("MZ\x90\x00 not a pdf")], { type: "application/pdf" }),
      "virus.exe",
    );
    const res = await fetch(`${server.url}/demarches/demande_generale`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    const body = await res.text();
    expect(res.status).toBe(422);
    expect(body).toContain("<title>Erreur : ");
    expect(body).toContain('role="alert"');
    // Kept input, escaped.
    expect(body).toContain('value="Jeanne"');
    expect(body).toContain("&lt;b&gt;gardé&lt;/b&gt;</textarea>");
    // Errors tied to their fields.
    expect(body).toMatch(
      /id="nom" name="nom" required aria-required="true" aria-invalid="true" aria-describedby="nom-erreur"/,
    );
    expect(body).toMatch(/<p class="erreur" id="email-erreur">Erreur : Adresse électronique invalide\.<\/p>/);
    expect(body).toMatch(/id="code_postal-erreur">Erreur : Code postal à 5 chiffres\./);
    expect(body).toMatch(
      /id="piece-erreur">Erreur : Fichier « virus\.exe » : seuls les formats PDF, JPEG et PNG/,
    );
    expect((await requestDocs(tc)).length).toBe(before);
  });

  it("keeps a valid file across a form with errors, so it need not be sent again", async () => {
    const first = citizenForm({ nom: "" });
    first.append("piece", new Blob([PDF]), "piece.pdf");
    const body = await (
      await fetch(`${server.url}/demarches/demande_generale`, { method: "POST", body: first })
    ).text();
    expect(body).toContain("Fichier déjà reçu : piece.pdf");
    const token = /name="piece_recue" value="([^"]+)"/.exec(body)?.[1] ?? "";
    const second = citizenForm({ piece_recue: token });
    const res = await fetch(`${server.url}/demarches/demande_generale`, {
      method: "POST",
      body: second,
      redirect: "manual",
    });
    expect(res.status).toBe(303);
    // The confirmation token carries the tracking number in its (signed, not secret) payload.
    const token64 = /^\/demarches\/envoyee\/([^.]+)\./.exec(res.headers.get("location") ?? "")?.[1] ?? "";
    const tracking = Buffer.from(token64, "base64url").toString("utf8");
    const docs = await requestDocs(tc, [tracking]);
    const latest = docs.find((d) => d.id === tracking);
    expect(latest?.attachments.map((a) => a.name)).toEqual(["piece.pdf"]);
  });

  it("keeps what was typed when the file is too large: the form comes back with a French error on the file", async () => {
    const before = (await requestDocs(tc)).length;
    const form = citizenForm({ champ_message: "Ma question <détaillée>", prenom: "Éloïse" });
    // 8 MB of PDF: over the 5 MB a file may weigh, and over what the form's body may hold.
    const big = Buffer.concat([PDF, Buffer.alloc(8 * 1024 * 1024, 0x20)]);
    form.append("piece", new Blob([big], { type: "application/pdf" }), "scan.pdf");
    const res = await fetch(`${server.url}/demarches/demande_generale`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    const body = await res.text();
    expect(res.status).toBe(422);
    expect(body).toContain('value="Éloïse"');
    expect(body).toContain('value="jeanne.dupont@example.org"');
    expect(body).toContain('value="2 rue des Lilas"');
    expect(body).toContain("Ma question &lt;détaillée&gt;</textarea>");
    expect(body).toMatch(
      /id="piece-erreur">Erreur : Le fichier choisi dépasse 5 Mo : choisissez un fichier plus léger/,
    );
    expect((await requestDocs(tc)).length).toBe(before);
  });

  it("files a request as JSON and answers validation errors in French with 422", async () => {
    const ok = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(JSON_SUBMISSION),
    });
    expect(ok.status).toBe(201);
    const created = (await ok.json()) as { id: string; trackingNumber: string; status: string };
    expect(created.trackingNumber).toMatch(/^W3B.-....$/);
    expect(created.status).toBe(PUBLIC_STATUS.received);

    const bad = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ...JSON_SUBMISSION,
        citizen: { firstName: "Paul", lastName: "Martin" },
        extra: 1,
      }),
    });
    expect(bad.status).toBe(422);
    const errors = ((await bad.json()) as { errors: { field: string; message: string }[] }).errors;
    expect(errors).toEqual(
      expect.arrayContaining([
        { field: "citizen.email", message: "Ce champ est obligatoire." },
        { field: "citizen.address", message: "Ce champ est obligatoire." },
      ]),
    );
    expect(errors.some((e) => e.field === "" || e.field === "extra")).toBe(true);

    const wrongType = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(wrongType.status).toBe(415);
    expect(((await wrongType.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(
      /^Type de contenu/,
    );

    const huge = await fetch(`${server.url}/api/v1/follow-up`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ trackingNumber: "x".repeat(100_000) }),
    });
    expect(huge.status).toBe(413);
  });

  it("gives unique tracking numbers to concurrent submissions, across two server processes", async () => {
    const other = await startServer(tc, { instanceId: "second-process" });
    try {
      const post = (base: string, i: number) =>
        fetch(`${base}/api/v1/requests`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ ...JSON_SUBMISSION, fields: { message: `Demande concurrente ${i}` } }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id: string } }));
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => post(i % 2 === 0 ? server.url : other.url, i)),
      );
      expect(results.map((r) => r.status)).toEqual(Array(40).fill(201));
      const ids = results.map((r) => r.body.id);
      expect(new Set(ids).size).toBe(40);
      const stored = new Set((await requestDocs(tc, ids)).map((d) => d.id));
      for (const id of ids) expect(stored.has(id)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it("follows a request with the right number and email, and answers byte-identically otherwise", async () => {
    const res = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(JSON_SUBMISSION),
    });
    const { trackingNumber } = (await res.json()) as { trackingNumber: string };
    const follow = (numero: string, email: string) =>
      fetch(`${server.url}/suivi`, {
        method: "POST",
        body: new URLSearchParams({ numero, email }),
        redirect: "manual",
        headers: { "x-forwarded-for": "ignored-without-trust-proxy" },
      });

    const right = await follow(trackingNumber.toLowerCase(), " PAUL.MARTIN@example.org ");
    expect(right.status).toBe(303);
    const page = await (await fetch(server.url + (right.headers.get("location") ?? ""))).text();
    expect(page).toContain(`Demande n° ${trackingNumber}`);
    expect(page).toContain(PUBLIC_STATUS.received);
    expect(page).toContain("Accueil de la mairie");
    expect(page).not.toContain("Martin"); // no personal data on the status page

    // Wrong email for an existing number vs. a well-formed number that was never issued.
    const unknown = "W3BZZZZ";
    const check =
      [...unknown].reduce((s, c, i) => s + (i + 1) * "0123456789ABCDEFHJKMNPQRSTVWXYZ".indexOf(c), 0) % 31;
    const neverIssued = unknown + "0123456789ABCDEFHJKMNPQRSTVWXYZ".charAt(check);
    expect(parseTrackingNumber(neverIssued).ok).toBe(true);
    const t0 = performance.now();
    const wrongEmail = await follow(trackingNumber, "someone.else@example.org");
    const t1 = performance.now();
    const noSuchNumber = await follow(neverIssued, "someone.else@example.org");
    const t2 = performance.now();
    const a = Buffer.from(await wrongEmail.arrayBuffer());
    const b = Buffer.from(await noSuchNumber.arrayBuffer());
    expect(wrongEmail.status).toBe(noSuchNumber.status);
    expect(a.equals(b)).toBe(true);
    expect(a.toString()).toContain("Aucune demande ne correspond");
    // Same floor on both paths (150 ms by default).
    expect(t1 - t0).toBeGreaterThanOrEqual(140);
    expect(t2 - t1).toBeGreaterThanOrEqual(140);

    // JSON: same rule.
    const api = (trackingNumberValue: string, email: string) =>
      fetch(`${server.url}/api/v1/follow-up`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ trackingNumber: trackingNumberValue, email }),
      });
    const okJson = await api(trackingNumber, "paul.martin@example.org");
    expect(okJson.status).toBe(200);
    expect(((await okJson.json()) as { request: { status: string } }).request.status).toBe(
      PUBLIC_STATUS.received,
    );
    const j1 = await api(trackingNumber, "x@example.org");
    const j2 = await api(neverIssued, "x@example.org");
    expect(j1.status).toBe(404);
    expect(await j1.text()).toBe(await j2.text());
  });

  it("follows a request with its number and follow-up code, for citizens without an email", async () => {
    const own = await startServer(tc, {
      instanceId: "follow-up-code",
      limits: { submitPerMinute: 1000, followUpPerMinute: 100 },
    });
    try {
      const res = await fetch(`${own.url}/api/v1/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(JSON_SUBMISSION),
      });
      const { id, trackingNumber } = (await res.json()) as { id: string; trackingNumber: string };
      const stored = await tc.admin.use<GuichetRequest>(tc.dbName("main")).get(id);
      const code = stored.followUpCode ?? "";
      expect(code).toMatch(/^[0-9A-FHJKMNP-TV-Z]{8}$/);
      const follow = (numero: string, cle: string) =>
        fetch(`${own.url}/suivi`, {
          method: "POST",
          body: new URLSearchParams({ numero, cle }),
          redirect: "manual",
        });

      // As typed from a paper AR: lower case, a space instead of the dash.
      const right = await follow(trackingNumber, `${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`);
      expect(right.status).toBe(303);
      const page = await (await fetch(own.url + (right.headers.get("location") ?? ""))).text();
      expect(page).toContain(`Demande n° ${trackingNumber}`);
      // The email still works through the same field.
      expect((await follow(trackingNumber, "paul.martin@example.org")).status).toBe(303);

      // A wrong code and a number never issued: the same bytes.
      const other = code.startsWith("2") ? `3${code.slice(1)}` : `2${code.slice(1)}`;
      const neverIssued = "K7M0-0050"; // valid, from a workstation code this server never gave
      const wrong = Buffer.from(await (await follow(trackingNumber, other)).arrayBuffer());
      const unknown = Buffer.from(await (await follow(neverIssued, other)).arrayBuffer());
      expect(wrong.toString()).toContain("Aucune demande ne correspond");
      expect(wrong.equals(unknown)).toBe(true);

      // A code of the wrong shape is named as such (it says nothing of the database).
      const malformed = await follow(trackingNumber, "ABC");
      expect(malformed.status).toBe(422);
      expect(await malformed.text()).toContain("Le code de suivi comporte 8 caractères");

      // JSON: number + code.
      const api = await fetch(`${own.url}/api/v1/follow-up`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ trackingNumber, code }),
      });
      expect(api.status).toBe(200);
      const j1 = await fetch(`${own.url}/api/v1/follow-up`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ trackingNumber, code: other }),
      });
      expect(j1.status).toBe(404);
    } finally {
      await own.stop();
    }
  });

  it("limits follow-up attempts per client address with a French 429", async () => {
    // A fresh server: its limiter has not counted the previous test's attempts.
    const limited = await startServer(tc, { followUpMinDelayMs: 0, instanceId: "limits" });
    try {
      const statuses: number[] = [];
      let last = "";
      for (let i = 0; i < 12; i++) {
        const r = await fetch(`${limited.url}/suivi`, {
          method: "POST",
          body: new URLSearchParams({ numero: "W3B0-001B", email: `guess${i}@example.org` }),
        });
        statuses.push(r.status);
        last = await r.text();
      }
      expect(statuses.slice(0, 10).every((s) => s !== 429)).toBe(true);
      expect(statuses.slice(10)).toEqual([429, 429]);
      expect(last).toContain("Trop de tentatives");
      expect(last).toContain('lang="fr"');
    } finally {
      await limited.stop();
    }
  });

  it("round-trips a signalement through Open311 GeoReport v2 without exposing personal data", async () => {
    const services = (await (await fetch(`${server.url}/open311/v2/services.json`)).json()) as {
      service_code: string;
    }[];
    const codes = services.map((s) => s.service_code).sort();
    expect(codes).toEqual(["signalement_eclairage", "signalement_proprete", "signalement_voirie"]);
    const definition = (await (
      await fetch(`${server.url}/open311/v2/services/signalement_voirie.json`)
    ).json()) as {
      service_code: string;
      attributes: unknown[];
    };
    expect(definition.service_code).toBe("signalement_voirie");

    const post = await fetch(`${server.url}/open311/v2/requests.json`, {
      method: "POST",
      body: new URLSearchParams({
        service_code: "signalement_voirie",
        lat: "48.8566",
        long: "2.3522",
        address_string: "12 rue de la République",
        description: "Nid-de-poule dangereux devant l'école.",
        email: "marie.curie@example.org",
        first_name: "Marie",
        last_name: "Curie",
        phone: "06 12 34 56 78",
      }),
    });
    expect(post.status).toBe(201);
    const [created] = (await post.json()) as { service_request_id: string }[];
    const id = created?.service_request_id ?? "";
    expect(parseTrackingNumber(id).ok).toBe(true);

    const one = (await (await fetch(`${server.url}/open311/v2/requests/${id}.json`)).json()) as Record<
      string,
      unknown
    >[];
    expect(one[0]).toMatchObject({
      service_request_id: id,
      status: "open",
      service_code: "signalement_voirie",
      address: "12 rue de la République",
      lat: 48.8566,
      long: 2.3522,
    });
    const list = await (
      await fetch(`${server.url}/open311/v2/requests.json?service_code=signalement_voirie`)
    ).text();
    expect(list).toContain(id);
    for (const secret of ["Curie", "Marie", "marie.curie", "06 12", "Nid-de-poule"])
      expect(list).not.toContain(secret);
    expect(JSON.stringify(one)).not.toContain("Curie");

    // A request of another démarche is not public through Open311.
    const other = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(JSON_SUBMISSION),
    });
    const otherId = ((await other.json()) as { trackingNumber: string }).trackingNumber;
    expect((await fetch(`${server.url}/open311/v2/requests/${otherId}.json`)).status).toBe(404);

    const missing = await fetch(`${server.url}/open311/v2/requests.json`, {
      method: "POST",
      body: new URLSearchParams({ service_code: "signalement_voirie", description: "Sans nom ni lieu" }),
    });
    expect(missing.status).toBe(400);
    const errors = (await missing.json()) as { code: number; description: string }[];
    expect(errors.every((e) => e.code === 400)).toBe(true);
    expect(errors.map((e) => e.description).join(" ")).toMatch(/address_string : Ce champ est obligatoire/);
  });

  it("serves the built counter app under /guichet/, without leaving its folder", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "guichet-app-"));
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), "<!doctype html><title>Guichet</title>");
    writeFileSync(path.join(dir, "assets", "main-abcd1234.js"), "console.log(1)");
    const withApp = await startServer(tc, { rendererDir: dir, instanceId: "app" });
    try {
      const index = await fetch(`${withApp.url}/guichet/`);
      expect(index.status).toBe(200);
      expect(await index.text()).toContain("<title>Guichet</title>");
      expect(index.headers.get("cache-control")).toBe("no-cache");
      expect(index.headers.get("content-security-policy")).toContain(
        `connect-src 'self' ${new URL(tc.url).origin}`,
      );
      const asset = await fetch(`${withApp.url}/guichet/assets/main-abcd1234.js`);
      expect(asset.headers.get("content-type")).toContain("text/javascript");
      expect(asset.headers.get("cache-control")).toContain("immutable");
      // The app's own routes survive a reload.
      expect(await (await fetch(`${withApp.url}/guichet/demandes/W3B0001B`)).text()).toContain(
        "<title>Guichet</title>",
      );
      for (const evil of ["/guichet/..%2f..%2fsecrets.json", "/guichet/%2e%2e/%2e%2e/etc/passwd"]) {
        const res = await fetch(withApp.url + evil);
        expect(await res.text()).not.toMatch(/root:|Password/);
      }
    } finally {
      await withApp.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("speaks HTTPS with HSTS when given a certificate and a key", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "guichet-tls-"));
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      {
        stdio: "ignore",
      },
    );
    const secure = await startServer(tc, { tls: { cert, key }, instanceId: "tls" });
    try {
      expect(secure.url.startsWith("https://")).toBe(true);
      const { status, headers } = await new Promise<{ status: number; headers: Record<string, unknown> }>(
        (resolve, reject) => {
          const req = httpsRequest(`${secure.url}/suivi`, { rejectUnauthorized: false }, (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? 0, headers: res.headers });
          });
          req.on("error", reject);
          req.end();
        },
      );
      expect(status).toBe(200);
      expect(headers["strict-transport-security"]).toContain("max-age=");
    } finally {
      await secure.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
