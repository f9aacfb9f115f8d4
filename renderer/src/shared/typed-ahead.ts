/** A key as the keyboard handler sees it. */
export type TypedKey = { key: string; ctrlKey: boolean; altKey: boolean; metaKey: boolean };

/** How long after the shortcut keys are still caught: the screen renders in far less. */
const CATCH_MS = 2000;

/**
 * The keys an agent types right after a shortcut, before the field it opens has the focus: a
 * fast agent types "/muller" in one go, and the first letters used to fall on the page, not in
 * the search box. The shortcut starts catching; the field takes what was caught as it appears.
 */
export class TypedAhead {
  private text: string | null = null;
  private until = 0;

  start(now: number): void {
    this.text = "";
    this.until = now + CATCH_MS;
  }

  /** True when the key was caught (its default is then the caller's to prevent). */
  key(e: TypedKey, now: number): boolean {
    if (this.text === null) return false;
    if (now > this.until || e.key === "Escape") {
      this.text = null;
      return false;
    }
    if (e.ctrlKey || e.altKey || e.metaKey) return false;
    if (e.key === "Backspace") {
      this.text = this.text.slice(0, -1);
      return true;
    }
    // A printable character is one code point; "Enter", "Tab", "ArrowLeft"… are names.
    if ([...e.key].length !== 1) return false;
    this.text += e.key;
    return true;
  }

  /** What was caught so far (a render may run twice: reading does not stop the catching). */
  peek(): string {
    return this.text ?? "";
  }

  /** What was caught; catching stops. */
  take(): string {
    const text = this.text ?? "";
    this.text = null;
    return text;
  }
}

/** Between the "/" shortcut and the search box. */
export const searchTypedAhead = new TypedAhead();
