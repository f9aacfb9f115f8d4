export const DEFAULT_PDF_BASENAME = "accuse-de-reception";
export const MAX_PDF_NAME_LENGTH = 120;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * A file name (never a path) ending in .pdf, valid on Windows and Linux: the last path component
 * only, no control or reserved characters, no leading dot or dash, no reserved device name.
 */
export function sanitizePdfName(input: string): string {
  const last = input.normalize("NFC").split(/[/\\]/).pop() ?? "";
  let base = last
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced here.
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, "-")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/(\.pdf)+$/i, "")
    .replace(/^[.\s-]+/, "")
    .replace(/[.\s]+$/, "");
  base = [...base]
    .slice(0, MAX_PDF_NAME_LENGTH - 4)
    .join("")
    .replace(/[.\s]+$/, "");
  if (!base) base = DEFAULT_PDF_BASENAME;
  if (WINDOWS_RESERVED.test(base.split(".")[0] ?? "")) base = `${DEFAULT_PDF_BASENAME}-${base}`;
  return `${base}.pdf`;
}

/** The path the agent chose in the dialog, with .pdf added when missing. */
export function ensurePdfExtension(filePath: string): string {
  return /\.pdf$/i.test(filePath) ? filePath : `${filePath}.pdf`;
}
