/**
 * Accusé de réception (AR) and accusé d'enregistrement électronique: their legally required
 * content, as data (lines of facts + sentences), rendered by the counter app (print) and the
 * server (emails). Articles are those of the Code des relations entre le public et
 * l'administration (CRPA) unless stated.
 *
 * - L112-3: every request gets an AR (R112-4 exceptions are the démarche's `arOwed`, decided by
 *   the caller, not here).
 * - R112-5: the AR states 1° the date of receipt and the date on which, without an express
 *   decision, the request is deemed accepted or rejected; 2° the designation, postal address,
 *   email address where there is one, and phone number of the service handling it; 3° where the
 *   file is incomplete, the L114-5 information. It says whether silence means acceptance or
 *   rejection: for a rejection, the voies et délais de recours; for an acceptance, that the
 *   applicant may ask for the attestation of L232-3.
 * - L112-11 / R112-11-1: an electronic submission gets an electronic AR with the same content,
 *   the implicit-decision date being given "sous réserve que le dossier soit complet"; when that
 *   AR is not immediate, an accusé d'enregistrement électronique stating the date of receipt.
 * - L114-5: an incomplete file's AR lists the missing pieces, the time given to supply them, and
 *   the effect on the delay (SVA: does not run until they arrive; SVR: suspended meanwhile).
 * - L111-2: letters show the first name, name, position and administrative address of the agent
 *   handling the file (unless safety justifies anonymity, hence `agent` is optional).
 * - L112-6: an AR that is missing or incomplete makes appeal time limits unenforceable against
 *   the citizen, so every mandatory mention that could not be filled is listed in `missing`:
 *   an AR with a non-empty `missing` must not be sent.
 *
 * Citizen-typed text (subject, names) is carried as is: escaping belongs to each renderer.
 */
import type { Demarche, Service } from "./catalogue";
import { CHANNEL_LABELS, type Channel } from "./channels";
import type { Commune } from "./commune";
import { formatFollowUpCode } from "./follow-up-code";
import { parisDate, sortEvents } from "./history";
import { type GuichetRequest, NO_DUE_DATE } from "./request";
import { formatTrackingNumber, TRACKING_NUMBER_PATTERN } from "./tracking-number";

export type AckAgent = { firstName: string; lastName: string; position: string };

export type AckInput = {
  request: GuichetRequest;
  demarche: Demarche;
  /** The service handling the request (the request's current `service`). */
  service: Service;
  commune: Commune;
  agent?: AckAgent;
  /** Day the AR is issued, YYYY-MM-DD. */
  issuedOn: string;
};

export type Acknowledgement = {
  kind: "accuse_reception" | "accuse_enregistrement";
  title: string;
  /** Display form with the dash. */
  trackingNumber: string;
  /** The facts, in order. */
  lines: { label: string; value: string }[];
  /** The legal mentions as sentences. */
  paragraphs: string[];
  /** Mandatory mentions that could not be filled: must be empty for a valid AR (L112-6). */
  missing: string[];
};

/** Mandatory mentions, by the names `missing` reports. */
export const MENTIONS = {
  receivedOn: "date de réception de la demande",
  trackingNumber: "numéro de suivi",
  implicitDecisionDate: "date de la décision implicite",
  serviceName: "désignation du service chargé du dossier",
  serviceAddress: "adresse postale du service chargé du dossier",
  servicePhone: "numéro de téléphone du service chargé du dossier",
  appeal: "voies et délais de recours (tribunal administratif compétent)",
  missingPieces: "liste des pièces manquantes",
  piecesDueOn: "délai imparti pour produire les pièces manquantes",
  agent: "prénom, nom et qualité de l'agent chargé du dossier",
} as const;

const MONTHS = [
  "janvier",
  "février",
  "mars",
  "avril",
  "mai",
  "juin",
  "juillet",
  "août",
  "septembre",
  "octobre",
  "novembre",
  "décembre",
];

