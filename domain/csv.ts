// CSV for French spreadsheets (LibreOffice / Excel fr-FR opened by double-click).
//
// fr-FR spreadsheets split on ";" (the comma is the decimal separator), only detect
// UTF-8 with a BOM, and expect CRLF. Exports carry text typed by citizens on the
// portal, so a text cell that a spreadsheet would read as a formula is neutralised
// with a leading apostrophe (OWASP "CSV injection").

export type CsvCell = string | number | null | undefined;

const SEPARATOR = ";";
const EOL = "\r\n";
const BOM = "\uFEFF";

/** First characters that make a spreadsheet evaluate a cell (=, +, -, @, tab, CR). */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[;"\r\n]/;

/** The text a spreadsheet would evaluate, defused; everything else unchanged. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** fr-FR number: decimal comma, no thousands separator, exponent kept for huge/tiny values. */
export function csvNumber(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`Not a finite number: ${n}`);
  // String() is the shortest exact form (and prints -0 as "0").
  return String(n).replace(".", ",").replace("e", "E");
}

function field(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  // A number is not text: "-3" must stay a number, not be defused.
  const text = typeof cell === "number" ? csvNumber(cell) : neutraliseFormula(cell);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function record(cells: readonly CsvCell[]): string {
  return cells.map(field).join(SEPARATOR) + EOL;
}

/** A whole file: BOM, header, one CRLF-terminated record per row. Every row has the header's width. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  let out = BOM + record(header);
  for (const [i, row] of rows.entries()) {
    if (row.length !== header.length) {
      throw new RangeError(`Row ${i} has ${row.length} cells, the header ${header.length}.`);
    }
    out += record(row);
  }
  return out;
}

const TZ = "Europe/Paris";
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const parisParts = new Intl.DateTimeFormat("en-GB", {
  timeZone: TZ,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

/**
 * A calendar day (AAAA-MM-JJ) as jj/mm/aaaa, taken as is; a date-time as jj/mm/aaaa hh:mm in
 * Paris time, the mairie's clock, whatever the workstation's zone. Both forms are recognised as
 * dates by fr-FR spreadsheets.
 */
export function csvDate(iso: string): string {
  const day = ISO_DAY.exec(iso);
  if (day) return `${day[3]}/${day[2]}/${day[1]}`;
  const t = iso.includes("T") ? Date.parse(iso) : Number.NaN;
  if (Number.isNaN(t)) throw new RangeError(`Not an ISO date or date-time: ${JSON.stringify(iso)}`);
  const p: Record<string, string> = {};
  for (const part of parisParts.formatToParts(t)) p[part.type] = part.value;
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/**
 * Reads back what toCsv writes (";" separated, RFC 4180 quoting, CRLF or LF, optional BOM).
 * Cells come back as text, apostrophe prefix included: it is what the spreadsheet shows.
 */
export function parseCsv(text: string): string[][] {
  const src = text.startsWith(BOM) ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let started = false; // whether the current record has consumed anything
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '"' && cell === "") {
      // Quoted field: runs to the next lone quote; "" is a literal quote.
      i++;
      for (;;) {
        if (i >= src.length) throw new SyntaxError("Unterminated quoted CSV field.");
        if (src[i] === '"') {
          if (src[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += src[i++];
      }
      started = true;
      continue;
    }
    if (c === SEPARATOR) {
      row.push(cell);
      cell = "";
      started = true;
      i++;
    } else if (c === "\r" || c === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      started = false;
      i += c === "\r" && src[i + 1] === "\n" ? 2 : 1;
    } else {
      cell += c;
      started = true;
      i++;
    }
  }
  if (started) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
