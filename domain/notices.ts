import { formatDateFr } from "./acknowledgement";
import { addDays, daysBetween } from "./calendar";
import type { Commune } from "./commune";
import { parisDate, sortEvents } from "./history";
import { fillTemplate, type NoticeKind, type NoticeTemplate } from "./notice-templates";
import type { GuichetRequest, RequestEvent } from "./request";
import { formatTrackingNumber } from "./tracking-number";

/**
 * What the citizen is told after the accusé, one notice per event (CRPA):
 * - pieces requested (L114-5): the list, the time limit and what it does to the délai;
 * - answered, closed, cancelled: the outcome of the request;
 * - forwarded (L114-2): the administration it went to and the date of transmission;
 * - implicit decision born: SVA with the attestation (L232-3), SVR with the voies de recours.
 * Pure: the server's outbox sends each by email exactly once (recorded as `message_sent` with the
 * event as `ref`), the counter prints the same text as a letter for citizens without an email.
 */
export type { NoticeKind };

export type NoticeEvent = { eventId: string; kind: NoticeKind; at: string };

export type Notice = {
  kind: NoticeKind;
  eventId: string;
  /** Without citizen text: mail subjects are seen in lists and previews. */
  subject: string;
  paragraphs: string[];
};

const STATUS_NOTICES: Partial<Record<string, NoticeKind>> = {
  incomplete: "pieces",
  answered: "answered",
  closed: "closed",
  forwarded: "forwarded",
  cancelled: "cancelled",
};

function noticeKindOf(e: RequestEvent): NoticeKind | null {
  if (e.kind === "status") return STATUS_NOTICES[e.to] ?? null;
  if (e.kind === "implicit_decision")
    return e.outcome === "acceptance" ? "implicit_acceptance" : "implicit_rejection";
  return null;
}

/** Every event of the request that owes the citizen a notice, oldest first. */
export function noticeEvents(r: Pick<GuichetRequest, "events">): NoticeEvent[] {
  return sortEvents(r.events).flatMap((e) => {
    const kind = noticeKindOf(e);
    return kind ? [{ eventId: e.id, kind, at: e.at }] : [];
  });
}

/**
 * The notices still to send by email: not yet recorded as sent, and recent (a notice weeks after
 * the event, e.g. for events older than this feature, would be noise, not information).
 */
export function unsentNotices(r: GuichetRequest, today: string, maxAgeDays: number): NoticeEvent[] {
  if (r.anonymised || !r.citizen.email) return [];
  const sent = new Set(r.events.flatMap((e) => (e.kind === "message_sent" ? [e.ref] : [])));
  return noticeEvents(r).filter(
    (n) => !sent.has(n.eventId) && daysBetween(parisDate(n.at), today) <= maxAgeDays,
  );
}

type NoticeContext = {
  commune: Commune;
  demarcheLabel: string;
  /** Where the citizen follows the request (links to the SVA attestation from there). */
  followUpUrl: string;
  /** The démarche's own wording (notice-templates.ts), for the kinds its admin wrote. */
  templates?: Partial<Record<NoticeKind, NoticeTemplate>> | undefined;
};

/** The text of one notice, in the order a letter reads. */
export function buildNotice(r: GuichetRequest, eventId: string, ctx: NoticeContext): Notice {
  const e = r.events.find((x) => x.id === eventId);
  const kind = e ? noticeKindOf(e) : null;
  if (!e || !kind) throw new RangeError(`No notice for event ${eventId} of ${r.id}.`);
  const number = formatTrackingNumber(r.tracking);
  const on = formatDateFr(parisDate(e.at));
  const about = `votre demande « ${ctx.demarcheLabel} » n° ${number}, reçue le ${formatDateFr(r.receivedOn)}`;
  const words = { ...ctx, number, on, about };
  const { main, legal } = paragraphsFor(r, e, kind, words);
  const values = templateValues(r, e, words);
  const template = ctx.templates?.[kind];
  return {
    kind,
    eventId,
    subject: template
      ? `${fillTemplate(template.subject, values).join(" ")} – demande n° ${number}`
      : `${SUBJECTS[kind]} – demande n° ${number} – ${ctx.commune.name}`,
    paragraphs: [
      ...(template ? fillTemplate(template.body, values) : main),
      ...legal,
      `Pour suivre votre demande : ${ctx.followUpUrl}, avec votre numéro de suivi ${number}${r.followUpCode ? " et votre code de suivi" : ""}. Merci de rappeler ce numéro dans toute correspondance.`,
    ],
  };
}

const SUBJECTS: Record<NoticeKind, string> = {
  pieces: "Pièces manquantes",
  answered: "Réponse à votre demande",
  closed: "Demande traitée",
  forwarded: "Demande transmise à l'administration compétente",
  cancelled: "Demande annulée",
  implicit_acceptance: "Décision implicite d'acceptation",
  implicit_rejection: "Décision implicite de rejet",
};

type Words = NoticeContext & { number: string; on: string; about: string };

