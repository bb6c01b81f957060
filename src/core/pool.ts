/**
 * Bounded parallelism, kept in order: an audit reads and verifies many
 * releases, a few at a time, and its report lists them as they were listed.
 */

/** Runs `work` over the items, at most `limit` at once, keeping their order. */
export async function pool<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number, done: () => number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let finished = 0;
  const done = (): number => ++finished;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T, i, done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
