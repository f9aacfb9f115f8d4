import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvDate, csvNumber, neutraliseFormula, parseCsv, toCsv } from "./csv";

const BOM = "\uFEFF";

describe("toCsv", () => {
  it("starts with a UTF-8 BOM, separates with semicolons and ends every line with CRLF", () => {
    expect(toCsv(["a", "b"], [["1", "2"]])).toBe(`${BOM}a;b\r\n1;2\r\n`);
  });

  it("writes only the header when there are no rows", () => {
    expect(toCsv(["numéro", "démarche"], [])).toBe(`${BOM}numéro;démarche\r\n`);
  });

  it("quotes fields holding a separator, a quote or a line break, doubling the quotes", () => {
    expect(toCsv(["x"], [["a;b"], ['il a dit "oui"'], ["ligne 1\r\nligne 2"], ["a\nb"], ["a\rb"]])).toBe(
      `${BOM}x\r\n"a;b"\r\n"il a dit ""oui"""\r\n"ligne 1\r\nligne 2"\r\n"a\nb"\r\n"a\rb"\r\n`,
    );
  });

  it("leaves commas, apostrophes and accents unquoted", () => {
    expect(toCsv(["x"], [["Dupont, Jean"], ["l'école"], ["Élodie Ñúñez"]])).toBe(
      `${BOM}x\r\nDupont, Jean\r\nl'école\r\nÉlodie Ñúñez\r\n`,
    );
  });

  it("writes null and undefined as empty cells", () => {
    expect(toCsv(["a", "b", "c"], [[null, undefined, ""]])).toBe(`${BOM}a;b;c\r\n;;\r\n`);
  });

  it("writes numbers the French way: decimal comma, no thousands separator", () => {
    expect(toCsv(["n"], [[1234567], [3.5], [-0.25], [0], [-0]])).toBe(
      `${BOM}n\r\n1234567\r\n3,5\r\n-0,25\r\n0\r\n0\r\n`,
    );
  });

  it("does not defuse negative numbers: they are numbers, not formulas", () => {
    expect(toCsv(["n"], [[-12]])).toBe(`${BOM}n\r\n-12\r\n`);
  });

  it.each([
    ['=HYPERLINK("http://evil.example";"clic")', '\'=HYPERLINK("http://evil.example";"clic")'],
    ["+33 1 23", "'+33 1 23"],
    ["-1+1", "'-1+1"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\t=1+1", "'\t=1+1"],
    ["\r=1+1", "'\r=1+1"],
  ])("prefixes the text %j with an apostrophe so no spreadsheet evaluates it", (typed, shown) => {
    expect(parseCsv(toCsv(["x"], [[typed]]))).toEqual([["x"], [shown]]);
  });

  it("keeps the quoting of a neutralised formula that holds separators", () => {
    expect(toCsv(["x"], [['=HYPERLINK("u";"v")']])).toBe(`${BOM}x\r\n"'=HYPERLINK(""u"";""v"")"\r\n`);
  });

  it("neutralises formulas in the header too", () => {
    expect(toCsv(["=a"], [])).toBe(`${BOM}'=a\r\n`);
  });

  it("leaves text where the trigger character is not first alone", () => {
    for (const text of ["a=b", " =1", "1-2", "x@y.fr", "'=déjà"]) expect(neutraliseFormula(text)).toBe(text);
  });

  it("refuses a row whose width differs from the header's", () => {
    expect(() => toCsv(["a", "b"], [["1"]])).toThrow(RangeError);
  });

  it("refuses non-finite numbers rather than writing NaN into a spreadsheet", () => {
    expect(() => csvNumber(Number.NaN)).toThrow(RangeError);
    expect(() => csvNumber(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });

  it("writes huge and tiny numbers with an exponent and a decimal comma", () => {
    expect(csvNumber(1.5e21)).toBe("1,5E+21");
    expect(csvNumber(1e-7)).toBe("1E-7");
  });
});

describe("csvDate", () => {
  it("writes a calendar day as jj/mm/aaaa without any time-zone shift", () => {
    expect(csvDate("2026-03-05")).toBe("05/03/2026");
    expect(csvDate("2026-12-31")).toBe("31/12/2026");
  });

  it("writes a date-time in Paris time, winter (UTC+1) and summer (UTC+2)", () => {
    expect(csvDate("2026-01-15T08:05:00.000Z")).toBe("15/01/2026 09:05");
    expect(csvDate("2026-07-14T22:30:00Z")).toBe("15/07/2026 00:30");
    expect(csvDate("2026-07-14T10:00:00+02:00")).toBe("14/07/2026 10:00");
  });

  it("crosses the daylight saving change on the right hour", () => {
    // 29 March 2026, 01:00 UTC is 03:00 Paris (summer time starts).
    expect(csvDate("2026-03-29T00:59:00Z")).toBe("29/03/2026 01:59");
    expect(csvDate("2026-03-29T01:00:00Z")).toBe("29/03/2026 03:00");
  });

  it("refuses what is not an ISO date", () => {
    for (const bad of ["", "05/03/2026", "hier", "2026-3-5"]) expect(() => csvDate(bad)).toThrow(RangeError);
  });
});

describe("parseCsv", () => {
  it("strips the BOM and reads quoted fields with separators, quotes and line breaks", () => {
    expect(parseCsv(`${BOM}a;b\r\n"x;y";"il a dit ""oui"""\r\n"1\r\n2";\r\n`)).toEqual([
      ["a", "b"],
      ["x;y", 'il a dit "oui"'],
      ["1\r\n2", ""],
    ]);
  });

  it("accepts LF line ends and a missing final line break", () => {
    expect(parseCsv("a;b\nc;d")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });

  it("reads an empty line as one empty cell and an empty text as no rows", () => {
    expect(parseCsv("a\r\n\r\nb\r\n")).toEqual([["a"], [""], ["b"]]);
    expect(parseCsv("")).toEqual([]);
    expect(parseCsv(BOM)).toEqual([]);
  });

  it("refuses an unterminated quoted field", () => {
    expect(() => parseCsv('a;"b\r\n')).toThrow(SyntaxError);
  });
});

// Any text a citizen could type, line breaks, quotes, separators and BOMs included.
const special = fc.constantFrom(";", '"', "\r", "\n", "\t", "=", "+", "-", "@", "'", BOM);
const anyText = fc.string({
  unit: fc.oneof(special, fc.string({ unit: "binary", minLength: 1, maxLength: 1 })),
});

const table = fc.integer({ min: 1, max: 5 }).chain((width) =>
  fc.record({
    header: fc.array(anyText, { minLength: width, maxLength: width }),
    rows: fc.array(fc.array(anyText, { minLength: width, maxLength: width }), { maxLength: 8 }),
  }),
);

describe("round trip", () => {
  it("parses back any table of text as written, with only formula-like cells prefixed", () => {
    fc.assert(
      fc.property(table, ({ header, rows }) => {
        const expected = [header, ...rows].map((r) => r.map(neutraliseFormula));
        expect(parseCsv(toCsv(header, rows))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("prefixes exactly the cells whose first character is = + - @ tab or CR", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const cell = parseCsv(toCsv(["x"], [[text]]))[1]?.[0] ?? "";
        const trigger = /^[=+\-@\t\r]/.test(text);
        expect(cell).toBe(trigger ? `'${text}` : text);
      }),
      { numRuns: 1000 },
    );
  });

  it("writes finite numbers that read back to the same value once the comma is a dot", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const cell = parseCsv(toCsv(["n"], [[n]]))[1]?.[0] ?? "";
        expect(cell).not.toMatch(/[.\s\u202f\u00a0]/);
        expect(Number(cell.replace(",", "."))).toBe(n === 0 ? 0 : n);
      }),
    );
  });

  it("keeps every record on its own CRLF-terminated line outside quotes", () => {
    fc.assert(
      fc.property(table, ({ header, rows }) => {
        const csv = toCsv(header, rows);
        expect(csv.startsWith(BOM)).toBe(true);
        expect(csv.endsWith("\r\n")).toBe(true);
        expect(parseCsv(csv)).toHaveLength(rows.length + 1);
      }),
    );
  });
});
