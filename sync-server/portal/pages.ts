import { formatDateFr } from "../../domain/acknowledgement";
import type { Demarche, FieldDef } from "../../domain/catalogue";
import { type Commune, communePostalAddress } from "../../domain/commune";
import type { FieldIssue } from "../../domain/zod-fr";
import { formatSize } from "../http/errors";
import { html, type SafeHtml } from "../http/html";
import type { PublicView } from "../services/public-view";
import { MAX_FILE_BYTES } from "../services/submission-schema";
import { type CITIZEN_INPUTS, fieldInput, hasOwnPlaceField, inputForPath } from "./form-model";
import { page } from "./layout";
import { type Errors, errorSummary, input } from "./widgets";

const CATEGORY_LABELS: Record<Demarche["category"], string> = {
  etat_civil: "État civil",
  elections: "Élections",
  citoyennete: "Citoyenneté",
  espace_public: "Signaler un problème dans la rue",
  securite: "Sécurité",
  education: "École et enfance",
  culture: "Culture",
  social: "Solidarité",
  general: "Autres demandes",
};

export function homePage(commune: Commune, demarches: Demarche[]): string {
  const groups = new Map<string, Demarche[]>();
  for (const d of demarches) groups.set(d.category, [...(groups.get(d.category) ?? []), d]);
  const body = html`<h1>Faire une démarche en ligne</h1>
<p>Choisissez votre démarche. Vous recevrez un numéro de suivi et un accusé par courriel.</p>
<p>Vous avez déjà fait une demande ? <a href="/suivi">Suivre une demande</a>.</p>
${[...groups.entries()].map(
  ([cat, list]) => html`<h2>${CATEGORY_LABELS[cat as Demarche["category"]] ?? cat}</h2>
<ul class="liste">${list.map((d) => html`<li><a href="/demarches/${d.id}">${d.label}</a></li>`)}</ul>
`,
)}
<h2>Besoin d'aide ?</h2>
<p>Appelez la mairie au ${commune.phone} ou venez à l'accueil : ${communePostalAddress(commune)}.</p>`;
  return page({ title: "Démarches en ligne", commune: commune.name, body });
}

export type FormState = {
  values: Record<string, string>;
  issues: FieldIssue[];
  /** A file received with an earlier post of this form (kept so the citizen does not send it again). */
  keptFile?: { name: string; token: string } | undefined;
};

function fieldSpec(def: FieldDef, values: Record<string, string>, errors: Errors) {
  const name = fieldInput(def.key);
  const type =
    def.kind === "textarea"
      ? "textarea"
      : def.kind === "select"
        ? "select"
        : def.kind === "boolean"
          ? "checkbox"
          : def.kind === "date"
            ? "date"
            : def.kind === "number"
              ? "number"
              : def.kind === "email"
                ? "email"
                : def.kind === "phone"
                  ? "tel"
                  : "text";
  const help = def.help ?? (def.kind === "date" ? "Format : JJ/MM/AAAA, par exemple 25/12/2010." : undefined);
  return input({
    name,
    label: def.label,
    // A checkbox can only be ticked or not: "required" would force a yes.
    required: def.required && def.kind !== "boolean",
    value: values[name] ?? "",
    errors,
    help,
    type,
    options: def.options,
    maxLength: def.maxLength,
  });
}

