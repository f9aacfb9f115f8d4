import { formatTrackingNumber, TRACKING_NUMBER_PATTERN } from "../../../domain/tracking-number";

/** fr-FR display of dates and numbers; the mairie's clock is Paris time wherever the workstation is. */
const TZ = "Europe/Paris";
const dateFmt = new Intl.DateTimeFormat("fr-FR", {
  timeZone: "UTC",
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
});
const dateTimeFmt = new Intl.DateTimeFormat("fr-FR", {
  timeZone: TZ,
  day: "2-digit",
  month: "2-digit",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});
const timeFmt = new Intl.DateTimeFormat("fr-FR", {
  timeZone: TZ,
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
});

/** An ISO calendar day (AAAA-MM-JJ) as 05/03/2026; read as UTC so no time zone can shift it. */
export function formatDay(isoDay: string): string {
  const t = Date.parse(`${isoDay}T00:00:00Z`);
  return Number.isNaN(t) ? isoDay : dateFmt.format(t);
}

export function formatDateTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : dateTimeFmt.format(t);
}

export function formatTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : timeFmt.format(t);
}

/** Display form K7M4-4EEX; anything else (never expected) is shown as stored. */
export function displayTracking(compact: string): string {
  return TRACKING_NUMBER_PATTERN.test(compact) ? formatTrackingNumber(compact) : compact;
}
