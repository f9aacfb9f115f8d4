import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useLayoutEffect, useRef } from "react";
import { fr } from "../i18n/fr";

// Only what bar charts need: chart.js is tree-shaken down to these.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = 'system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
Chart.defaults.color = "#1b1b1b";

export type Series = { label: string; data: readonly number[]; color: string };

/** Colours with at least 3:1 contrast on white (WCAG 1.4.11), told apart by more than hue alone. */
export const COLORS = { blue: "#0b4f9c", orange: "#b45309", red: "#a01212", green: "#17612d" };

const num = (x: number) => x.toLocaleString("fr-FR");

/**
 * A bar chart (canvas, drawn by chart.js) and the same numbers as a table: the canvas is one image
 * for assistive technologies, the table under it is what they read, and what anyone can copy.
 */
export function BarChart(props: {
  id: string;
  title: string;
  labels: readonly string[];
  /** Shorter labels for the axis (the table keeps the full ones). */
  axisLabels?: readonly string[];
  series: readonly Series[];
  horizontal?: boolean;
  stacked?: boolean;
}) {
  const { id, title, labels, axisLabels = labels, series, horizontal = false, stacked = false } = props;
  const empty = series.every((s) => s.data.every((v) => v === 0));
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"bar"> | null>(null);

  // Layout effect: the chart is drawn in the same commit as the figures, before the next paint.
  useLayoutEffect(() => {
    if (empty) {
      chart.current?.destroy();
      chart.current = null;
      return;
    }
    const data = {
      labels: [...axisLabels],
      datasets: series.map((s) => ({ label: s.label, data: [...s.data], backgroundColor: s.color })),
    };
    if (chart.current) {
      chart.current.data = data;
      chart.current.update("none");
      return;
    }
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: "bar",
      data,
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: "fr-FR",
        plugins: { legend: { display: series.length > 1 } },
        scales: {
          x: { stacked, ...(horizontal ? { beginAtZero: true, ticks: { precision: 0 } } : {}) },
          y: { stacked, ...(horizontal ? {} : { beginAtZero: true, ticks: { precision: 0 } }) },
        },
      },
    });
  }, [axisLabels, series, horizontal, stacked, empty]);

  useLayoutEffect(
    () => () => {
      chart.current?.destroy();
      chart.current = null;
    },
    [],
  );

  const height = horizontal ? Math.max(120, labels.length * 26 + 50) : 260;
  return (
    <figure className="chart" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{title}</h3>
      {empty ? (
        <p className="help">{fr.dashboard.empty}</p>
      ) : (
        <div className="chart-canvas" style={{ height }}>
          <canvas ref={canvas} role="img" aria-label={fr.dashboard.chartLabel(title)} />
        </div>
      )}
      <details className="chart-table">
        <summary>{fr.dashboard.showTable(title)}</summary>
        <table data-testid={`${id}-table`}>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">{fr.dashboard.columnLabel}</th>
              {series.map((s) => (
                <th scope="col" key={s.label}>
                  {s.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {labels.map((label, i) => (
              // Labels can repeat (two démarches with one name): the position keeps rows apart.
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional.
              <tr key={i}>
                <th scope="row">{label}</th>
                {series.map((s) => (
                  <td key={s.label}>{num(s.data[i] ?? 0)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
