import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatTrackingNumber,
  isWorkstationCode,
  MAX_TRACKING_SEQUENCE,
  makeTrackingNumber,
  normalizeTrackingInput,
  parseTrackingNumber,
  TRACKING_ALPHABET,
  TRACKING_NUMBER_PATTERN,
} from "./tracking-number";

const TYPO = "Le numéro de suivi comporte une faute de frappe : vérifiez chaque caractère.";

const symbolArb = fc.constantFrom(...TRACKING_ALPHABET);
const codeArb = fc.string({ unit: symbolArb, minLength: 3, maxLength: 3 });
const sequenceArb = fc.integer({ min: 1, max: MAX_TRACKING_SEQUENCE });
const numberArb = fc
  .tuple(codeArb, sequenceArb)
  .map(([code, sequence]) => makeTrackingNumber(code, sequence));

describe("tracking alphabet", () => {
  it("is Crockford base32 without G, i.e. 31 distinct symbols in ascending order", () => {
    expect(TRACKING_ALPHABET).toBe("0123456789ABCDEFHJKMNPQRSTVWXYZ");
    expect(TRACKING_ALPHABET).toBe("0123456789ABCDEFGHJKMNPQRSTVWXYZ".replace("G", ""));
    expect(new Set(TRACKING_ALPHABET).size).toBe(31);
  });

  it("allows 31^4 - 1 sequences per workstation code", () => {
    expect(MAX_TRACKING_SEQUENCE).toBe(923_520);
  });

  it("is exactly what the compact pattern accepts", () => {
    for (const char of "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
      expect(TRACKING_NUMBER_PATTERN.test(char.repeat(8))).toBe(TRACKING_ALPHABET.includes(char));
    }
  });
});

describe("isWorkstationCode", () => {
  it.each(["K7M", "000", "ZZZ", "A1B"])("accepts %j", (code) => {
    expect(isWorkstationCode(code)).toBe(true);
  });

  it.each(["", "K7", "K7MM", "k7m", "G00", "O00", "I00", "L00", "U00", "K-M", " K7M", "K7M\n"])(
    "rejects %j",
    (code) => {
      expect(isWorkstationCode(code)).toBe(false);
    },
  );

  it("accepts any three symbols of the alphabet", () => {
    fc.assert(fc.property(codeArb, (code) => isWorkstationCode(code)));
  });
});

describe("makeTrackingNumber", () => {
  // Check = Σ (i+1)·v_i mod 31 over the 7 payload symbols (A=10 … F=15, H=16, J=17, K=18, M=19, … X=28, Z=30).
  // K7M + 0001: 1·18 + 2·7 + 3·19 + 7·1 = 96 = 3·31 + 3 → "3".
  // K7M + 123456 = 4·31³ + 4·31² + 14·31 + 14 → "44EE";
  //   1·18 + 2·7 + 3·19 + 4·4 + 5·4 + 6·14 + 7·14 = 307 = 9·31 + 28 → "X".
  // 000 + 31 → "0010": 6·1 = 6 → "6".
  // ZZZ + 923520 → "ZZZZ": 30·(1+…+7) = 840 = 27·31 + 3 → "3".
  it.each([
    ["K7M", 1, "K7M00013"],
    ["K7M", 123_456, "K7M44EEX"],
    ["000", 1, "00000017"],
    ["000", 31, "00000106"],
    ["ZZZ", MAX_TRACKING_SEQUENCE, "ZZZZZZZ3"],
  ])("gives code %s with sequence %i the number %s", (code, sequence, expected) => {
    expect(makeTrackingNumber(code, sequence)).toBe(expected);
  });

  it("round-trips through parse to the same code and sequence", () => {
    fc.assert(
      fc.property(codeArb, sequenceArb, (code, sequence) => {
        const compact = makeTrackingNumber(code, sequence);
        expect(compact).toMatch(TRACKING_NUMBER_PATTERN);
        expect(parseTrackingNumber(compact)).toEqual({ ok: true, compact, workstationCode: code, sequence });
      }),
    );
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_TRACKING_SEQUENCE + 1])(
    "throws for sequence %d",
    (sequence) => {
      expect(() => makeTrackingNumber("K7M", sequence)).toThrow(RangeError);
    },
  );

  it("tells the caller to allocate a new workstation code past the maximum sequence", () => {
    expect(() => makeTrackingNumber("K7M", MAX_TRACKING_SEQUENCE + 1)).toThrow(
      "Tracking sequence 923521 exceeds 923520, the maximum for workstation code K7M: allocate a new workstation code.",
    );
  });

  it.each(["", "K7", "K7MM", "k7m", "G00", "O00"])("throws for workstation code %j", (code) => {
    expect(() => makeTrackingNumber(code, 1)).toThrow(TypeError);
  });
});

