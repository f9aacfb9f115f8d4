import PDFDocument from "pdfkit";
import { formatDateFr } from "../../domain/acknowledgement";
import type { Commune } from "../../domain/commune";
import type { Notice } from "../../domain/notices";
import type { GuichetRequest } from "../../domain/request";

/**
 * A notice as a letter, for citizens without an email (printed from the detail screen): the
 * commune's identity, the citizen's address for a window envelope, the date, the subject, the
 * same paragraphs as the email.
 */
export function noticeLetterPdf(
  r: GuichetRequest,
  notice: Notice,
  commune: Commune,
  today: string,
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: "A4",
    margin: 60,
    info: { Title: notice.subject, Author: commune.name },
  });
  const chunks: Buffer[] = [];
  doc.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));

  doc.font("Helvetica-Bold").fontSize(12).text(commune.name);
  doc
    .font("Helvetica")
    .fontSize(10)
    .text(commune.address)
    .text(`Téléphone : ${commune.phone} – Courriel : ${commune.email}`);
  const address = r.citizen.address;
  doc
    .moveDown(2)
    .fontSize(11)
    .text(`${r.citizen.firstName} ${r.citizen.lastName}`, 320)
    .text(address ? `${address.line}\n${address.postcode} ${address.city}` : "", 320);
  doc.moveDown(2).text(`Le ${formatDateFr(today)}`, 60, undefined, { align: "right" });
  doc.moveDown(1.5).font("Helvetica-Bold").text(`Objet : ${notice.subject}`, 60);
  doc.moveDown().font("Helvetica").text("Madame, Monsieur,");
  for (const p of notice.paragraphs) doc.moveDown(0.8).text(p, { align: "justify" });
  doc.moveDown().text("Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.");
  doc.moveDown(2).text(`Pour le maire, ${commune.name}`, { align: "right" });
  doc.end();
  return done;
}
