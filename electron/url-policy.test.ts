import { describe, expect, it } from "vitest";
import { checkSyncOrigin, checkSyncUrl, isAllowedExternalLink, isRequestAllowed } from "./url-policy";

describe("checkSyncUrl", () => {
  it.each([
    ["https://guichet.mairie.fr", "https://guichet.mairie.fr"],
    ["https://guichet.mairie.fr/", "https://guichet.mairie.fr"],
    ["  https://guichet.mairie.fr:8443/sync/  ", "https://guichet.mairie.fr:8443/sync"],
    ["http://127.0.0.1:3000", "http://127.0.0.1:3000"],
    ["http://localhost:3000/", "http://localhost:3000"],
    ["http://[::1]:5984", "http://[::1]:5984"],
    ["HTTPS://GUICHET.MAIRIE.FR", "https://guichet.mairie.fr"],
  ])("accepts %s", (input, url) => {
    expect(checkSyncUrl(input)).toMatchObject({ ok: true, url });
  });

  it.each([
    ["http://guichet.mairie.fr", /https:\/\/ est obligatoire/],
    ["http://192.168.1.10:3000", /https:\/\/ est obligatoire/],
    ["http://127.0.0.1.evil.fr", /https:\/\/ est obligatoire/],
    ["http://localhost.evil.fr", /https:\/\/ est obligatoire/],
    ["file:///etc/passwd", /seules les adresses https/],
    ["javascript:alert(1)", /seules les adresses https/],
    ["app://guichet/index.html", /seules les adresses https/],
    ["ftp://mairie.fr", /seules les adresses https/],
    ["data:text/html,<script>", /seules les adresses https/],
    ["https://admin:secret@mairie.fr", /identifiants/],
    ["https://mairie.fr/?next=https://evil.fr", /ni « \? » ni « # »/],
    ["https://mairie.fr/#x", /ni « \? » ni « # »/],
    ["mairie.fr", /adresse invalide/],
    ["", /vide/],
    ["   ", /vide/],
    ["https://mairie.fr/a b", /espace/],
    ["https://mairie.fr/\u0000", /contrôle/],
    [`https://mairie.fr/${"a".repeat(3000)}`, /trop longue/],
  ])("refuses %s", (input, message) => {
    const r = checkSyncUrl(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it.each([[42], [null], [undefined], [{ toString: () => "https://a.fr" }], [["https://a.fr"]]])(
    "refuses a non-string (%s)",
    (input) => {
      expect(checkSyncUrl(input)).toEqual({ ok: false, message: "une adresse (texte) est attendue." });
    },
  );
});

describe("checkSyncOrigin", () => {
  it("accepts an origin and refuses a path", () => {
    expect(checkSyncOrigin("https://couch.mairie.fr:6984/")).toMatchObject({
      ok: true,
      origin: "https://couch.mairie.fr:6984",
    });
    expect(checkSyncOrigin("https://couch.mairie.fr/db").ok).toBe(false);
  });
});

describe("isAllowedExternalLink", () => {
  it.each([
    ["https://www.service-public.fr/particuliers/vosdroits/F1234", true],
    ["https://www.legifrance.gouv.fr/codes/article_lc/LEGIARTI000031367", true],
    ["http://www.service-public.fr/", false],
    ["https://www.service-public.fr.evil.fr/", false],
    ["https://evil.fr/?u=www.service-public.fr", false],
    ["https://user@www.service-public.fr/", false],
    ["https://www.service-public.fr:444/", false],
    ["file:///C:/Windows/system32/calc.exe", false],
    ["javascript:alert(1)", false],
    ["not a url", false],
  ])("%s → %s", (url, allowed) => {
    expect(isAllowedExternalLink(url)).toBe(allowed);
  });
});

describe("isRequestAllowed", () => {
  const origins = ["http://127.0.0.1:3000", "http://127.0.0.1:5984"];
  it.each([
    ["app://guichet/assets/index.js", true],
    ["data:image/png;base64,AAAA", true],
    ["blob:app://guichet/0b6f8c4e", true],
    ["http://127.0.0.1:5984/guichet-demo/_changes", true],
    ["http://127.0.0.1:3000/api/v1/catalogue", true],
    ["http://127.0.0.1:8080/", false],
    ["https://www.google.com/", false],
    ["blob:https://evil.fr/x", false],
    ["app://other/index.html", false],
    ["file:///etc/passwd", false],
    ["ws://127.0.0.1:5984/", false],
  ])("%s → %s", (url, allowed) => {
    expect(isRequestAllowed(url, origins)).toBe(allowed);
  });
});
