/** The object without its undefined properties (for exactOptionalPropertyTypes and JSON that omits them). */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