describe("uniqueness across workstations", () => {
  it("never issues the same number twice, whatever the interleaving, and parse tells the origin", () => {
    fc.assert(
      fc.property(
        // Each simulated workstation: a distinct code and the sequence it has reached so far.
        fc.uniqueArray(fc.tuple(codeArb, fc.integer({ min: 1, max: MAX_TRACKING_SEQUENCE - 300 })), {
          minLength: 2,
          maxLength: 15,
          selector: ([code]) => code,
        }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 300 }),
        (workstations, schedule) => {
          const next = workstations.map(([, start]) => start);
          const issued = new Map<string, { workstationCode: string; sequence: number }>();
          for (const pick of schedule) {
            const index = pick % workstations.length;
            const workstationCode = workstations[index]![0];
            const sequence = next[index]!;
            next[index] = sequence + 1;
            issued.set(makeTrackingNumber(workstationCode, sequence), { workstationCode, sequence });
          }
          expect(issued.size).toBe(schedule.length);
          for (const [compact, origin] of issued) {
            expect(parseTrackingNumber(compact)).toEqual({ ok: true, compact, ...origin });
          }
        },
      ),
    );
  });

  it("gives distinct numbers to every workstation code at the first, second and last sequence", () => {
    const numbers = new Set<string>();
    let count = 0;
    for (const a of TRACKING_ALPHABET) {
      for (const b of TRACKING_ALPHABET) {
        for (const c of TRACKING_ALPHABET) {
          for (const sequence of [1, 2, MAX_TRACKING_SEQUENCE]) {
            numbers.add(makeTrackingNumber(a + b + c, sequence));
            count++;
          }
        }
      }
    }
    expect(count).toBe(31 ** 3 * 3);
    expect(numbers.size).toBe(count);
  });

  it("gives distinct numbers to every sequence of one workstation code", () => {
    const numbers = new Set<string>();
    for (let sequence = 1; sequence <= MAX_TRACKING_SEQUENCE; sequence++) {
      numbers.add(makeTrackingNumber("K7M", sequence));
    }
    expect(numbers.size).toBe(MAX_TRACKING_SEQUENCE);
  });
});

describe("check symbol", () => {
  it("rejects every single-symbol substitution as a typo", () => {
    fc.assert(
      fc.property(numberArb, (compact) => {
        for (let i = 0; i < compact.length; i++) {
          for (const symbol of TRACKING_ALPHABET) {
            if (symbol === compact[i]) continue;
            const typo = compact.slice(0, i) + symbol + compact.slice(i + 1);
            expect(parseTrackingNumber(typo)).toEqual({ ok: false, error: TYPO });
          }
        }
      }),
    );
  });

  it("rejects every adjacent transposition of two different symbols as a typo", () => {
    fc.assert(
      fc.property(numberArb, (compact) => {
        for (let i = 0; i + 1 < compact.length; i++) {
          const [a, b] = [compact[i]!, compact[i + 1]!];
          if (a === b) continue;
          const swapped = compact.slice(0, i) + b + a + compact.slice(i + 2);
          expect(parseTrackingNumber(swapped)).toEqual({ ok: false, error: TYPO });
        }
      }),
    );
  });

  it("also rejects swaps of two different symbols that are not adjacent", () => {
    fc.assert(
      fc.property(numberArb, (compact) => {
        for (let i = 0; i < compact.length; i++) {
          for (let j = i + 2; j < compact.length; j++) {
            const [a, b] = [compact[i]!, compact[j]!];
            if (a === b) continue;
            const swapped = compact.slice(0, i) + b + compact.slice(i + 1, j) + a + compact.slice(j + 1);
            expect(parseTrackingNumber(swapped)).toEqual({ ok: false, error: TYPO });
          }
        }
      }),
    );
  });

  it("rejects the hand-made example with its last symbol mistyped", () => {
    expect(parseTrackingNumber("K7M4-4EEY")).toEqual({ ok: false, error: TYPO });
    expect(parseTrackingNumber("K7M4-E4EX")).toEqual({ ok: false, error: TYPO });
  });
});

describe("formatTrackingNumber", () => {
  it.each([
    ["K7M44EEX", "K7M4-4EEX"],
    ["K7M00013", "K7M0-0013"],
    ["ZZZZZZZ3", "ZZZZ-ZZZ3"],
  ])("shows %s as %s", (compact, display) => {
    expect(formatTrackingNumber(compact)).toBe(display);
  });

  it.each(["K7M4-4EEX", "k7m44eex", "K7M44EE", "K7M44EEXX", "K7M44EEG", ""])(
    "throws for the non-compact %j",
    (input) => {
      expect(() => formatTrackingNumber(input)).toThrow(TypeError);
    },
  );

  it("gives a display form that parses back to the same number", () => {
    fc.assert(
      fc.property(numberArb, (compact) => {
        const display = formatTrackingNumber(compact);
        expect(display).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
        expect(parseTrackingNumber(display)).toMatchObject({ ok: true, compact });
      }),
    );
  });
});

