/** C0 control characters and DEL: never allowed in a mail header, a file name or a one-line field. */
const isControl = (code: number): boolean => code < 0x20 || code === 0x7f;

export function hasControlChars(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (isControl(s.charCodeAt(i))) return true;
  return false;
}

/** Each run of control characters becomes `replacement` (a line break can never survive). */
export function replaceControlChars(s: string, replacement: string): string {
  let out = "";
  let inRun = false;
  for (const ch of s) {
    if (isControl(ch.charCodeAt(0))) {
      if (!inRun) out += replacement;
      inRun = true;
    } else {
      out += ch;
      inRun = false;
    }
  }
  return out;
}
