import { useEffect, useId, useMemo, useState, useSyncExternalStore } from "react";
import { parisDate } from "../../../domain/history";
import { computeStatistics, type Statistics, type Tally } from "../../../domain/statistics";
import { dashboardSources } from "../../db/stats-source";
import { fr } from "../i18n/fr";
import { downloadText } from "../queues/download";
import { useWorkstation } from "../shared/app-context";
import { formatDay } from "../shared/format";
import { ScreenTitle } from "../shared/ScreenTitle";
import { canSeeDashboard } from "./access";
import { BarChart, COLORS, type Series } from "./BarChart";
import { type Names, namesFor } from "./labels";
import { exportFileName, PERIOD_PRESETS, type PeriodChoice, resolvePeriod } from "./period";
import { statisticsCsv } from "./stats-csv";

const D = fr.dashboard;

/** The supervisors' dashboard, computed on this workstation from its local replica (works offline). */
export default function DashboardScreen() {
  const { session } = useWorkstation();
  if (!canSeeDashboard(session.roles)) {
    return (
      <>
        <ScreenTitle>{D.title}</ScreenTitle>
        <p className="error" data-testid="dashboard-forbidden">
          {D.forbidden}
        </p>
      </>
    );
  }
  return <Dashboard />;
}

function Dashboard() {
  const { data, catalogue, commune } = useWorkstation();
  const [today] = useState(() => parisDate(new Date().toISOString()));
  const [choice, setChoice] = useState<PeriodChoice>(() => ({
    preset: "thisMonth",
    from: `${today.slice(0, 7)}-01`,
    to: today,
  }));
  const [riskDays, setRiskDays] = useState(commune.risk.soonDays);
  const [notice, setNotice] = useState<string>();
  const period = resolvePeriod(choice, today);

  const sources = dashboardSources(data);
  const requestsVersion = useSyncExternalStore(sources.requests.subscribe, sources.requests.getVersion);
  const logsVersion = useSyncExternalStore(sources.quickAnswers.subscribe, sources.quickAnswers.getVersion);
  const [loadError, setLoadError] = useState<string>();
  useEffect(() => {
    Promise.all([sources.requests.load(), sources.quickAnswers.load()]).catch((e: unknown) =>
      setLoadError(e instanceof Error ? e.message : String(e)),
    );
  }, [sources]);
  const loaded = sources.requests.loaded && sources.quickAnswers.loaded;
  useEffect(() => {
    // Bench builds only (vite --mode bench): times the dashboard from inside the page.
    if (import.meta.env.MODE === "bench")
      void import("./bench-hook").then((m) => m.installDashboardBenchHook(data));
  }, [data]);

  const from = period.ok ? period.period.from : "";
  const to = period.ok ? period.period.to : "";
  // biome-ignore lint/correctness/useExhaustiveDependencies: the versions stand for the sources' rows.
  const stats = useMemo(
    () =>
      loaded && from
        ? computeStatistics(sources.requests.current(), sources.quickAnswers.current(), {
            from,
            to,
            today,
            riskDays,
          })
        : null,
    [loaded, requestsVersion, logsVersion, sources, from, to, today, riskDays],
  );
  const names = useMemo(() => namesFor(catalogue), [catalogue]);

  return (
    <div
      className="dashboard"
      data-testid="dashboard"
      data-ready={stats ? "true" : undefined}
      data-total={loaded ? sources.requests.size : undefined}
    >
      <ScreenTitle>{D.title}</ScreenTitle>
      <PeriodForm
        choice={choice}
        onChoice={setChoice}
        riskDays={riskDays}
        onRiskDays={setRiskDays}
        error={period.ok ? undefined : period.error === "missing" ? D.periodMissing : D.periodOrder}
      />
      {loadError && (
        <p className="error" role="alert">
          {D.loadError(loadError)}
        </p>
      )}
      {!loaded && !loadError && (
        <p className="loading" role="status">
          {D.loading}
        </p>
      )}
      {stats && period.ok && (
        <>
          <p className="help" data-testid="dashboard-source">
            {D.source(sources.requests.size)}
          </p>
          <div className="buttons">
            <button
              type="button"
              onClick={() => {
                const file = exportFileName(choice.preset, period.period);
                downloadText(file, statisticsCsv(stats, names));
                setNotice(D.exported(file));
              }}
            >
              {D.exportCsv}
            </button>
            <p role="status" className="success">
              {notice}
            </p>
          </div>
          <Figures stats={stats} />
          <Charts stats={stats} names={names} />
        </>
      )}
    </div>
  );
}

