import { useMemo, useState } from "react";
import { useWorkstation } from "../app/app-context";
import { href } from "../app/routes";
import { ScreenTitle } from "../app/ScreenTitle";
import { type QueueFilters as Filters, planQueue, QUEUES, type QueueId } from "../data/queues";
import { fr } from "../i18n/fr";
import { QueueFilters } from "./QueueFilters";
import { rememberedFilters, rememberFilters } from "./queue-filters-store";
import { queueContext } from "./queue-queries";
import { RequestList } from "./RequestList";

const QUEUE_LABELS: Record<QueueId, string> = {
  service: fr.queues.service,
  open: fr.queues.open,
  triage: fr.queues.triage,
  deadline: fr.queues.deadline,
};

export function QueueScreen({ queue }: { queue: QueueId }) {
  const { prefs, commune, catalogue } = useWorkstation();
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
      <RequestList queryKey={[queue, filters, ctx]} query={query} label={title} />
    </>
  );
}
