import PDFDocument from "pdfkit";
import { formatDateFr, periodText, servicePostalAddress } from "../../domain/acknowledgement";
import { addDays } from "../../domain/calendar";
import type { Catalogue } from "../../domain/catalogue";
import { findDemarche, findService } from "../../domain/catalogue";
import { type Commune, DEMO_LABEL, identityProblem, letterhead } from "../../domain/commune";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { HttpError } from "../http/errors";

/**
 * Attestation de décision implicite d'acceptation (L232-3 CRPA): issued on request once an SVA
 * request's period ended without an express decision. `dueOn` is the last day of the period, so
 * the decision exists from the next day (see domain/deadlines.ts). Refused (409) while the
 * commune's identity is incomplete; the demo commune's carries DEMO_LABEL.
 */
export function attestationPdf(
  r: GuichetRequest,
  catalogue: Catalogue,
  commune: Commune,
  today: string,
): Promise<Buffer> {
  const problem = identityProblem(commune);
  if (problem) throw new HttpError(409, problem);
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

  if (commune.demo)
    doc.font("Helvetica-Bold").fontSize(12).fillColor("#b00000").text(DEMO_LABEL).fillColor("black");
  logoOf(commune, doc);
  const [name, ...rest] = letterhead(commune);
  doc
    .font("Helvetica-Bold")
    .fontSize(13)
    .text(name ?? "");
  doc.font("Helvetica").fontSize(10);
  for (const line of rest) doc.text(line);
  if (service) doc.moveDown(0.5).text(`${service.name}, ${servicePostalAddress(service, commune)}`);
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
      `n'a pas fait l'objet d'une décision expresse dans le délai de ${periodText(r.rule)} prévu.`,
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

/** The commune's logo (a PNG or JPEG data URL) at the top left; a broken one is left out, not fatal. */
function logoOf(commune: Commune, doc: PDFKit.PDFDocument): void {
  if (!commune.logo) return;
  try {
    const image = Buffer.from(commune.logo.slice(commune.logo.indexOf(",") + 1), "base64");
    doc.image(image, { fit: [120, 60] }).moveDown(0.5);
  } catch {
    // Invalid image data: the letterhead's text still identifies the mairie.
  }
}
