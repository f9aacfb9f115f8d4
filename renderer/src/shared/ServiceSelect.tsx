import type { Service } from "../../../domain/catalogue";

/** A labelled choice among the catalogue's services; `emptyLabel` adds a first "no change" choice. */
export function ServiceSelect({
  id,
  label,
  value,
  onChange,
  services,
  emptyLabel,
}: {
  id: string;
  label: string;
  value: string;
  onChange(serviceId: string): void;
  services: readonly Service[];
  emptyLabel?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {emptyLabel !== undefined && <option value="">{emptyLabel}</option>}
        {services.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </div>
  );
}