export function formPage(commune: Commune, d: Demarche, state: FormState): string {
  const errors: Errors = new Map();
  const general: string[] = [];
  for (const i of state.issues) {
    const name = inputForPath(d, i.field);
    if (!name) general.push(i.message);
    else errors.set(name, [...(errors.get(name) ?? []), i.message]);
  }
  const labels = new Map<string, string>([
    ...d.fields.map((f): [string, string] => [fieldInput(f.key), f.label]),
    ["nom", "Nom"],
    ["prenom", "Prénom"],
    ["email", "Adresse électronique"],
    ["telephone", "Téléphone"],
    ["adresse", "Adresse postale"],
    ["code_postal", "Code postal"],
    ["ville", "Commune"],
    ["lieu", "Lieu concerné"],
    ["piece", "Pièce jointe"],
    ["pour_nom", "Nom de la personne"],
    ["pour_lien", "Votre lien avec elle"],
  ]);
  const v = state.values;
  const text = (
    name: keyof typeof CITIZEN_INPUTS | "lieu" | "pour_nom" | "pour_lien",
    extra: Partial<Parameters<typeof input>[0]>,
  ) =>
    input({ name, label: labels.get(name) ?? name, required: true, value: v[name] ?? "", errors, ...extra });
  const body = html`<h1>${d.label}</h1>
<p>${d.description}</p>
${errorSummary(errors, general, labels)}
<form method="post" action="/demarches/${d.id}" enctype="multipart/form-data" novalidate>
<fieldset><legend>Votre demande</legend>
${d.fields.map((f) => fieldSpec(f, v, errors))}
${!hasOwnPlaceField(d) && d.needsLocation ? text("lieu", { help: "Adresse, ou à défaut un repère (carrefour, numéro de lampadaire…)." }) : ""}
</fieldset>
<fieldset><legend>Vos coordonnées</legend>
<p class="aide">Pour une demande en ligne, la loi demande vos nom, prénom, adresse postale et adresse électronique. Nous vous écrirons à cette adresse électronique.</p>
${text("nom", { autocomplete: "family-name", maxLength: 80 })}
${text("prenom", { autocomplete: "given-name", maxLength: 80 })}
${text("email", { type: "email", autocomplete: "email", help: "Par exemple : prenom.nom@exemple.fr" })}
${text("telephone", { type: "tel", autocomplete: "tel", required: false, help: "Pour vous joindre plus vite si besoin." })}
${text("adresse", { autocomplete: "street-address", help: "Numéro et rue", maxLength: 200 })}
${text("code_postal", { autocomplete: "postal-code", help: "5 chiffres", maxLength: 5, inputMode: "numeric" })}
${text("ville", { autocomplete: "address-level2", maxLength: 100 })}
</fieldset>
<fieldset><legend>Pièce jointe</legend>
${
  state.keptFile
    ? html`<p class="ok">Fichier déjà reçu : ${state.keptFile.name}. Vous n'avez pas besoin de l'envoyer à nouveau.</p><input type="hidden" name="piece_recue" value="${state.keptFile.token}">`
    : ""
}
${input({
  name: "piece",
  label: state.keptFile ? "Remplacer par un autre fichier" : "Document ou photo",
  required: false,
  value: "",
  errors,
  type: "file",
  accept: ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png",
  help: `PDF, JPEG ou PNG, ${formatSize(MAX_FILE_BYTES)} au maximum.`,
})}
</fieldset>
<fieldset><legend>Vous faites cette demande pour une autre personne ?</legend>
<p class="aide">Seulement si vous aidez quelqu'un (un parent, une personne que vous accompagnez).</p>
${text("pour_nom", { required: false, maxLength: 160 })}
${text("pour_lien", { required: false, maxLength: 80, help: "Par exemple : fille, voisin, assistante sociale" })}
</fieldset>
<button type="submit">Envoyer ma demande</button>
</form>`;
  return page({ title: d.label, commune: commune.name, body, hasErrors: state.issues.length > 0 });
}

export function confirmationPage(commune: Commune, displayNumber: string): string {
  const body = html`<h1>Votre demande est enregistrée</h1>
<div class="ok" role="status">
<p>Votre numéro de suivi :</p>
<p class="numero">${displayNumber}</p>
</div>
<p>Notez ce numéro. Il vous servira à suivre votre demande et à en parler avec la mairie.</p>
<p>Nous vous envoyons un accusé d'enregistrement par courriel, puis l'accusé de réception de votre demande. Pensez à regarder dans les courriers indésirables.</p>
<p><a href="/suivi">Suivre ma demande</a> · <a href="/">Faire une autre démarche</a></p>`;
  return page({ title: "Demande enregistrée", commune: commune.name, body });
}

