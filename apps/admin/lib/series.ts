/** One point of the overview chart. */
export interface Sample {
  /** ms since the epoch (server time). */
  t: number;
  messagesPerS: number;
  connections: number;
}

/** Keeps samples in time order within `windowMs` of the newest; a repeated time replaces its sample. */
export function appendSample(samples: readonly Sample[], sample: Sample, windowMs: number): Sample[] {
  const kept = samples.filter((s) => s.t > sample.t - windowMs && s.t !== sample.t);
  kept.push(sample);
  kept.sort((a, b) => a.t - b.t);
  return kept;
}

export interface PathBox {
  width: number;
  height: number;
  /** Time range drawn, ms. */
  from: number;
  to: number;
  /** Value drawn at the top edge. */
  max: number;
}

/** An SVG path (`M x y L x y …`) of `value` over time, scaled into the box; "" for no points. */
export function linePath(samples: readonly Sample[], value: (s: Sample) => number, box: PathBox): string {
  const span = Math.max(1, box.to - box.from);
  const max = box.max > 0 ? box.max : 1;
  return samples
    .map((s, i) => {
      const x = ((s.t - box.from) / span) * box.width;
      const y = box.height - (Math.min(value(s), max) / max) * box.height;
      return `${i === 0 ? "M" : "L"}${x.toFixed(1)} ${y.toFixed(1)}`;
    })
    .join(" ");
}

/** A round upper bound for an axis: 1, 2, 5, 10, 20, 50 … at or above `value`. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