/** "2026-03-15" → "15 mars 2026"; the first of the month is written "1er". Throws on an invalid date. */
export function formatDateFr(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (!match || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw new RangeError(`Date invalide (format attendu : AAAA-MM-JJ) : ${JSON.stringify(isoDate)}`);
  }
  return `${d === 1 ? "1er" : d} ${MONTHS[m - 1]} ${y}`;
}

const parisTime = new Intl.DateTimeFormat("fr-FR", {
  timeZone: "Europe/Paris",
  hour: "numeric",
  minute: "2-digit",
  hourCycle: "h23",
});

/** "2026-03-12T08:30:00Z" → "12 mars 2026 à 9 h 30" (Paris time). */
function formatInstantFr(isoDateTime: string): string {
  const parts = parisTime.formatToParts(new Date(isoDateTime));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${formatDateFr(parisDate(isoDateTime))} à ${Number(part("hour"))} h ${part("minute")}`;
}

/**
 * Electronic submissions (saisine par voie électronique, L112-8): the portal, and emails to the
 * mairie. Their AR is electronic (L112-11) and dates the implicit decision "sous réserve que
 * le dossier soit complet" (R112-11-1).
 */
const ELECTRONIC: readonly Channel[] = ["en_ligne", "courriel"];

const RECEIVED_THROUGH: Record<Channel, string> = {
  guichet: " au guichet",
  telephone: " par téléphone",
  courrier: " par courrier",
  courriel: " par courriel",
  en_ligne: " en ligne",
  autre: "",
};

const NUMBER_WORDS = [
  "zéro",
  "un",
  "deux",
  "trois",
  "quatre",
  "cinq",
  "six",
  "sept",
  "huit",
  "neuf",
  "dix",
  "onze",
  "douze",
];

/** "deux mois", "un mois", "15 jours": the delay of a rule, as the AR writes it. */
function periodText(rule: GuichetRequest["rule"]): string {
  if (rule.days !== undefined) return `${rule.days} jour${rule.days > 1 ? "s" : ""}`;
  const months = rule.months ?? 2;
  return `${NUMBER_WORDS[months] ?? months} mois`;
}

/** The missing pieces and their time limit, when the request currently waits for them (L114-5). */
function pendingPieces(request: GuichetRequest): { pieces: string[]; dueOn: string | undefined } | null {
  if (request.status !== "incomplete") return null;
  const last = sortEvents(request.events)
    .reverse()
    .find((e) => e.kind === "status" && e.to === "incomplete");
  if (last?.kind !== "status") return { pieces: [], dueOn: undefined };
  return { pieces: (last.missingPieces ?? []).filter((p) => p.trim() !== ""), dueOn: last.piecesDueOn };
}

function displayTracking(compact: string): string {
  return TRACKING_NUMBER_PATTERN.test(compact) ? formatTrackingNumber(compact) : compact;
}

function checkInput({ request, demarche, service }: AckInput): void {
  if (request.anonymised)
    throw new Error(`La demande ${request.id} est anonymisée : aucun accusé ne peut être établi.`);
  if (request.demarche !== demarche.id)
    throw new Error(
      `La demande ${request.id} relève de la démarche « ${request.demarche} », pas « ${demarche.id} ».`,
    );
  if (request.service !== service.id)
    throw new Error(
      `La demande ${request.id} est traitée par le service « ${request.service} », pas « ${service.id} ».`,
    );
}

type Builder = {
  lines: Acknowledgement["lines"];
  paragraphs: string[];
  missing: string[];
  line: (label: string, value: string | undefined, mention?: string) => void;
};

function builder(): Builder {
  const b: Builder = {
    lines: [],
    paragraphs: [],
    missing: [],
    line(label, value, mention) {
      const v = value?.trim() ?? "";
      if (v) b.lines.push({ label, value: v });
      else if (mention) b.missing.push(mention);
    },
  };
  return b;
}

/** R112-5 2° (and R112-11-1 2°): designation, postal address, email where there is one, phone. */
function serviceLines(b: Builder, service: Service): void {
  b.line("Service chargé du dossier", service.name, MENTIONS.serviceName);
  b.line("Adresse postale du service", service.address, MENTIONS.serviceAddress);
  b.line("Adresse électronique du service", service.email);
  b.line("Téléphone du service", service.phone, MENTIONS.servicePhone);
}

function serviceSentence(service: Service): string | null {
  const parts = [service.name, service.address].map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return null;
  const contact = [
    service.phone.trim() ? `téléphone : ${service.phone.trim()}` : "",
    service.email?.trim() ? `courriel : ${service.email.trim()}` : "",
  ].filter(Boolean);
  return `Votre demande est traitée par le service suivant : ${[...parts, ...contact].join(", ")}.`;
}

/** How to follow the request without an email: the number and the code (given at the counter, by phone, by letter). */
export const followUpSentence = (code: string): string =>
  `Pour suivre votre demande sur le portail de la commune (rubrique « Suivre une demande »), saisissez votre numéro de suivi et le code de suivi ${formatFollowUpCode(code)}, ou l'adresse électronique donnée lors de la demande. Ne communiquez ce code qu'aux personnes de confiance.`;

/** The accusé de réception of a request (R112-5; electronic per L112-11 / R112-11-1). */
export function buildAcknowledgement(input: AckInput): Acknowledgement {
  checkInput(input);
  const { request: r, demarche, service, commune, agent } = input;
  const issuedOn = formatDateFr(input.issuedOn);
  const electronic = ELECTRONIC.includes(r.channel);
  const tracking = displayTracking(r.tracking);
  const receivedOn = formatDateFr(r.receivedOn);
  const postmarkOn = r.postmarkOn ? formatDateFr(r.postmarkOn) : undefined;
  const pending = pendingPieces(r);
  const kind = r.rule.kind;
  const accepted = kind === "SVA";
  const period = periodText(r.rule);
  const dueOn = r.dueOn !== NO_DUE_DATE ? formatDateFr(r.dueOn) : undefined;
  const b = builder();

  // Facts.
  b.line("Numéro de suivi", tracking, MENTIONS.trackingNumber);
  b.line("Code de suivi", r.followUpCode ? formatFollowUpCode(r.followUpCode) : undefined);
  b.line("Démarche", demarche.label);
  b.line("Objet", r.subject);
  b.line("Demandeur", `${r.citizen.firstName} ${r.citizen.lastName}`);
  // R112-5 1°: date of receipt; for a letter also the postmark (L112-1).
  b.line("Mode de réception", CHANNEL_LABELS[r.channel]);
  b.line("Date de réception", receivedOn, MENTIONS.receivedOn);
  b.line("Date du cachet de la poste", postmarkOn);

  // R112-5 1° and last paragraph: the implicit decision, its nature and its date.
  let decisionLine: string;
  let decisionSentence: string;
  if (kind === "none") {
    decisionLine = "Sans objet";
    decisionSentence =
      "Cette demande n'est pas susceptible de donner lieu à une décision implicite : le silence gardé par l'administration ne vaudra ni acceptation ni rejet.";
  } else {
    const deemed = accepted ? "acceptée" : "rejetée";
    const nature = `Cette demande est susceptible de donner lieu à une décision implicite ${accepted ? "d'acceptation" : "de rejet"}.`;
    if (pending && accepted) {
      // L114-5, 3rd paragraph: the SVA delay runs only from the receipt of the pieces.
      decisionLine = `Acceptation ${period} après la réception des pièces manquantes`;
      decisionSentence = `${nature} Le délai de ${period} au terme duquel, à défaut de décision expresse, elle sera réputée acceptée ne court qu'à compter de la réception des pièces manquantes (article L. 114-5 du code des relations entre le public et l'administration).`;
    } else if (pending) {
      // L114-5, 4th paragraph: the SVR delay is suspended during the time given for the pieces;
      // producing them earlier ends the suspension. The projected date assumes they never come.
      decisionLine = dueOn ? `Rejet le ${dueOn} au plus tard (délai suspendu)` : "Rejet (délai suspendu)";
      decisionSentence = `${nature} Le délai de ${period} au terme duquel, à défaut de décision expresse, elle sera réputée rejetée est suspendu pendant le délai imparti pour produire les pièces manquantes ; leur production avant l'expiration de ce délai met fin à la suspension (article L. 114-5 du code des relations entre le public et l'administration).`;
      if (dueOn)
        decisionSentence += ` Si les pièces ne sont pas produites, votre demande sera réputée rejetée le ${dueOn}.`;
      else b.missing.push(MENTIONS.implicitDecisionDate);
    } else if (dueOn) {
      const reserve = electronic ? " et sous réserve que le dossier soit complet" : "";
      decisionLine = `${accepted ? "Acceptation" : "Rejet"} le ${dueOn}${electronic ? ", sous réserve que le dossier soit complet" : ""}`;
      decisionSentence = `${nature} À défaut de décision expresse dans un délai de ${period}${reserve}, elle sera réputée ${deemed} le ${dueOn}.`;
    } else {
      // Forwarded or cancelled: no date can be given, so no valid AR either (L114-2: the
      // competent administration issues it).
      decisionLine = `${accepted ? "Acceptation" : "Rejet"} (date non déterminée)`;
      decisionSentence = nature;
      b.missing.push(MENTIONS.implicitDecisionDate);
    }
  }
  b.line("Décision implicite", decisionLine);

  // R112-5 3° / L114-5: the missing pieces and the time given to supply them.
  let piecesSentence: string | null = null;
  if (pending) {
    b.line("Pièces manquantes", pending.pieces.join(" ; "), MENTIONS.missingPieces);
    const limit = pending.dueOn ? formatDateFr(pending.dueOn) : undefined;
    b.line("Pièces à fournir au plus tard le", limit, MENTIONS.piecesDueOn);
    piecesSentence =
      pending.pieces.length > 0
        ? `Votre dossier est incomplet. Merci de nous faire parvenir${limit ? ` au plus tard le ${limit}` : ""} les pièces et informations suivantes : ${pending.pieces.join(" ; ")}.`
        : "Votre dossier est incomplet.";
  }

  serviceLines(b, service);

  // L111-2: the agent handling the file, with the administrative address (the service's).
  let agentSentence: string | null = null;
  if (agent) {
    const who = [`${agent.firstName.trim()} ${agent.lastName.trim()}`.trim(), agent.position.trim()];
    if (who.every(Boolean)) {
      b.line("Dossier suivi par", who.join(", "));
      agentSentence = `Votre dossier est suivi par ${who.join(", ")}, ${service.name}, ${service.address}.`;
    } else {
      b.missing.push(MENTIONS.agent);
    }
  }
  b.line(
    electronic ? "Accusé de réception électronique établi le" : "Accusé de réception établi le",
    issuedOn,
  );

  // Sentences, in the order a letter reads.
  const postmark = postmarkOn ? ` (cachet de la poste du ${postmarkOn})` : "";
  b.paragraphs.push(
    `Nous accusons réception de votre demande « ${demarche.label} », reçue${RECEIVED_THROUGH[r.channel]} le ${receivedOn}${postmark} et enregistrée sous le numéro de suivi ${tracking}.`,
  );
  if (piecesSentence) b.paragraphs.push(piecesSentence);
  b.paragraphs.push(decisionSentence);
  if (kind === "SVR") {
    // R112-5: voies et délais de recours against the implicit rejection. R421-2 code de justice
    // administrative: two months from the birth of the implicit rejection; L411-2: an
    // administrative appeal (recours gracieux) made within that time interrupts it. R414-6 CJA:
    // individuals may file through Télérecours citoyens.
    const tribunal = commune.tribunal.trim();
    if (tribunal) {
      b.paragraphs.push(
        `En cas de décision implicite de rejet, vous pourrez, dans un délai de deux mois à compter de la date à laquelle elle sera née, former un recours gracieux auprès du maire ou un recours contentieux devant le ${tribunal}.`,
        "Le recours gracieux interrompt le délai du recours contentieux, qui court de nouveau à compter de la réponse de l'administration ; le silence gardé pendant deux mois sur ce recours vaut rejet.",
        "Le tribunal administratif peut être saisi au moyen de l'application « Télérecours citoyens », accessible sur le site www.telerecours.fr.",
      );
    } else {
      b.missing.push(MENTIONS.appeal);
    }
  }
  if (kind === "SVA") {
    // R112-5 / L232-3: the attestation of implicit acceptance, on request.
    b.paragraphs.push(
      "Si votre demande est acceptée implicitement, vous pourrez obtenir, sur simple demande, une attestation de la décision implicite d'acceptation (article L. 232-3 du code des relations entre le public et l'administration).",
    );
  }
  const serviceText = serviceSentence(service);
  if (serviceText) b.paragraphs.push(serviceText);
  if (agentSentence) b.paragraphs.push(agentSentence);
  b.paragraphs.push(`Merci de rappeler le numéro de suivi ${tracking} dans toute correspondance.`);
  if (r.followUpCode) b.paragraphs.push(followUpSentence(r.followUpCode));

  return {
    kind: "accuse_reception",
    title: electronic ? "Accusé de réception électronique" : "Accusé de réception",
    trackingNumber: tracking,
    lines: b.lines,
    paragraphs: b.paragraphs,
    missing: b.missing,
  };
}

/**
 * The accusé d'enregistrement électronique (L112-11): sent at once to an electronic submission
 * when its AR is not immediate. It states the date of receipt of the submission; the AR, with
 * the R112-5 content, follows as soon as possible.
 */
export function buildRegistrationReceipt(input: AckInput): Acknowledgement {
  checkInput(input);
  const { request: r, demarche, service } = input;
  const tracking = displayTracking(r.tracking);
  const receivedAt = formatInstantFr(r.receivedAt);
  const b = builder();
  b.line("Numéro de suivi", tracking, MENTIONS.trackingNumber);
  b.line("Démarche", demarche.label);
  b.line("Objet", r.subject);
  b.line("Envoi reçu le", receivedAt, MENTIONS.receivedOn);
  b.line("Service chargé du dossier", service.name);
  b.line("Adresse électronique du service", service.email);
  b.line("Téléphone du service", service.phone);
  b.line("Accusé d'enregistrement établi le", formatDateFr(input.issuedOn));
  b.paragraphs.push(
    `Votre envoi du ${receivedAt} a bien été enregistré sous le numéro de suivi ${tracking}.`,
    "Ce message est un accusé d'enregistrement : il ne vaut pas accusé de réception. L'accusé de réception électronique vous sera adressé dès que possible ; il indiquera si votre demande est susceptible de donner lieu à une décision implicite et à quelle date (article L. 112-11 du code des relations entre le public et l'administration).",
    `Merci de rappeler le numéro de suivi ${tracking} dans toute correspondance.`,
  );
  return {
    kind: "accuse_enregistrement",
    title: "Accusé d'enregistrement électronique",
    trackingNumber: tracking,
    lines: b.lines,
    paragraphs: b.paragraphs,
    missing: b.missing,
  };
}

/** Plain text rendering (emails, tests): the title, the facts as "label : value", then the sentences. */
export function acknowledgementText(ack: Acknowledgement): string {
  const facts = ack.lines.map((l) => `${l.label} : ${l.value}`).join("\n");
  return `${ack.title}\n\n${facts}\n\n${ack.paragraphs.join("\n\n")}\n`;
}
