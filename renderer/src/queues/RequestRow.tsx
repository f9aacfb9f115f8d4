// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are absolutely positioned divs; ARIA table roles carry the semantics that <table> layout cannot keep here
// biome-ignore-all lint/a11y/useFocusableInteractive: rows and cells of a (non-grid) ARIA table are not focusable; the link in each row is
import { CHANNEL_LABELS } from "../../../domain/channels";
import { parisDate } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { STATUS_LABELS } from "../../../domain/workflow";
import { deadlineView } from "../../db/deadline-view";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDay } from "../shared/format";
import { href } from "../shared/routes";

const C = fr.queues.columns;

/** A supervisor's row carries a checkbox (bulk actions); nobody else's does. */
export type RowCheck = { checked: boolean; onChange(checked: boolean): void };

const gridClass = (selectable: boolean) => (selectable ? "row-grid selectable" : "row-grid");

export function RequestRowHeader({ selectable = false }: { selectable?: boolean }) {
  return (
    <div role="rowgroup" className="thead">
      <div role="row" aria-rowindex={1} className={gridClass(selectable)}>
        {selectable && (
          <span role="columnheader">
            <span className="visually-hidden">{fr.supervisor.selectColumn}</span>
          </span>
        )}
        {[C.tracking, C.received, C.channel, C.demarche, C.citizen, C.service, C.status, C.due].map((c) => (
          <span role="columnheader" key={c}>
            {c}
          </span>
        ))}
      </div>
    </div>
  );
}

/** One request in a queue; everything citizen-typed is a text node. */
export function RequestRow({
  request: r,
  rowIndex,
  check,
}: {
  request: GuichetRequest;
  rowIndex: number;
  check?: RowCheck;
}) {
  const { catalogue, commune } = useWorkstation();
  const demarche = catalogue.demarches.find((d) => d.id === r.demarche)?.label ?? r.demarche;
  const service = catalogue.services.find((s) => s.id === r.service)?.name ?? r.service;
  const dv = deadlineView(r, parisDate(new Date().toISOString()), commune.risk);
  return (
    <div
      role="row"
      aria-rowindex={rowIndex}
      className={gridClass(!!check)}
      data-testid="queue-row"
      data-id={r.id}
    >
      {check && (
        <span role="cell" className="select-cell">
          <input
            type="checkbox"
            aria-label={fr.supervisor.select(displayTracking(r.id))}
            checked={check.checked}
            onChange={(e) => check.onChange(e.target.checked)}
          />
        </span>
      )}
      <span role="cell">
        <a href={href({ name: "request", id: r.id })} className="tracking">
          {displayTracking(r.id)}
        </a>
      </span>
      <span role="cell">{formatDay(r.receivedOn)}</span>
      <span role="cell">{CHANNEL_LABELS[r.channel]}</span>
      <span role="cell">{demarche}</span>
      <span role="cell" className="citizen">
        {r.citizen.lastName} {r.citizen.firstName}
      </span>
      <span role="cell">{service}</span>
      <span role="cell">{STATUS_LABELS[r.status]}</span>
      <span role="cell" className={`risk risk-${dv.risk}`}>
        {dv.dueOn ? `${formatDay(dv.dueOn)} (${fr.detail.daysLeft(dv.daysLeft ?? 0)})` : fr.queues.noDue}
      </span>
    </div>
  );
}