export function followUpFormPage(
  commune: Commune,
  state: { values: Record<string, string>; issues: FieldIssue[]; notice?: string },
): string {
  const errors: Errors = new Map();
  for (const i of state.issues) {
    const name = i.field === "trackingNumber" ? "numero" : "cle";
    errors.set(name, [...(errors.get(name) ?? []), i.message]);
  }
  const labels = new Map([
    ["numero", "Numéro de suivi"],
    ["cle", "Adresse électronique ou code de suivi"],
  ]);
  const body = html`<h1>Suivre une demande</h1>
${state.notice ? html`<div class="resume" role="alert"><p>${state.notice}</p></div>` : ""}
${errorSummary(errors, [], labels)}
<form method="post" action="/suivi" novalidate>
${input({ name: "numero", label: "Numéro de suivi", required: true, value: state.values.numero ?? "", errors, help: "8 caractères, par exemple K7M4-4EEX. Il figure dans l'accusé reçu par courriel.", autocomplete: "off", maxLength: 20 })}
${input({ name: "cle", label: "Adresse électronique ou code de suivi", required: true, value: state.values.cle ?? state.values.email ?? "", errors, autocomplete: "off", maxLength: 200, help: "L'adresse électronique donnée lors de la demande, ou le code de suivi de l'accusé de réception (8 caractères, par exemple 7QKD-3MWX)." })}
<button type="submit">Voir ma demande</button>
</form>`;
  return page({
    title: "Suivre une demande",
    commune: commune.name,
    body,
    hasErrors: state.issues.length > 0 || !!state.notice,
  });
}

export function followUpResultPage(commune: Commune, v: PublicView, attestationHref: string | null): string {
  const decision = v.implicitDecision;
  const decisionText = decision
    ? decision.born
      ? `Sans réponse de la mairie dans le délai, votre demande a été ${decision.outcome === "acceptance" ? "acceptée" : "rejetée"} implicitement à la fin du ${formatDateFr(decision.on)}.`
      : `Sans réponse de la mairie d'ici là, votre demande sera réputée ${decision.outcome === "acceptance" ? "acceptée" : "rejetée"} à la fin du ${formatDateFr(decision.on)} (sous réserve que le dossier soit complet).`
    : null;
  const body = html`<h1>Demande n° ${v.trackingNumber}</h1>
<div class="ok" role="status"><p><strong>État : ${v.status}</strong></p></div>
<dl>
<dt>Démarche</dt><dd>${v.demarche}</dd>
<dt>Reçue le</dt><dd>${formatDateFr(v.receivedOn)}</dd>
<dt>Dernière mise à jour</dt><dd>${formatDateFr(v.updatedOn)}</dd>
${v.service ? html`<dt>Service chargé de votre demande</dt><dd>${v.service.name}<br>${v.service.address}<br>Téléphone : ${v.service.phone}${v.service.email ? html`<br>Courriel : ${v.service.email}` : ""}</dd>` : ""}
${decisionText ? html`<dt>Décision implicite</dt><dd>${decisionText}</dd>` : ""}
</dl>
${
  v.missingPieces
    ? html`<h2>Pièces à fournir</h2><ul class="liste">${v.missingPieces.pieces.map((p) => html`<li>${p}</li>`)}</ul>${
        v.missingPieces.dueOn ? html`<p>Au plus tard le ${formatDateFr(v.missingPieces.dueOn)}.</p>` : ""
      }`
    : ""
}
${v.answer ? html`<h2>Réponse de la mairie</h2><p>${v.answer}</p>` : ""}
${
  attestationHref
    ? html`<h2>Attestation</h2><p><a href="${attestationHref}">Télécharger l'attestation de décision implicite d'acceptation (PDF)</a></p>`
    : ""
}
<p><a href="/suivi">Suivre une autre demande</a></p>`;
  return page({ title: `Demande ${v.trackingNumber}`, commune: commune.name, body });
}

export function messagePage(
  commune: Commune,
  title: string,
  message: string,
  links: SafeHtml = html``,
): string {
  const body = html`<h1>${title}</h1><p>${message}</p>${links}<p><a href="/">Retour aux démarches</a></p>`;
  return page({ title, commune: commune.name, body });
}
