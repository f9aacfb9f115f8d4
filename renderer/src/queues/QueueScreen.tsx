import { useMemo, useState } from "react";
import { type QueueFilters as Filters, planQueue, QUEUES, type QueueId } from "../../db/queues";
import { fr } from "../i18n/fr";
import { signerOf, useWorkstation } from "../shared/app-context";
import { queueContext } from "../shared/queue-queries";
import { href } from "../shared/routes";
import { ScreenTitle } from "../shared/ScreenTitle";
import { BulkReassign } from "../supervisor/BulkReassign";
import { useRowSelection } from "../supervisor/PageSelection";
import { ReassignAbsent } from "../supervisor/ReassignAbsent";
import { canSupervise } from "../supervisor/reassign";
import { ExportButton } from "./ExportButton";
import { QueueFilters } from "./QueueFilters";
import { rememberedFilters, rememberFilters } from "./queue-filters-store";
import { RequestList } from "./RequestList";

const QUEUE_LABELS: Record<QueueId, string> = {
  service: fr.queues.service,
  open: fr.queues.open,
  triage: fr.queues.triage,
  deadline: fr.queues.deadline,
};

export function QueueScreen({ queue }: { queue: QueueId }) {
  const ws = useWorkstation();
  const { prefs, commune, catalogue, session } = ws;
  const [filters, setFilters] = useState<Filters>(() => rememberedFilters(queue));
  const [shownQueue, setShownQueue] = useState(queue);
  if (shownQueue !== queue) {
    setShownQueue(queue);
    setFilters(rememberedFilters(queue));
  }
  const ctx = useMemo(() => queueContext(prefs.myService, commune), [prefs.myService, commune]);
  const query = useMemo(() => planQueue(queue, filters, ctx), [queue, filters, ctx]);
  const serviceName = catalogue.services.find((s) => s.id === prefs.myService)?.name ?? prefs.myService;
  const title = queue === "service" ? `${fr.queues.service} : ${serviceName}` : QUEUE_LABELS[queue];
  // Reassigning writes events: a workstation without its code yet cannot sign them.
  const supervisor = canSupervise(session.roles) && signerOf(ws) !== null;
  // Another queue or other filters: what was ticked is no longer on screen, so it is dropped.
  const selection = useRowSelection(JSON.stringify([queue, filters]));

  return (
    <>
      <ScreenTitle>{fr.queues.title}</ScreenTitle>
      <nav aria-label={fr.queues.tabs} className="tabs">
        <ul className="nav-links">
          {QUEUES.map((q) => (
            <li key={q}>
              <a href={href({ name: "queue", queue: q })} aria-current={q === queue ? "page" : undefined}>
                {QUEUE_LABELS[q]}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{title}</h2>
      <QueueFilters
        queue={queue}
        value={filters}
        onChange={(f) => {
          setFilters(f);
          rememberFilters(queue, f);
        }}
      />
      <div className="queue-tools">
        <ExportButton queue={queue} query={query} />
        {supervisor && <ReassignAbsent />}
      </div>
      {supervisor && <BulkReassign selection={selection} />}
      <RequestList
        queryKey={[queue, filters, ctx]}
        query={query}
        label={title}
        {...(supervisor ? { selection } : {})}
      />
    </>
  );
}
