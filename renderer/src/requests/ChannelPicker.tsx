import { CHANNEL_LABELS, type Channel, WORKSTATION_CHANNELS } from "../../../domain/channels";
import { fr } from "../i18n/fr";

/** Native radios: arrow keys change the channel, Tab moves on. */
export function ChannelPicker({ value, onChange }: { value: Channel; onChange(c: Channel): void }) {
  return (
    <fieldset className="channels">
      <legend>{fr.newRequest.channel}</legend>
      {WORKSTATION_CHANNELS.map((c) => (
        <label key={c} className="radio">
          <input
            type="radio"
            name="channel"
            id={`channel-${c}`}
            value={c}
            checked={value === c}
            onChange={() => onChange(c)}
          />
          {CHANNEL_LABELS[c]}
        </label>
      ))}
    </fieldset>
  );
}
