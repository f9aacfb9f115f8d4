import { useQuery } from "@tanstack/react-query";
import { CHANNEL_LABELS } from "../../../domain/channels";
import type { GuichetRequest } from "../../../domain/request";
import { STATUS_LABELS } from "../../../domain/workflow";
import { findCitizenRequests } from "../../db/citizen-requests";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDay } from "../shared/format";
import { href } from "../shared/routes";

const C = fr.citizen;

/** The same person's requests (email, phone, or name and address), as a table; `current` is marked. */
export function CitizenRequests({ request, compact }: { request: GuichetRequest; compact?: boolean }) {
  const { data } = useWorkstation();
  const found = useQuery({
    queryKey: ["requests", "citizen", request.id, request.citizen],
    queryFn: () => findCitizenRequests(data, request.citizen),
    enabled: !request.anonymised,
  });
  if (request.anonymised) return null;
  const rows = found.data ?? [];
  const others = rows.filter((r) => r.id !== request.id);
  return (
    <section aria-labelledby="citizen-requests-title" data-testid="citizen-requests">
      <h2 id="citizen-requests-title">
        {C.title(`${request.citizen.firstName} ${request.citizen.lastName}`)}
      </h2>
      <p className="help">{C.how}</p>
      {found.isFetched && others.length === 0 && <p>{C.none}</p>}
      {others.length > 0 && (
        <>
          {compact && (
            <p>
              <a href={href({ name: "citizen", id: request.id })}>{C.all(rows.length)}</a>
            </p>
          )}
          <RequestsTable rows={compact ? others.slice(0, 5) : rows} current={request.id} />
        </>
      )}
    </section>
  );
}

function RequestsTable({ rows, current }: { rows: GuichetRequest[]; current: string }) {
  const { catalogue } = useWorkstation();
  return (
    <table className="citizen-requests">
      <caption className="visually-hidden">{C.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{C.tracking}</th>
          <th scope="col">{C.received}</th>
          <th scope="col">{C.channel}</th>
          <th scope="col">{C.demarche}</th>
          <th scope="col">{C.status}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr
            key={r.id}
            data-testid="citizen-request-row"
            aria-current={r.id === current ? "true" : undefined}
          >
            <td>
              <a href={href({ name: "request", id: r.id })} className="tracking">
                {displayTracking(r.id)}
              </a>
              {r.id === current && <> ({C.thisOne})</>}
            </td>
            <td>{formatDay(r.receivedOn)}</td>
            <td>{CHANNEL_LABELS[r.channel]}</td>
            <td>
              {catalogue.demarches.find((d) => d.id === r.demarche)?.label ?? r.demarche} — {r.subject}
            </td>
            <td>{STATUS_LABELS[r.status]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
