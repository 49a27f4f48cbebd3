/** Shown wherever a value is unknown (not recorded yet, or not applicable). */
export const DASH = '—';

export function num(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return DASH;
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

export function compact(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return DASH;
  return n.toLocaleString('en-US', { notation: 'compact', maximumFractionDigits: 1 });
}

export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return DASH;
  if (n >= 10_000) return `${(n / 1000).toFixed(1)} s`;
  if (n >= 1000) return `${(n / 1000).toFixed(2)} s`;
  return `${n < 10 ? n.toFixed(1) : Math.round(n)} ms`;
}

export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined || Number.isNaN(n)) return DASH;
  if (n === 0) return '$0';
  if (Math.abs(n) < 0.01) return `$${n.toPrecision(2)}`;
  return `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** USD per million tokens from the catalog's USD per token. */
export function perMillion(perToken: number | null | undefined): string {
  if (perToken === null || perToken === undefined) return DASH;
  const v = perToken * 1_000_000;
  return `$${v < 1 ? v.toPrecision(2) : v.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
}

export function pct(part: number, whole: number): string {
  if (!whole) return DASH;
  const p = (part / whole) * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)}%`;
}

export function text(s: string | null | undefined): string {
  return s === null || s === undefined || s === '' ? DASH : s;
}

export function time(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const today = new Date();
  const sameDay = d.toDateString() === today.toDateString();
  const t = d.toLocaleTimeString('en-GB', { hour12: false });
  return sameDay ? t : `${d.toLocaleDateString('en-CA')} ${t}`;
}

export function ago(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** Label for a bucket start: time of day for short ranges, date and hour otherwise. */
export function bucketLabel(iso: string, bucket: string): string {
  const d = new Date(iso);
  if (bucket === 'day') return d.toLocaleDateString('en-CA');
  if (bucket === 'hour') return `${d.toLocaleDateString('en-CA').slice(5)} ${String(d.getHours()).padStart(2, '0')}:00`;
  return d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** `provider/model`, whether the record stored the model bare or already qualified. */
export function servedBy(provider: string | null | undefined, model: string | null | undefined): string {
  if (!model) return DASH;
  if (!provider || model.startsWith(`${provider}/`)) return model;
  return `${provider}/${model}`;
}
