import { useEffect, useRef, useState } from "react";
import type { GuichetRequest } from "../../../domain/request";
import { fr } from "../i18n/fr";

const S = fr.supervisor;

/** Requests a supervisor picked in a queue, by id. */
export type RowSelection = {
  selected: ReadonlySet<string>;
  set(ids: readonly string[], on: boolean): void;
  clear(): void;
};

/** Selection state, emptied whenever `resetKey` changes (another queue, other filters). */
export function useRowSelection(resetKey: string): RowSelection {
  const [state, setState] = useState<{ key: string; ids: ReadonlySet<string> }>({
    key: resetKey,
    ids: new Set(),
  });
  const selected = state.key === resetKey ? state.ids : new Set<string>();
  return {
    selected,
    set(ids, on) {
      setState((prev) => {
        const next = new Set(prev.key === resetKey ? prev.ids : []);
        for (const id of ids) {
          if (on) next.add(id);
          else next.delete(id);
        }
        return { key: resetKey, ids: next };
      });
    },
    clear: () => setState({ key: resetKey, ids: new Set() }),
  };
}

/** "Select this page": the rows read so far (the list loads 50 more as it scrolls). */
export function PageSelection({ rows, selection }: { rows: GuichetRequest[]; selection: RowSelection }) {
  const ids = rows.map((r) => r.id);
  const onPage = ids.filter((id) => selection.selected.has(id)).length;
  const all = ids.length > 0 && onPage === ids.length;
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = onPage > 0 && !all;
  }, [onPage, all]);
  const count = selection.selected.size;
  return (
    <div className="selection-bar">
      <label className="field checkbox">
        <input
          ref={box}
          type="checkbox"
          checked={all}
          onChange={(e) => selection.set(ids, e.target.checked)}
        />
        {S.selectPage(ids.length)}
      </label>
      <span data-testid="selection-count" aria-live="polite">
        {S.selected(count)}
      </span>
      {count > 0 && (
        <button type="button" onClick={selection.clear}>
          {S.clearSelection}
        </button>
      )}
    </div>
  );
}
