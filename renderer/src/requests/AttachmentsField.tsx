import { useState } from "react";
import { MAX_ATTACHMENTS, type PendingAttachment, readAttachment } from "../../db/attachments";
import { fr } from "../i18n/fr";

/** Files are read, typed by their content and hashed here; they wait on this workstation until sent. */
export function AttachmentsField(props: {
  value: PendingAttachment[];
  onChange(v: PendingAttachment[]): void;
}) {
  const [problems, setProblems] = useState<string[]>([]);

  async function add(files: FileList | null) {
    const found: string[] = [];
    const added: PendingAttachment[] = [];
    for (const file of Array.from(files ?? [])) {
      if (props.value.length + added.length >= MAX_ATTACHMENTS) {
        found.push(fr.newRequest.attachmentTooMany);
        break;
      }
      const read = await readAttachment(file);
      if (read.ok) added.push(read.file);
      else
        found.push(
          read.reason === "type"
            ? fr.newRequest.attachmentBadType(file.name)
            : fr.newRequest.attachmentTooBig(file.name),
        );
    }
    setProblems(found);
    if (added.length > 0) props.onChange([...props.value, ...added]);
  }

  return (
    <fieldset>
      <legend>{fr.newRequest.attachments}</legend>
      <p id="attachments-help" className="help">
        {fr.newRequest.attachmentsHelp}
      </p>
      <label htmlFor="f-attachments">{fr.newRequest.attachments}</label>
      <input
        id="f-attachments"
        type="file"
        multiple
        accept="application/pdf,image/jpeg,image/png"
        aria-describedby={`attachments-help${problems.length ? " attachments-error" : ""}`}
        onChange={(e) => {
          void add(e.target.files);
          e.target.value = "";
        }}
      />
      {problems.length > 0 && (
        <ul id="attachments-error" className="field-error">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {props.value.length > 0 && (
        <ul className="attachments">
          {props.value.map((a) => (
            <li key={a.meta.id}>
              {a.meta.name} ({fr.common.kilobytes(a.meta.size)}){" "}
              <button
                type="button"
                onClick={() => props.onChange(props.value.filter((x) => x.meta.id !== a.meta.id))}
              >
                {fr.newRequest.removeAttachment(a.meta.name)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </fieldset>
  );
}