describe("normalizeTrackingInput", () => {
  it.each([
    [" k7m-4qx2 ", "K7M4QX2"],
    ["k7m44eex", "K7M44EEX"],
    ["K7M4.4EEX", "K7M44EEX"],
    ["K7M4 4EEX", "K7M44EEX"],
    ["K7M4_4EEX", "K7M44EEX"],
    ["k7m4 - 4eex", "K7M44EEX"],
    ["K7M4\u00a04EEX", "K7M44EEX"], // non-breaking space
    ["K7M4\u202f4EEX", "K7M44EEX"], // narrow non-breaking space (French typography)
    ["K7M4\u20134EEX", "K7M44EEX"], // en dash, from word processors
    ["K7M4\u22124EEX", "K7M44EEX"], // minus sign
    ["\u200bK7M4\t4EEX\n", "K7M44EEX"], // zero-width space and whitespace from copy-paste
    ["O0o", "000"],
    ["IiLl1", "11111"],
    ["Uu", "VV"],
    ["Gg", "JJ"],
    ["ç", "Ç"],
    ["", ""],
    ["K7M", "K7M"],
  ])("turns %j into %j", (input, expected) => {
    expect(normalizeTrackingInput(input)).toBe(expected);
  });

  it("is idempotent on any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (input) => {
        const once = normalizeTrackingInput(input);
        expect(normalizeTrackingInput(once)).toBe(once);
      }),
    );
  });

  it("leaves no separator, lowercase ASCII letter or confusable letter", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii" }), (input) => {
        expect(normalizeTrackingInput(input)).not.toMatch(/[\s._\-a-zOILUG]/);
      }),
    );
  });
});

describe("parseTrackingNumber", () => {
  // What people may type for each symbol: case changes and look-alikes.
  const VARIANTS: Readonly<Record<string, readonly string[]>> = {
    "0": ["0", "O", "o"],
    "1": ["1", "I", "i", "L", "l"],
    V: ["V", "v", "U", "u"],
    J: ["J", "j", "G", "g"],
  };
  const separatorsArb = fc
    .array(fc.constantFrom(" ", "-", ".", "_", "\u00a0", "\u2013", "\t"), { maxLength: 2 })
    .map((separators) => separators.join(""));
  const noisyArb = numberArb.chain((compact) =>
    fc
      .tuple(
        fc.tuple(
          ...[...compact].map((symbol) =>
            fc.tuple(separatorsArb, fc.constantFrom(...(VARIANTS[symbol] ?? [symbol, symbol.toLowerCase()]))),
          ),
        ),
        separatorsArb,
      )
      .map(([parts, trailing]) => ({
        compact,
        noisy: parts.map(([separators, symbol]) => separators + symbol).join("") + trailing,
      })),
  );

  it("accepts what people type: case changes, look-alikes, spaces, dashes, dots", () => {
    fc.assert(
      fc.property(noisyArb, ({ compact, noisy }) => {
        expect(normalizeTrackingInput(normalizeTrackingInput(noisy))).toBe(normalizeTrackingInput(noisy));
        expect(parseTrackingNumber(noisy)).toMatchObject({ ok: true, compact });
      }),
    );
  });

  it.each([
    ["K7M4-4EEX", "K7M", 123_456],
    [" k7m4 4eex ", "K7M", 123_456],
    ["k7m0.0013", "K7M", 1],
    ["OOOO-O1O6", "000", 31],
    ["oooo-ooi7", "000", 1],
  ])("reads %j as workstation %s, sequence %i", (input, workstationCode, sequence) => {
    expect(parseTrackingNumber(input)).toEqual({
      ok: true,
      compact: makeTrackingNumber(workstationCode, sequence),
      workstationCode,
      sequence,
    });
  });

  it.each([
    ["", "Veuillez saisir un numéro de suivi."],
    [" - . ", "Veuillez saisir un numéro de suivi."],
    ["K7M4-4EE", "Le numéro de suivi doit comporter 8 caractères (vous en avez saisi 7)."],
    ["K7M4-4EEXX", "Le numéro de suivi doit comporter 8 caractères (vous en avez saisi 9)."],
    ["K", "Le numéro de suivi doit comporter 8 caractères (vous en avez saisi 1)."],
    ["K7M4-4EEÇ", "Le caractère « Ç » n'existe pas dans un numéro de suivi."],
    ["k7m4-4eeç", "Le caractère « Ç » n'existe pas dans un numéro de suivi."],
    ["K7M4*4EEX", "Le caractère « * » n'existe pas dans un numéro de suivi."],
    ["K7M4/4EE", "Le caractère « / » n'existe pas dans un numéro de suivi."],
    ["K7M4-4Ee\u0301X", "Le caractère « E\u0301 » n'existe pas dans un numéro de suivi."],
    ["K7M4-4EE😀", "Le caractère « 😀 » n'existe pas dans un numéro de suivi."],
    ["K7M4-4EEY", TYPO],
    // Correct check symbol, but sequence 0 is never issued.
    ["0000-0000", "Ce numéro de suivi n'existe pas : vérifiez chaque caractère."],
  ])("rejects %j with a message for the user", (input, error) => {
    expect(parseTrackingNumber(input)).toEqual({ ok: false, error });
  });
});
