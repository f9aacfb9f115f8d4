import { useQuery } from "@tanstack/react-query";
import type { Demarche } from "../../../domain/catalogue";
import type { GuichetRequest } from "../../../domain/request";
import { STATUS_LABELS } from "../../../domain/workflow";
import { type DuplicateProbe, findDuplicates } from "../../db/duplicates";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDay } from "../shared/format";
import { href } from "../shared/routes";
import { useDebounced } from "../shared/use-debounced";

/** Shown while typing: open requests that look like this one, with a way to link instead of creating. */
export function DuplicateSuggestions(props: {
  demarche: Demarche | undefined;
  lastName: string;
  firstName: string;
  place: string;
  onLink(r: GuichetRequest): void;
}) {
  const { data } = useWorkstation();
  const probe: DuplicateProbe = useDebounced(
    {
      demarche: props.demarche?.id ?? "",
      lastName: props.lastName,
      firstName: props.firstName,
      ...(props.demarche?.needsLocation ? { place: props.place } : {}),
    },
    300,
  );
  const found = useQuery({
    queryKey: ["requests", "duplicates", probe],
    queryFn: () => findDuplicates(data, probe),
    enabled: probe.demarche !== "",
  });
  const list = found.data ?? [];
  return (
    <section className="duplicates" aria-labelledby="dup-title" aria-live="polite" hidden={list.length === 0}>
      {list.length > 0 && (
        <>
          <h2 id="dup-title">{fr.newRequest.duplicatesTitle}</h2>
          <p>{fr.newRequest.duplicatesIntro}</p>
          <ul>
            {list.map((r) => (
              <li key={r.id} data-testid="duplicate">
                <a href={href({ name: "request", id: r.id })}>{displayTracking(r.id)}</a> —{" "}
                {r.citizen.lastName} {r.citizen.firstName}, {r.subject}
                {r.location?.address ? `, ${r.location.address}` : ""} ({STATUS_LABELS[r.status]},{" "}
                {formatDay(r.receivedOn)}){" "}
                <button type="button" onClick={() => props.onLink(r)}>
                  {fr.newRequest.linkInstead}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
