import { CHANNEL_LABELS, type Channel, WORKSTATION_CHANNELS } from "../../../domain/channels";

/** A labelled choice among the channels a counter records (every door but the online portal). */
export function ChannelSelect({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: Channel;
  onChange(channel: Channel): void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value as Channel)}>
        {WORKSTATION_CHANNELS.map((c) => (
          <option key={c} value={c}>
            {CHANNEL_LABELS[c]}
          </option>
        ))}
      </select>
    </div>
  );
}
