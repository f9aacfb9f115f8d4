import type { Catalogue } from "../../../domain/catalogue";
import { CHANNEL_LABELS, type Channel } from "../../../domain/channels";
import type { TrendBucket, TrendUnit } from "../../../domain/statistics";
import { fr } from "../i18n/fr";
import { formatDay } from "../shared/format";

/** How each key of the figures reads on screen and in the export. */
export type Names = {
  channel(key: string): string;
  demarche(key: string): string;
  service(key: string): string;
  agent(key: string): string;
  reason(key: string): string;
  bucket(b: TrendBucket, unit: TrendUnit): string;
  /** For a chart's axis: 21/09, sept. 2026. */
  bucketShort(b: TrendBucket, unit: TrendUnit): string;
};

const monthFmt = new Intl.DateTimeFormat("fr-FR", { month: "long", year: "numeric", timeZone: "UTC" });
const shortMonthFmt = new Intl.DateTimeFormat("fr-FR", { month: "short", year: "numeric", timeZone: "UTC" });

export function namesFor(catalogue: Catalogue): Names {
  const demarches = new Map(catalogue.demarches.map((d) => [d.id, d.label]));
  const services = new Map(catalogue.services.map((s) => [s.id, s.name]));
  const reasons: Record<string, string> = fr.quick.reasons;
  return {
    channel: (k) => (Object.hasOwn(CHANNEL_LABELS, k) ? CHANNEL_LABELS[k as Channel] : k),
    // A démarche or service removed from the catalogue still has its requests: show its id.
    demarche: (k) => demarches.get(k) ?? k,
    service: (k) => services.get(k) ?? k,
    agent: (k) => k || fr.dashboard.unassigned,
    reason: (k) => (Object.hasOwn(reasons, k) ? reasons[k]! : k),
    bucket: (b, unit) =>
      unit === "week"
        ? fr.dashboard.weekOf(formatDay(b.start))
        : monthFmt.format(Date.parse(`${b.start}T00:00:00Z`)),
    bucketShort: (b, unit) =>
      unit === "week"
        ? formatDay(b.start).slice(0, 5)
        : shortMonthFmt.format(Date.parse(`${b.start}T00:00:00Z`)),
  };
}
