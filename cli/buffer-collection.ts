/**
 * A full collection when buffers outside the heap pile up, for the commands that verify bundle after bundle (audit,
 * index; issue 28's "memory flat in the number of releases").
 *
 * Each release an audit verifies leaves buffers outside V8's heap (its bundle read and gunzipped, its HTTP bodies,
 * hashes). Their owners live across the release's network waits, so they outlive the young generation's collections
 * and are freed only by a full one, which V8 starts when such memory has grown by tens of MiB: sampled every 25 ms in
 * an audit of 500 OCI tags (Node 24.22.3), the buffers waiting for it grew to 25–50 MiB between full collections, and
 * the process kept that memory once it had it, so the peak rose with the number of releases (148 MiB at 100 tags,
 * 200–215 MiB at 500). Asking for a full collection whenever they have grown by BUDGET since the last one brought
 * the recorded peaks to 126 and 149 MiB (1.18×: nearer flat, not flat; docs/performance.md). Asked collections are
 * spaced (MIN_GAP_MS, GAP_FACTOR).
 *
 * V8 gives a script a way to ask only when `--expose-gc` is set: it is set for as long as it takes to fetch the
 * function, from a context of its own, and unset again (the way Jest does for --logHeapUsage); a node started with
 * --expose-gc is used as it is. Where the runtime refuses, nothing is asked and nothing else changes.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Growth of the buffers outside the heap, since the last full collection, that asks for the next one. */
export const BUFFER_BUDGET = 8 * 1024 * 1024;
/** How often the buffers are looked at (a timer, so never inside a release's synchronous work). */
export const LOOK_EVERY_MS = 50;
/**
 * The least time from one asked collection to the next: at least MIN_GAP_MS, and at least GAP_FACTOR times what the
 * last one took, so that asked collections never take more than about a twentieth of the run. Without it, a large
 * bundle streaming through faster than BUDGET a look had one asked for at nearly every look: 70 in an audit of three
 * 200 MB bundles, about 70 % more CPU, no less memory (an outside review).
 */
export const MIN_GAP_MS = 100;
export const GAP_FACTOR = 20;

export interface BufferCollection {
  /** Full collections asked for so far. */
  readonly forced: number;
  stop(): void;
}

/** V8's collector as a function, or undefined where the runtime does not give it. */
export function collectorFunction(): (() => void) | undefined {
  const own = (globalThis as { gc?: unknown }).gc;
  if (typeof own === 'function') return own as () => void;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

export function collectWhenBuffersPile(
  options: {
    budget?: number;
    everyMs?: number;
    /** Where the measure comes from (tests): process.memoryUsage by default. */
    buffers?: () => number;
    gc?: (() => void) | undefined;
    /** The clock, in milliseconds (tests): performance.now by default. */
    now?: () => number;
  } = {},
): BufferCollection {
  const budget = options.budget ?? BUFFER_BUDGET;
  const buffers = options.buffers ?? (() => process.memoryUsage().arrayBuffers);
  const gc = 'gc' in options ? options.gc : collectorFunction();
  let forced = 0;
  if (!gc) return { forced, stop: () => undefined };
  const now = options.now ?? (() => performance.now());
  let after = buffers();
  let next = 0;
  const timer = setInterval(() => {
    if (buffers() - after < budget) return;
    const start = now();
    if (start < next) return;
    gc();
    const end = now();
    forced++;
    after = buffers();
    next = end + Math.max(MIN_GAP_MS, GAP_FACTOR * (end - start));
  }, options.everyMs ?? LOOK_EVERY_MS);
  timer.unref();
  return {
    get forced() {
      return forced;
    },
    stop: () => clearInterval(timer),
  };
}