function PeriodForm(props: {
  choice: PeriodChoice;
  onChoice(c: PeriodChoice): void;
  riskDays: number;
  onRiskDays(n: number): void;
  error: string | undefined;
}) {
  const { choice, onChoice } = props;
  const id = useId();
  const [riskText, setRiskText] = useState(String(props.riskDays));
  return (
    <form className="filters dashboard-form" aria-label={D.settings} onSubmit={(e) => e.preventDefault()}>
      <fieldset className="channels">
        <legend>{D.period}</legend>
        {PERIOD_PRESETS.map((p) => (
          <label className="radio" key={p}>
            <input
              type="radio"
              name={`${id}-period`}
              value={p}
              checked={choice.preset === p}
              onChange={() => onChoice({ ...choice, preset: p })}
            />
            {D.presets[p]}
          </label>
        ))}
      </fieldset>
      {choice.preset === "custom" && (
        <>
          <div className="field">
            <label htmlFor={`${id}-from`}>{D.from}</label>
            <input
              id={`${id}-from`}
              type="date"
              value={choice.from}
              aria-invalid={props.error ? true : undefined}
              aria-describedby={props.error ? `${id}-error` : undefined}
              onChange={(e) => onChoice({ ...choice, from: e.target.value })}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-to`}>{D.to}</label>
            <input
              id={`${id}-to`}
              type="date"
              value={choice.to}
              aria-invalid={props.error ? true : undefined}
              aria-describedby={props.error ? `${id}-error` : undefined}
              onChange={(e) => onChoice({ ...choice, to: e.target.value })}
            />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={`${id}-risk`}>{D.riskDays}</label>
        <input
          id={`${id}-risk`}
          type="number"
          min={0}
          max={365}
          inputMode="numeric"
          value={riskText}
          aria-describedby={`${id}-risk-help`}
          onChange={(e) => {
            setRiskText(e.target.value);
            const n = Number(e.target.value);
            if (e.target.value !== "" && Number.isInteger(n) && n >= 0 && n <= 365) props.onRiskDays(n);
          }}
        />
        <p className="help" id={`${id}-risk-help`}>
          {D.riskDaysHelp}
        </p>
      </div>
      {props.error && (
        <p className="error" id={`${id}-error`} role="alert">
          {props.error}
        </p>
      )}
    </form>
  );
}

const num = (x: number) => x.toLocaleString("fr-FR");

function Figures({ stats }: { stats: Statistics }) {
  const F = D.figures;
  const d = stats.delays;
  const items: [string, string, string, string?][] = [
    ["received", F.received, num(stats.received)],
    ["answered", F.answered, num(d.answered)],
    ["median", F.medianDelay, d.medianDays === null ? D.none : D.days(d.medianDays)],
    ["p90", F.p90Delay, d.p90Days === null ? D.none : D.days(d.p90Days)],
    [
      "ontime",
      F.onTimeShare,
      d.onTimeShare === null ? D.none : D.percent(d.onTimeShare),
      d.onTimeShare === null ? undefined : D.onTimeDetail(d.onTime, d.withDeadline),
    ],
    ["atrisk", F.atRisk(stats.riskDays), num(stats.deadlines.atRisk)],
    ["past", F.past, num(stats.deadlines.past)],
    ["open", F.open, num(stats.backlog.open)],
    ["quick", F.quickAnswers, num(stats.quickAnswers.total)],
  ];
  return (
    <section aria-labelledby="dashboard-figures">
      <h2 id="dashboard-figures">
        {F.title} — {D.shownPeriod(formatDay(stats.from), formatDay(stats.to))}
      </h2>
      <dl className="key-figures">
        {items.map(([key, label, value, detail]) => (
          <div key={key}>
            <dt>{label}</dt>
            <dd>
              <span data-testid={`fig-${key}`}>{value}</span>
              {detail && <span className="detail">{detail}</span>}
            </dd>
          </div>
        ))}
      </dl>
      <p className="help">{D.delaysHelp}</p>
    </section>
  );
}

const one = (label: string, list: Tally[], color: string = COLORS.blue): Series[] => [
  { label, data: list.map((t) => t.count), color },
];

function Charts({ stats, names }: { stats: Statistics; names: Names }) {
  const C = D.charts;
  const S = D.series;
  const m = useMemo(() => {
    const keys = (list: Tally[], name: (k: string) => string) => list.map((t) => name(t.key));
    // Services with an open request due soon or past, in the order of the backlog.
    const dueServices = stats.backlog.byService.filter(
      (t) =>
        stats.deadlines.atRiskByService.some((x) => x.key === t.key) ||
        stats.deadlines.pastByService.some((x) => x.key === t.key),
    );
    const countOf = (list: Tally[], key: string) => list.find((x) => x.key === key)?.count ?? 0;
    return {
      channel: { labels: keys(stats.byChannel, names.channel), series: one(S.requests, stats.byChannel) },
      demarche: { labels: keys(stats.byDemarche, names.demarche), series: one(S.requests, stats.byDemarche) },
      service: { labels: keys(stats.byService, names.service), series: one(S.requests, stats.byService) },
      trend: {
        labels: stats.trend.buckets.map((b) => names.bucket(b, stats.trend.unit)),
        axisLabels: stats.trend.buckets.map((b) => names.bucketShort(b, stats.trend.unit)),
        series: [
          { label: S.online, data: stats.trend.buckets.map((b) => b.online), color: COLORS.blue },
          { label: S.counter, data: stats.trend.buckets.map((b) => b.counter), color: COLORS.orange },
        ],
      },
      backlogService: {
        labels: keys(stats.backlog.byService, names.service),
        series: one(S.open, stats.backlog.byService),
      },
      backlogAgent: {
        labels: keys(stats.backlog.byAgent, names.agent),
        series: one(S.open, stats.backlog.byAgent),
      },
      deadlines: {
        labels: keys(dueServices, names.service),
        series: [
          {
            label: S.atRisk,
            data: dueServices.map((t) => countOf(stats.deadlines.atRiskByService, t.key)),
            color: COLORS.orange,
          },
          {
            label: S.past,
            data: dueServices.map((t) => countOf(stats.deadlines.pastByService, t.key)),
            color: COLORS.red,
          },
        ],
      },
      quickChannel: {
        labels: keys(stats.quickAnswers.byChannel, names.channel),
        series: one(S.quick, stats.quickAnswers.byChannel, COLORS.green),
      },
      quickReason: {
        labels: keys(stats.quickAnswers.byReason, names.reason),
        series: one(S.quick, stats.quickAnswers.byReason, COLORS.green),
      },
    };
  }, [stats, names]);

  return (
    <>
      <section aria-labelledby="dashboard-volumes" className="charts">
        <h2 id="dashboard-volumes">{D.sections.volumes}</h2>
        <BarChart id="chart-channel" title={C.byChannel} {...m.channel} horizontal />
        <BarChart
          id="chart-trend"
          title={stats.trend.unit === "week" ? C.trendWeek : C.trendMonth}
          {...m.trend}
          stacked
        />
        <BarChart id="chart-demarche" title={C.byDemarche} {...m.demarche} horizontal />
        <BarChart id="chart-service" title={C.byService} {...m.service} horizontal />
      </section>
      <section aria-labelledby="dashboard-workload" className="charts">
        <h2 id="dashboard-workload">{D.sections.workload}</h2>
        <BarChart id="chart-deadlines" title={C.deadlinesService} {...m.deadlines} horizontal stacked />
        <BarChart id="chart-backlog-service" title={C.backlogService} {...m.backlogService} horizontal />
        <BarChart id="chart-backlog-agent" title={C.backlogAgent} {...m.backlogAgent} horizontal />
      </section>
      <section aria-labelledby="dashboard-quick" className="charts">
        <h2 id="dashboard-quick">{D.sections.quick}</h2>
        <BarChart id="chart-quick-channel" title={C.quickChannel} {...m.quickChannel} horizontal />
        <BarChart id="chart-quick-reason" title={C.quickReason} {...m.quickReason} horizontal />
      </section>
    </>
  );
}
