import { useEffect } from "react";
import { searchTypedAhead } from "../shared/typed-ahead";

export type ShortcutHandlers = {
  newRequest(): void;
  quickAnswer(): void;
  queues(): void;
  search(): void;
};

function isEditable(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (el as HTMLElement).isContentEditable;
}

/**
 * Global shortcuts, matched on the physical key (`code`) so they work on AZERTY and whatever
 * character Alt produces. "/" only outside text fields, where it would be typed.
 */
export function useGlobalShortcuts(h: ShortcutHandlers): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Typed after "/" while the search screen renders: kept for its box, not lost on the page.
      if (!isEditable(document.activeElement) && searchTypedAhead.key(e, performance.now())) {
        e.preventDefault();
        return;
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const action =
          e.code === "KeyN"
            ? h.newRequest
            : e.code === "KeyR"
              ? h.quickAnswer
              : e.code === "KeyF"
                ? h.queues
                : null;
        if (action) {
          e.preventDefault();
          action();
        }
        return;
      }
      if (e.key === "/" && !e.ctrlKey && !e.altKey && !e.metaKey && !isEditable(document.activeElement)) {
        e.preventDefault();
        h.search();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [h]);
}
