import PDFDocument from "pdfkit";
import { formatDateFr } from "../../domain/acknowledgement";
import { addDays } from "../../domain/calendar";
import type { Catalogue } from "../../domain/catalogue";
import { findDemarche, findService } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";

/** Words for months in the period sentence ("deux mois"). */
const MONTHS = [
  "",
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

function period(rule: GuichetRequest["rule"]): string {
  if (rule.days !== undefined) return `${rule.days} jour${rule.days > 1 ? "s" : ""}`;
  const m = rule.months ?? 2;
  return `${MONTHS[m] ?? m} mois`;
}

/**
 * Attestation de décision implicite d'acceptation (L232-3 CRPA): issued on request once an SVA
 * request's period ended without an express decision. `dueOn` is the last day of the period, so
 * the decision exists from the next day (see domain/deadlines.ts).
 */
export function attestationPdf(
  r: GuichetRequest,
  catalogue: Catalogue,
  commune: Commune,
  today: string,
): Promise<Buffer> {
  const demarche = findDemarche(catalogue, r.demarche);
  const service = findService(catalogue, r.service);
  const bornOn = addDays(r.dueOn, 1);
  const doc = new PDFDocument({
    size: "A4",
    margin: 60,
    info: { Title: "Attestation de décision implicite d'acceptation", Author: commune.name },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));

  doc.font("Helvetica-Bold").fontSize(13).text(commune.name);
  doc
    .font("Helvetica")
    .fontSize(10)
    .text(commune.address)
    .text(`Téléphone : ${commune.phone} – Courriel : ${commune.email}`);
  if (service) doc.moveDown(0.5).text(`${service.name}, ${service.address}`);
  doc.moveDown(2);
  doc
    .font("Helvetica-Bold")
    .fontSize(16)
    .text("Attestation de décision implicite d'acceptation", { align: "center" });
  doc
    .font("Helvetica")
    .fontSize(10)
    .text("(article L. 232-3 du code des relations entre le public et l'administration)", {
      align: "center",
    });
  doc.moveDown(2).fontSize(11);
  const who = r.anonymised ? "" : `${r.citizen.firstName} ${r.citizen.lastName}`;
  const address = r.citizen.address
    ? `, demeurant ${r.citizen.address.line}, ${r.citizen.address.postcode} ${r.citizen.address.city}`
    : "";
  doc.text(
    `Le maire de la commune atteste que la demande « ${demarche?.label ?? r.subject} » présentée par ${who}${address}, ` +
      `reçue le ${formatDateFr(r.receivedOn)} et enregistrée sous le numéro de suivi ${formatTrackingNumber(r.tracking)}, ` +
      `n'a pas fait l'objet d'une décision expresse dans le délai de ${period(r.rule)} prévu.`,
    { align: "justify" },
  );
  doc.moveDown();
  doc.text(
    `En application de l'article L. 231-1 du code des relations entre le public et l'administration, le silence gardé ` +
      `par l'administration a fait naître une décision implicite d'acceptation à l'expiration de ce délai, le ` +
      `${formatDateFr(r.dueOn)} à minuit. Cette décision est acquise depuis le ${formatDateFr(bornOn)}.`,
    { align: "justify" },
  );
  doc.moveDown();
  doc.text(
    "La présente attestation est délivrée à la demande de l'intéressé pour servir et valoir ce que de droit.",
    {
      align: "justify",
    },
  );
  doc.moveDown(2);
  doc.text(`Fait le ${formatDateFr(today)}.`, { align: "right" });
  doc.text(`Pour le maire, ${commune.name}`, { align: "right" });
  doc.end();
  return done;
}
