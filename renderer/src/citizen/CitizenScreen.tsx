import { useQuery } from "@tanstack/react-query";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { requestOptions } from "../shared/queue-queries";
import { ScreenTitle } from "../shared/ScreenTitle";
import { CitizenRequests } from "./CitizenRequests";

/** All requests of the person who made request `id`, from its detail or from search. */
export function CitizenScreen({ id }: { id: string }) {
  const { data } = useWorkstation();
  const request = useQuery(requestOptions(data, id));
  const r = request.data;
  if (!r) return <p role="status">{request.isFetched ? fr.detail.notFound(id) : fr.app.loading}</p>;
  return (
    <>
      <ScreenTitle>{fr.citizen.screenTitle(`${r.citizen.firstName} ${r.citizen.lastName}`)}</ScreenTitle>
      <CitizenRequests request={r} />
    </>
  );
}
