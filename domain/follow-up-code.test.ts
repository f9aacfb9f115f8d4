import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFollowUpCode, makeFollowUpCode, parseFollowUpCode } from "./follow-up-code";
import { TRACKING_ALPHABET } from "./tracking-number";

describe("follow-up codes", () => {
  it("draws 8 symbols of the tracking alphabet from random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
        const code = makeFollowUpCode(bytes);
        expect(code).toMatch(/^[0-9A-FHJKMNP-TV-Z]{8}$/);
        for (const c of code) expect(TRACKING_ALPHABET).toContain(c);
      }),
    );
  });

  it("skips the bytes that would bias the draw", () => {
    const bytes = new Uint8Array([255, 248, 0, 1, 2, 3, 4, 5, 6, 30]);
    expect(makeFollowUpCode(bytes)).toBe("0123456Z");
  });

  it("says when it was given too few random bytes", () => {
    expect(() => makeFollowUpCode(new Uint8Array([1, 2, 3]))).toThrow(RangeError);
  });

  it("reads back what a citizen types: dashes, spaces, lower case and look-alikes", () => {
    expect(formatFollowUpCode("7QKD3MWX")).toBe("7QKD-3MWX");
    expect(parseFollowUpCode("7qkd-3mwx")).toBe("7QKD3MWX");
    expect(parseFollowUpCode(" 7QKD 3MWX ")).toBe("7QKD3MWX");
    expect(parseFollowUpCode("OIKD-3MWX")).toBe("01KD3MWX");
    expect(parseFollowUpCode("7QKD-3MW")).toBeNull();
    expect(parseFollowUpCode("lea@example.org")).toBeNull();
  });
});
