// Reads the server's Prometheus text (GET /metrics): counters and histogram
// buckets, and approximate quantiles from the difference of two scrapes (the
// run's window), by linear interpolation inside the bucket that holds them,
// as Prometheus' histogram_quantile does.

export interface Scrape {
  /** "name{labels}" -> value, exactly as printed. */
  samples: Map<string, number>;
}

export function parseMetrics(text: string): Scrape {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    if (space < 0) continue;
    const value = Number(line.slice(space + 1));
    if (Number.isFinite(value) || line.endsWith('Inf')) samples.set(line.slice(0, space), value);
  }
  return { samples };
}

/** Sum of every sample of `name` (all label sets), or one exact key. */
export function total(scrape: Scrape | null, name: string): number {
  if (!scrape) return 0;
  let sum = 0;
  for (const [key, value] of scrape.samples) if (key === name || key.startsWith(`${name}{`)) sum += value;
  return sum;
}

/**
 * One counter's increase between two scrapes, by the value of its one label
 * (`name{label="value"}`); null when `after` has no series of it (an older server).
 */
export function deltasByLabel(before: Scrape | null, after: Scrape, name: string, label: string): Record<string, number> | null {
  const prefix = `${name}{${label}="`;
  const deltas: Record<string, number> = {};
  let found = false;
  for (const [key, value] of after.samples) {
    if (!key.startsWith(prefix)) continue;
    found = true;
    deltas[key.slice(prefix.length, key.indexOf('"', prefix.length))] = value - (before?.samples.get(key) ?? 0);
  }
  return found ? deltas : null;
}

export interface HistogramWindow {
  count: number;
  sumSeconds: number;
  /** Upper bounds (seconds) with cumulative counts, ascending, +Inf last. */
  buckets: { le: number; count: number }[];
}

/**
 * `labels`: the series' other labels as printed after `le`, e.g. `op="settleHand",stage="in_thread"`
 * (prom-client prints `le` first); none for an unlabelled histogram.
 */
export function histogramWindow(before: Scrape | null, after: Scrape, name: string, labels = ''): HistogramWindow {
  const get = (s: Scrape | null, key: string) => s?.samples.get(key) ?? 0;
  const buckets: { le: number; count: number }[] = [];
  const rest = labels ? `,${labels}` : '';
  const escaped = rest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)"${escaped}\\}$`);
  for (const [key, value] of after.samples) {
    const match = pattern.exec(key);
    if (!match) continue;
    const le = match[1] === '+Inf' ? Infinity : Number(match[1]);
    buckets.push({ le, count: value - get(before, key) });
  }
  buckets.sort((a, b) => a.le - b.le);
  const series = labels ? `{${labels}}` : '';
  return {
    count: get(after, `${name}_count${series}`) - get(before, `${name}_count${series}`),
    sumSeconds: get(after, `${name}_sum${series}`) - get(before, `${name}_sum${series}`),
    buckets,
  };
}

/** Approximate quantile in seconds; null without observations. Above the last finite bound: that bound. */
export function quantile(h: HistogramWindow, q: number): number | null {
  if (h.count <= 0 || h.buckets.length === 0) return null;
  const rank = q * h.count;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return lowerBound;
      const inBucket = b.count - lowerCount;
      return inBucket <= 0 ? b.le : lowerBound + (b.le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = b.le;
    lowerCount = b.count;
  }
  return lowerBound;
}
