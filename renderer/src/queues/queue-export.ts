import type { Catalogue } from "../../../domain/catalogue";
import { CHANNEL_LABELS } from "../../../domain/channels";
import { type CsvCell, csvDate, toCsv } from "../../../domain/csv";
import { type GuichetRequest, NO_DUE_DATE } from "../../../domain/request";
import { STATUS_LABELS } from "../../../domain/workflow";
import type { QueueId } from "../../db/queues";
import { fr } from "../i18n/fr";
import { displayTracking } from "../shared/format";

const C = fr.csv.columns;

/** Columns of a queue export, in order (one spreadsheet column each). */
export const EXPORT_HEADER: readonly string[] = [
  C.tracking,
  C.received,
  C.channel,
  C.demarche,
  C.subject,
  C.citizen,
  C.service,
  C.status,
  C.assignee,
  C.due,
  C.outcome,
];

const OUTCOME: Record<"acceptance" | "rejection", string> = {
  acceptance: fr.csv.acceptance,
  rejection: fr.csv.rejection,
};

/** One request as spreadsheet cells: labels rather than codes, fr-FR dates, empty when there is none. */
export function exportRow(r: GuichetRequest, catalogue: Catalogue): CsvCell[] {
  const demarche = catalogue.demarches.find((d) => d.id === r.demarche)?.label ?? r.demarche;
  const service = catalogue.services.find((s) => s.id === r.service)?.name ?? r.service;
  const due = r.dueOn !== NO_DUE_DATE;
  return [
    displayTracking(r.id),
    csvDate(r.receivedOn),
    CHANNEL_LABELS[r.channel],
    demarche,
    r.subject,
    `${r.citizen.lastName} ${r.citizen.firstName}`,
    service,
    STATUS_LABELS[r.status],
    r.assignee,
    due ? csvDate(r.dueOn) : null,
    due && r.outcome !== "none" ? OUTCOME[r.outcome] : null,
  ];
}

export function queueCsv(rows: readonly GuichetRequest[], catalogue: Catalogue): string {
  return toCsv(
    EXPORT_HEADER,
    rows.map((r) => exportRow(r, catalogue)),
  );
}

const FILE_SLUG: Record<QueueId, string> = {
  service: "mon-service",
  open: "ouvertes",
  triage: "a-trier",
  deadline: "echeance-proche",
};

/** demandes-ouvertes-2026-03-12.csv: the queue and the Paris day, sortable in a folder. */
export function exportFileName(queue: QueueId, today: string): string {
  return `demandes-${FILE_SLUG[queue]}-${today}.csv`;
}
