import { html, type SafeHtml } from "../http/html";

export type Errors = Map<string, string[]>;

export type InputSpec = {
  name: string;
  label: string;
  required: boolean;
  value: string;
  errors: Errors;
  help?: string | undefined;
  type?: "text" | "email" | "tel" | "date" | "number" | "textarea" | "select" | "checkbox" | "file";
  options?: { value: string; label: string }[] | undefined;
  autocomplete?: string;
  /** Which keyboard a phone shows ("numeric" for a postcode). */
  inputMode?: "numeric" | "tel" | "email";
  maxLength?: number | undefined;
  accept?: string;
};

/**
 * One labelled input with its help and its errors right under the label, both tied to the input
 * by aria-describedby, so a screen reader reads them when the input gets focus.
 */
export function input(s: InputSpec): SafeHtml {
  const errs = s.errors.get(s.name) ?? [];
  const helpId = s.help ? `${s.name}-aide` : "";
  const errId = errs.length > 0 ? `${s.name}-erreur` : "";
  const describedBy = [errId, helpId].filter(Boolean).join(" ");
  const common = html` id="${s.name}" name="${s.name}"${s.required ? html` required aria-required="true"` : ""}${
    errs.length > 0 ? html` aria-invalid="true"` : ""
  }${describedBy ? html` aria-describedby="${describedBy}"` : ""}${s.autocomplete ? html` autocomplete="${s.autocomplete}"` : ""}`;
  const label = html`${s.label}${s.required ? "" : " (facultatif)"}`;
  const help = s.help ? html`<span class="aide" id="${helpId}">${s.help}</span>` : "";
  const errors =
    errs.length > 0
      ? html`<p class="erreur" id="${errId}">${errs.map((e, i) => html`${i > 0 ? " " : ""}Erreur : ${e}`)}</p>`
      : "";
  const max = html`${s.maxLength ? html` maxlength="${s.maxLength}"` : ""}${s.inputMode ? html` inputmode="${s.inputMode}"` : ""}`;
  switch (s.type) {
    case "checkbox":
      return html`<div>${errors}<label class="case" for="${s.name}"><input type="checkbox" value="oui"${common}${
        s.value === "oui" ? html` checked` : ""
      }>${s.label}</label>${help}</div>`;
    case "textarea":
      return html`<label for="${s.name}">${label}</label>${help}${errors}<textarea rows="6"${common}${max}>${s.value}</textarea>`;
    case "select":
      return html`<label for="${s.name}">${label}</label>${help}${errors}<select${common}><option value="">— Choisissez —</option>${(
        s.options ?? []
      ).map(
        (o) =>
          html`<option value="${o.value}"${o.value === s.value ? html` selected` : ""}>${o.label}</option>`,
      )}</select>`;
    case "file":
      return html`<label for="${s.name}">${label}</label>${help}${errors}<input type="file"${common} accept="${s.accept ?? ""}">`;
    default:
      return html`<label for="${s.name}">${label}</label>${help}${errors}<input type="${s.type ?? "text"}"${common}${max} value="${s.value}">`;
  }
}

/** At the top of a form with errors: what went wrong, each a link to its field. */
export function errorSummary(
  errors: Errors,
  general: string[],
  labels: ReadonlyMap<string, string> = new Map(),
): SafeHtml {
  const items = [...errors.entries()].flatMap(([name, msgs]) => msgs.map((m) => ({ name, m })));
  if (items.length === 0 && general.length === 0) return html``;
  return html`<div class="resume" role="alert">
<h2 id="resume-erreurs">Le formulaire contient ${plural(items.length + general.length, "erreur")}</h2>
<ul class="liste">${general.map((g) => html`<li>${g}</li>`)}${items.map((i) => html`<li><a href="#${i.name}">${labels.get(i.name) ? `${labels.get(i.name)} : ` : ""}${i.m}</a></li>`)}</ul>
</div>`;
}

function plural(n: number, word: string): string {
  return n > 1 ? `${n} ${word}s` : `une ${word}`;
}
