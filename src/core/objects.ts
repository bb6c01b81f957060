/** The object without its undefined properties (for exactOptionalPropertyTypes and JSON that omits them). */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Appends `items` to `target` one by one. `target.push(...items)` passes every item as an argument, and past about
 * 120,000 of them (a hostile document's issues, a bundle's checks) throws RangeError instead of appending.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  // A list appended to itself is appended once, as push(...list) did, not for ever.
  for (const item of items === target ? [...target] : items) target.push(item);
  return target;
}

/** Math.max over `items` (the same answer: -Infinity for none, NaN if any is NaN) without an argument per item. */
export function maxOf(items: Iterable<number>): number {
  let m = -Infinity;
  for (const x of items) m = Math.max(m, x);
  return m;
}

/** Math.min over `items` (Infinity for none, NaN if any is NaN) without an argument per item. */
export function minOf(items: Iterable<number>): number {
  let m = Infinity;
  for (const x of items) m = Math.min(m, x);
  return m;
}
