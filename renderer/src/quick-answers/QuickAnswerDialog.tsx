import { type FormEvent, useEffect, useRef, useState } from "react";
import type { Channel } from "../../../domain/channels";
import { recordQuickAnswer } from "../../db/quick-answers";
import { fr, QUICK_REASONS, type QuickReason } from "../i18n/fr";
import { signerOf, useWorkstation } from "../shared/app-context";
import { ChannelSelect } from "../shared/ChannelSelect";

/** Alt+R: log a contact answered on the spot in a few keystrokes (reason first, Enter saves). */
export function QuickAnswerDialog({ onClose }: { onClose(): void }) {
  const ws = useWorkstation();
  const { data, prefs } = ws;
  const ref = useRef<HTMLDialogElement>(null);
  const [channel, setChannel] = useState<Channel>(prefs.defaultChannel);
  const [reason, setReason] = useState<QuickReason>("horaires");
  const [text, setText] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    // Counted per workstation: one without its code yet says so rather than count under none.
    const signer = signerOf(ws);
    if (!signer) {
      setError(fr.newRequest.noWorkstationCode);
      return;
    }
    try {
      await recordQuickAnswer(data, {
        channel,
        reason,
        text,
        by: signer.username,
        workstation: signer.workstation,
      });
      onClose();
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <dialog ref={ref} className="quick-dialog" aria-labelledby="quick-title" onClose={onClose}>
      <form
        onSubmit={submit}
        onKeyDown={(e) => {
          // Enter on the reason list saves at once (a select would otherwise just open).
          if (e.key === "Enter" && (e.target as HTMLElement).tagName === "SELECT") {
            e.preventDefault();
            e.currentTarget.requestSubmit();
          }
        }}
      >
        <h2 id="quick-title">{fr.quick.title}</h2>
        <p>{fr.quick.intro}</p>
        <div className="field">
          <label htmlFor="quick-reason">{fr.quick.reason}</label>
          <select
            id="quick-reason"
            // biome-ignore lint/a11y/noAutofocus: the dialog opens on the one choice to make
            autoFocus
            value={reason}
            onChange={(e) => setReason(e.target.value as QuickReason)}
          >
            {QUICK_REASONS.map((r) => (
              <option key={r} value={r}>
                {fr.quick.reasons[r]}
              </option>
            ))}
          </select>
        </div>
        <ChannelSelect id="quick-channel" label={fr.quick.channel} value={channel} onChange={setChannel} />
        <div className="field">
          <label htmlFor="quick-text">{fr.quick.text}</label>
          <input id="quick-text" maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="buttons">
          <button type="submit">{fr.quick.save}</button>
          <button type="button" onClick={onClose}>
            {fr.quick.cancel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
