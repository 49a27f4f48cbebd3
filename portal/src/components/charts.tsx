import { BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip, type ChartData, type ChartOptions } from 'chart.js';
import { Bar, Line } from 'react-chartjs-2';

Chart.register(CategoryScale, LinearScale, BarElement, LineElement, PointElement, Tooltip, Legend, Filler);
// Charts redraw on every poll; animating each redraw would make the page look busy and screenshots nondeterministic.
Chart.defaults.animation = false;
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 11;
Chart.defaults.color = '#4a5568';
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.plugins.legend.labels.boxWidth = 10;

export const PALETTE = ['#2f6fed', '#e8833a', '#2aa876', '#c2409b', '#8a63d2', '#d4a72c', '#1aa3b8', '#d64545', '#5b6b82', '#7cb342'];
export const color = (n: number) => PALETTE[n % PALETTE.length];

interface Series {
  label: string;
  values: Array<number | null>;
  color?: string;
}

interface TimeChartProps {
  title: string;
  labels: string[];
  series: Series[];
  kind: 'bar' | 'line';
  stacked?: boolean;
  format?: (v: number) => string;
}

/** A chart over time buckets, with an accessible name and a text fallback inside the canvas. */
export function TimeChart({ title, labels, series, kind, stacked, format }: TimeChartProps) {
  const tick = format ? (v: number | string) => format(Number(v)) : undefined;
  const options: ChartOptions<'bar' | 'line'> = {
    responsive: true,
    interaction: { mode: 'index', intersect: false },
    plugins: {
      legend: { display: series.length > 1, position: 'bottom' },
      tooltip: format ? { callbacks: { label: (c) => `${c.dataset.label}: ${format(Number(c.parsed.y))}` } } : {},
    },
    scales: {
      x: { stacked, grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
      y: { stacked, beginAtZero: true, ticks: tick ? { callback: tick } : {} },
    },
    spanGaps: true,
  };
  const data = {
    labels,
    datasets: series.map((s, n) => ({
      label: s.label,
      data: s.values,
      backgroundColor: kind === 'bar' ? (s.color ?? color(n)) : (s.color ?? color(n)) + '22',
      borderColor: s.color ?? color(n),
      borderWidth: kind === 'bar' ? 0 : 2,
      pointRadius: labels.length > 40 ? 0 : 2,
      tension: 0.25,
    })),
  };
  return (
    <figure className="chart-card">
      <figcaption>{title}</figcaption>
      <div className="chart">
        {kind === 'bar' ? (
          <Bar data={data as ChartData<'bar'>} options={options as ChartOptions<'bar'>} aria-label={title} role="img">
            {title}
          </Bar>
        ) : (
          <Line data={data as ChartData<'line'>} options={options as ChartOptions<'line'>} aria-label={title} role="img">
            {title}
          </Line>
        )}
      </div>
    </figure>
  );
}

export interface Span {
  label: string;
  /** Floating bar segments on this row: [from, to] ms, with their legend entry. */
  segments: Array<{ kind: string; from: number; to: number }>;
}

const SEGMENT_COLORS: Record<string, string> = {
  'router overhead': '#9aa5b8',
  'waiting for first token': '#e8b33a',
  generating: '#2aa876',
  failed: '#d64545',
  'failed attempts (failover)': '#d64545',
  'skipped (circuit open)': '#c9ced8',
};

/** Horizontal timeline (request start = 0 ms): the attempt waterfall and the latency breakdown. */
export function Waterfall({ title, rows }: { title: string; rows: Span[] }) {
  const kinds = [...new Set(rows.flatMap((r) => r.segments.map((s) => s.kind)))];
  const data: ChartData<'bar', Array<[number, number] | null>> = {
    labels: rows.map((r) => r.label),
    datasets: kinds.map((kind) => ({
      label: kind,
      data: rows.map((r) => {
        const s = r.segments.find((x) => x.kind === kind);
        return s ? [s.from, Math.max(s.to, s.from + 0.5)] : null;
      }),
      backgroundColor: SEGMENT_COLORS[kind] ?? '#5b6b82',
      grouped: false,
      barPercentage: 0.6,
      borderSkipped: false,
    })),
  };
  const options: ChartOptions<'bar'> = {
    indexAxis: 'y',
    responsive: true,
    plugins: {
      legend: { position: 'bottom' },
      tooltip: {
        callbacks: {
          label: (c) => {
            const raw = c.raw as [number, number] | null;
            return raw ? `${c.dataset.label}: ${Math.round(raw[0])}–${Math.round(raw[1])} ms (${Math.round(raw[1] - raw[0])} ms)` : '';
          },
        },
      },
    },
    scales: {
      x: { beginAtZero: true, title: { display: true, text: 'ms since the request arrived' } },
      y: { grid: { display: false } },
    },
  };
  return (
    <figure className="chart-card">
      <figcaption>{title}</figcaption>
      <div className={`chart timeline rows-${Math.min(rows.length, 8)}`}>
        <Bar data={data} options={options} aria-label={title} role="img">
          {title}
        </Bar>
      </div>
    </figure>
  );
}
