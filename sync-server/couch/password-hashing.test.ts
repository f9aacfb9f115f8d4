import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  hashPassword,
  isWeakHash,
  PASSWORD_ITERATIONS,
  VerifiedCredentials,
  verifyPassword,
} from "./password-hashing";

const legacy = (password: string, salt = "0123456789abcdef0123456789abcdef") => ({
  password_scheme: "pbkdf2",
  salt,
  iterations: 10,
  derived_key: pbkdf2Sync(password, salt, 10, 20, "sha1").toString("hex"),
});

describe("password hashing", () => {
  it("hashes with PBKDF2-SHA256 at 600,000 iterations and a fresh salt, and verifies only the right password", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatchObject({
      password_scheme: "pbkdf2",
      pbkdf2_prf: "sha256",
      iterations: PASSWORD_ITERATIONS,
    });
    expect(a.derived_key).toMatch(/^[0-9a-f]{64}$/);
    expect(a.salt).not.toBe(b.salt);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(isWeakHash(a)).toBe(false);
  }, 20_000);

  it("still verifies the hashes PouchDB Server stored (SHA-1, 10 iterations), and calls them weak", async () => {
    const stored = legacy("ancien-mot-de-passe");
    expect(await verifyPassword("ancien-mot-de-passe", stored)).toBe(true);
    expect(await verifyPassword("autre-mot-de-passe", stored)).toBe(false);
    expect(isWeakHash(stored)).toBe(true);
    expect(isWeakHash({ ...stored, pbkdf2_prf: "sha256", iterations: 10_000 })).toBe(true);
  });

  it("refuses malformed or absurd stored hashes instead of computing them", async () => {
    const stored = legacy("x");
    expect(await verifyPassword("x", { ...stored, iterations: 1e12 })).toBe(false);
    expect(await verifyPassword("x", { ...stored, iterations: "10" as unknown as number })).toBe(true);
    expect(await verifyPassword("x", { ...stored, pbkdf2_prf: "md5" })).toBe(false);
    expect(await verifyPassword("x", { ...stored, salt: undefined })).toBe(false);
  });
});

describe("verified credentials", () => {
  it("remembers a password for the stored hash it was checked against, until it expires", () => {
    let now = 0;
    const cache = new VerifiedCredentials(1_000, 100, () => now);
    const stored = legacy("secret-de-test");
    cache.add("agent", "secret-de-test", stored);
    expect(cache.has("agent", "secret-de-test", stored)).toBe(true);
    expect(cache.has("agent", "autre", stored)).toBe(false);
    expect(cache.has("autre-agent", "secret-de-test", stored)).toBe(false);
    // A new password (new hash) or a new salt: no longer known.
    expect(cache.has("agent", "secret-de-test", legacy("nouveau"))).toBe(false);
    expect(cache.has("agent", "secret-de-test", { ...stored, salt: "ff" })).toBe(false);
    now = 900;
    expect(cache.has("agent", "secret-de-test", stored)).toBe(true);
    now = 2_500;
    expect(cache.has("agent", "secret-de-test", stored)).toBe(false);
  });

  it("runs one check for concurrent requests with the same credentials, and none once verified", async () => {
    const cache = new VerifiedCredentials();
    const stored = legacy("secret-de-test");
    let checks = 0;
    const check = async () => {
      checks += 1;
      await new Promise((r) => setTimeout(r, 20));
      return true;
    };
    const results = await Promise.all(
      Array.from({ length: 8 }, () => cache.verify("agent", "secret-de-test", stored, check)),
    );
    expect(results.every(Boolean)).toBe(true);
    expect(checks).toBe(1);
    expect(await cache.verify("agent", "secret-de-test", stored, check)).toBe(true);
    expect(checks).toBe(1);
    // A refused password is not remembered: the next attempt checks again.
    const refuse = async () => {
      checks += 1;
      return false;
    };
    expect(await cache.verify("agent", "faux", stored, refuse)).toBe(false);
    expect(await cache.verify("agent", "faux", stored, refuse)).toBe(false);
    expect(checks).toBe(3);
  });
});
