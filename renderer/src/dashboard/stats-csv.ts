import { type CsvCell, csvDate, toCsv } from "../../../domain/csv";
import type { Statistics, Tally } from "../../../domain/statistics";
import { fr } from "../i18n/fr";
import type { Names } from "./labels";

/**
 * The dashboard's figures as one three-column sheet (section, item, value), the layout a
 * spreadsheet filters and pivots most easily; labels as on screen, numbers as numbers.
 */
export function statisticsCsv(s: Statistics, names: Names): string {
  const C = fr.dashboard.csv;
  const T = fr.dashboard.charts;
  const rows: CsvCell[][] = [
    [C.period, C.periodFrom, csvDate(s.from)],
    [C.period, C.periodTo, csvDate(s.to)],
    [C.period, C.computedOn, csvDate(s.today)],
    [C.received, C.total, s.received],
  ];
  const tallies = (section: string, list: Tally[], name: (k: string) => string) => {
    for (const t of list) rows.push([section, name(t.key), t.count]);
  };
  tallies(T.byChannel, s.byChannel, names.channel);
  tallies(T.byDemarche, s.byDemarche, names.demarche);
  tallies(T.byService, s.byService, names.service);
  const d = s.delays;
  rows.push(
    [C.delays, C.answered, d.answered],
    [C.delays, C.median, d.medianDays],
    [C.delays, C.p90, d.p90Days],
    [C.delays, C.withDeadline, d.withDeadline],
    [C.delays, C.onTime, d.onTime],
    [C.delays, C.onTimeShare, d.onTimeShare === null ? null : Math.round(d.onTimeShare * 1000) / 10],
    [C.deadlines, C.atRisk(s.riskDays), s.deadlines.atRisk],
    [C.deadlines, C.past, s.deadlines.past],
    [C.open, C.total, s.backlog.open],
  );
  tallies(T.backlogService, s.backlog.byService, names.service);
  tallies(T.backlogAgent, s.backlog.byAgent, names.agent);
  const trend = s.trend.unit === "week" ? T.trendWeek : T.trendMonth;
  for (const b of s.trend.buckets) {
    const label = names.bucket(b, s.trend.unit);
    rows.push([trend, C.trendOnline(label), b.online], [trend, C.trendCounter(label), b.counter]);
  }
  rows.push([T.quickChannel, C.total, s.quickAnswers.total]);
  tallies(T.quickChannel, s.quickAnswers.byChannel, names.channel);
  tallies(T.quickReason, s.quickAnswers.byReason, names.reason);
  return toCsv(C.header, rows);
}
