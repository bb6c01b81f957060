import { maxOf } from '../core/objects.js';
import { escapeValue } from './terminal.js';

/**
 * What the inline SVG charts of the HTML reports share and that can be tested
 * without a browser: the escaping of their labels, the ticks of a value axis,
 * and which labels of a crowded category axis are printed.
 */

/**
 * A label, title or description from the data, as a chart shows it: control
 * characters (C0, DEL, C1), bidirectional formatting characters and line
 * separators are shown as visible escapes (`\u202e`), as the text and
 * Markdown reports show them (`escapeValue`). The `html` tag still
 * entity-escapes the result.
 */
export function chartText(s: string): string {
  return escapeValue(String(s));
}

/**
 * The ticks of a value axis from `min` to `max`: the two ends and the middle,
 * each printed once. Ticks whose printed form is the same are one tick (an
 * all-zero or constant series gets one, not three zeros); on an integer axis
 * the middle tick sits on a whole number or is left out, so no label says
 * more than its position.
 */
export function axisTicks(
  min: number,
  max: number,
  format: (v: number) => string,
  integer = false,
): { value: number; label: string }[] {
  const candidates = max - min > 0 ? [min, min + (max - min) / 2, max] : [min];
  const out: { value: number; label: string }[] = [];
  for (const raw of candidates) {
    const value = integer ? Math.round(raw) : raw;
    if (integer && (value < min || value > max)) continue;
    const label = format(value);
    if (out.some((t) => t.label === label)) continue;
    out.push({ value, label });
  }
  return out;
}

/**
 * Which of `n` category labels to print when at most `room` fit: evenly
 * spaced, always the first and the last, and never one too close to the last.
 */
export function labelIndices(n: number, room: number): number[] {
  if (n <= 0) return [];
  const fit = Math.max(2, Math.floor(room));
  if (n <= fit) return Array.from({ length: n }, (_, i) => i);
  // The smallest step that fits, or a little larger when that one lands on the last label exactly.
  const least = Math.ceil((n - 1) / (fit - 1));
  const even = Array.from({ length: least + 1 }, (_, k) => least + k).find(
    (st) => (n - 1) % st === 0 && st <= least * 1.5,
  );
  const step = even ?? least;
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i);
  const last = out[out.length - 1] as number;
  if (last !== n - 1) {
    if (n - 1 - last < step && out.length > 1) out[out.length - 1] = n - 1;
    else out.push(n - 1);
  }
  return out;
}

/**
 * Short category labels: the prefix every label shares (up to a separator,
 * when it is long enough to matter) is taken off and returned apart, and what
 * is left is cut to `max` characters with an ellipsis.
 */
export function shortLabels(labels: readonly string[], max: number): { prefix: string; labels: string[] } {
  let prefix = '';
  if (labels.length > 1) {
    const first = labels[0] as string;
    let n = 0;
    while (n < first.length && labels.every((l) => l[n] === first[n])) n++;
    // Cut at the last separator inside the shared part, so "v1.2" and "v1.3" keep their "v1.".
    const cut = maxOf([...['-', '.', '/', '_', '+', ' '].map((c) => first.lastIndexOf(c, n - 1))]) + 1;
    if (cut >= 4 && labels.every((l) => l.length > cut)) prefix = first.slice(0, cut);
  }
  const cut = (l: string): string => (l.length > max ? `${l.slice(0, Math.max(1, max - 1))}…` : l);
  return { prefix, labels: labels.map((l) => cut(l.slice(prefix.length))) };
}
