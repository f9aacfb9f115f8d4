import { CHANNELS, type Channel } from "../../../domain/channels";
import { newEventId, withEvents } from "../../../domain/history";
import type { GuichetRequest, RequestEvent } from "../../../domain/request";
import { type BenchWorkstation, sampleRequest, VALID_SAMPLE_FIELDS } from "../shared/bench-fields";

/**
 * The dashboard bench's requests (bench builds and bench/ only): a year of requests with their
 * histories, the same whether seeded in the page or on the server for a workstation to pull.
 */
export const DAY = 86_400_000;
export const AGENTS = Array.from({ length: 12 }, (_, i) => `agent.${i + 1}`);
const DEMARCHES = Object.keys(VALID_SAMPLE_FIELDS);

export function seedRequest(
  i: number,
  ws: BenchWorkstation,
  now: number,
  demarches: readonly string[] = DEMARCHES,
  channels: readonly Channel[] = CHANNELS,
): GuichetRequest {
  const received = now - (i % 400) * DAY - (i % 997) * 60_000;
  const at = new Date(received).toISOString();
  const request = sampleRequest(i, ws, {
    demarcheId: demarches[i % demarches.length]!,
    channel: channels[i % channels.length]!,
    at,
    citizen: { lastName: `Usager${i % 5000}`, firstName: "Camille" },
    street: "rue de la Gare",
    // Y…: apart from the workstation's code and from the UI bench's (Z…).
    codeLetter: "Y",
  });
  // A history for 8 requests in 10: assigned, in progress, answered after 0 to 44 days, closed.
  const stage = i % 10;
  if (stage < 2) return request;
  const events: RequestEvent[] = [];
  const ev = (t: number, e: Record<string, unknown>) => {
    const when = new Date(Math.min(t, now)).toISOString();
    events.push({
      id: newEventId(when, ws.code),
      at: when,
      by: ws.username,
      workstation: ws.code,
      ...e,
    } as RequestEvent);
  };
  ev(received + 3_600_000, {
    kind: "assigned",
    service: request.service,
    assignee: AGENTS[i % AGENTS.length],
  });
  if (stage >= 3) ev(received + 7_200_000, { kind: "status", from: "assigned", to: "in_progress" });
  const answeredAt = received + ((i * 7) % 45) * DAY + 10_800_000;
  if (stage >= 5 && answeredAt < now) {
    ev(answeredAt, { kind: "status", from: "in_progress", to: "answered", answer: "Réponse envoyée." });
    if (stage >= 8 && answeredAt + 2 * DAY < now)
      ev(answeredAt + 2 * DAY, { kind: "status", from: "answered", to: "closed" });
  }
  return withEvents(request, events);
}
