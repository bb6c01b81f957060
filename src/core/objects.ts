/** The object without its undefined properties (for exactOptionalPropertyTypes and JSON that omits them). */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Appends `items` to `target` one by one. `target.push(...items)` passes every item as an argument, and past about
 * 120,000 of them (a hostile document's issues, a bundle's checks) throws RangeError instead of appending.
 */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item);
  return target;
}