/** What a template may say: the same facts the default text uses, as text. */
function templateValues(r: GuichetRequest, e: RequestEvent, w: Words): Record<string, string> {
  const status = e.kind === "status" ? e : undefined;
  const due = e.kind === "implicit_decision" ? e.dueOn : r.dueOn;
  return {
    numero: w.number,
    demarche: w.demarcheLabel,
    recue_le: formatDateFr(r.receivedOn),
    date: w.on,
    commune: w.commune.name,
    pieces: (status?.missingPieces ?? [])
      .filter((p) => p.trim())
      .map((p) => `« ${p} »`)
      .join(", "),
    date_limite: status?.piecesDueOn ? formatDateFr(status.piecesDueOn) : "",
    reponse: status?.answer?.trim() ?? "",
    administration: status?.forwardedTo?.trim() || "l'administration compétente",
    date_decision: e.kind === "implicit_decision" ? formatDateFr(addDays(due, 1)) : "",
  };
}

/** The default wording (`main`, what a template replaces) and what the law requires (`legal`, always said). */
function paragraphsFor(
  r: GuichetRequest,
  e: RequestEvent,
  kind: NoticeKind,
  w: Words,
): { main: string[]; legal: string[] } {
  switch (kind) {
    case "pieces":
      return piecesParagraphs(r, e, w);
    case "answered": {
      const answer = e.kind === "status" ? e.answer?.trim() : undefined;
      return {
        main: [
          `Nous avons répondu le ${w.on} à ${w.about}.`,
          ...(answer ? [`Notre réponse : ${answer}`] : []),
        ],
        legal: [],
      };
    }
    case "closed":
      return { main: [`Le traitement de ${w.about} est terminé depuis le ${w.on}.`], legal: [] };
    case "cancelled":
      return { main: [`${capitalise(w.about)} a été annulée le ${w.on}.`], legal: [] };
    case "forwarded": {
      // L114-2: the citizen is told where the request went; the competent administration issues the AR.
      const to =
        e.kind === "status" && e.forwardedTo?.trim() ? e.forwardedTo.trim() : "l'administration compétente";
      return {
        main: [
          `${capitalise(w.about)} ne relève pas de la compétence de la commune. Elle a été transmise le ${w.on} à : ${to}.`,
        ],
        legal: [
          "Cette administration vous adressera un accusé de réception ; c'est elle qui traitera votre demande (article L. 114-2 du code des relations entre le public et l'administration).",
        ],
      };
    }
    case "implicit_acceptance": {
      const due = e.kind === "implicit_decision" ? e.dueOn : r.dueOn;
      return {
        main: [
          `Faute de décision expresse dans le délai prévu, ${w.about} est réputée acceptée depuis le ${formatDateFr(addDays(due, 1))} (article L. 231-1 du code des relations entre le public et l'administration).`,
        ],
        legal: [
          `Vous pouvez obtenir une attestation de cette décision implicite d'acceptation (article L. 232-3) : elle est disponible sur la page de suivi de votre demande, ${w.followUpUrl}, ou sur simple demande à la mairie.`,
        ],
      };
    }
    case "implicit_rejection": {
      const due = e.kind === "implicit_decision" ? e.dueOn : r.dueOn;
      const tribunal = w.commune.tribunal.trim();
      return {
        main: [
          `Faute de décision expresse dans le délai prévu, ${w.about} est réputée rejetée depuis le ${formatDateFr(addDays(due, 1))} (article L. 231-4 du code des relations entre le public et l'administration).`,
        ],
        legal: [
          `Vous pouvez, dans un délai de deux mois à compter de cette date, former un recours gracieux auprès du maire ou un recours contentieux devant le ${tribunal}. Le recours gracieux interrompt le délai du recours contentieux. Le tribunal administratif peut être saisi au moyen de l'application « Télérecours citoyens » (www.telerecours.fr).`,
          "Vous pouvez aussi demander à la mairie la communication des motifs de cette décision dans le délai du recours contentieux (article L. 232-4).",
        ],
      };
    }
  }
}

function piecesParagraphs(r: GuichetRequest, e: RequestEvent, w: Words): { main: string[]; legal: string[] } {
  const pieces = e.kind === "status" ? (e.missingPieces ?? []).filter((p) => p.trim()) : [];
  const limit = e.kind === "status" && e.piecesDueOn ? formatDateFr(e.piecesDueOn) : null;
  const main = [
    `Pour instruire ${w.about}, il nous manque les pièces suivantes : ${pieces.map((p) => `« ${p} »`).join(", ")}.`,
    limit
      ? `Merci de nous les transmettre au plus tard le ${limit}.`
      : "Merci de nous les transmettre dès que possible.",
  ];
  // L114-5: what the missing pieces do to the délai of the implicit decision.
  const legal: string[] = [];
  if (r.rule.kind === "SVA")
    legal.push(
      "Le délai au terme duquel votre demande sera réputée acceptée ne court qu'à compter de la réception de l'ensemble de ces pièces (article L. 114-5 du code des relations entre le public et l'administration).",
    );
  else if (r.rule.kind === "SVR")
    legal.push(
      `Le délai au terme duquel votre demande sera réputée rejetée est suspendu jusqu'à la réception de ces pièces${limit ? `, et au plus tard jusqu'au ${limit}` : ""} (article L. 114-5 du code des relations entre le public et l'administration).`,
    );
  return { main, legal };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Plain text (emails, letters' tests): the paragraphs, blank lines between. */
export const noticeText = (n: Notice): string => `Madame, Monsieur,\n\n${n.paragraphs.join("\n\n")}\n`;
