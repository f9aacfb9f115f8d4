// biome-ignore-all lint/a11y/noNoninteractiveElementToInteractiveRole: the WAI-ARIA combobox pattern's listbox of options (ul/li with roles)
// biome-ignore-all lint/a11y/useFocusableInteractive: options are reached through aria-activedescendant, focus stays in the input
import { type KeyboardEvent, useId, useState } from "react";
import { fr } from "../i18n/fr";

export type ComboOption = { id: string; label: string; hint?: string };

type Props = {
  id: string;
  label: string;
  value: string;
  onInput(text: string): void;
  options: ComboOption[];
  onSelect(option: ComboOption): void;
  placeholder?: string;
  emptyText?: string;
  describedBy?: string | undefined;
  invalid?: boolean;
  required?: boolean;
};

/**
 * Type-ahead list (WAI-ARIA combobox pattern): arrows move, Enter picks, Escape closes. The first
 * match is active as soon as there is one, so "type, Enter" is enough for the usual case.
 */
export function Combobox(props: Props) {
  const listId = useId();
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const { options } = props;
  const shown = open && props.value.trim() !== "";
  const current = shown ? options[Math.min(active, options.length - 1)] : undefined;
  const optionId = (o: ComboOption) => `${listId}-${o.id}`;

  function pick(o: ComboOption) {
    props.onSelect(o);
    setOpen(false);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setOpen(true);
      const n = options.length;
      if (n > 0)
        setActive((a) =>
          e.key === "ArrowDown" ? (Math.min(a, n - 1) + 1) % n : (Math.min(a, n - 1) - 1 + n) % n,
        );
    } else if (e.key === "Enter" && !e.ctrlKey && !e.metaKey) {
      if (current) {
        e.preventDefault();
        pick(current);
      }
    } else if (e.key === "Escape" && shown) {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
    }
  }

  return (
    <div className={`combobox${props.invalid ? " invalid" : ""}`}>
      <label htmlFor={props.id}>
        {props.label}
        {props.required && <span className="req">{fr.common.requiredMark}</span>}
      </label>
      <input
        id={props.id}
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={shown && options.length > 0}
        aria-controls={listId}
        aria-activedescendant={current ? optionId(current) : undefined}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
        aria-required={props.required || undefined}
        placeholder={props.placeholder}
        value={props.value}
        onChange={(e) => {
          props.onInput(e.target.value);
          setActive(0);
          setOpen(true);
        }}
        onKeyDown={onKeyDown}
        onBlur={() => setOpen(false)}
        onFocus={() => setOpen(true)}
      />
      <ul id={listId} role="listbox" aria-label={props.label} hidden={!shown || options.length === 0}>
        {shown &&
          options.map((o) => (
            <li
              key={o.id}
              id={optionId(o)}
              role="option"
              aria-selected={o === current}
              className={o === current ? "active" : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(o);
              }}
            >
              {o.label}
              {o.hint && <span className="hint"> — {o.hint}</span>}
            </li>
          ))}
      </ul>
      {shown && options.length === 0 && props.emptyText && (
        <p className="help" role="status">
          {props.emptyText}
        </p>
      )}
    </div>
  );
}
