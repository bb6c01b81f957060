import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { whenInterrupted } from './leftovers.js';
import { compiledWorkerFile } from './worker-file.js';
import { holdIndex, IndexStoreError, openSqliteIndex, type IndexStore } from './release-index-sqlite.js';
import { releaseRows, rowBlobs, type RecordedRelease } from '../release-index/rows.js';
import { PurlReader } from '../formats/purl.js';

/**
 * `evidence index`'s SQLite file written on a thread of its own: the rows of a verified release (reading its SBOMs,
 * releaseRows) and their writes run there while the main thread verifies the next bundle, instead of each release
 * waiting for both in turn (docs/performance.md, issue 27's target of indexing at verifying's cost plus 20 %).
 *
 * The thread runs the same store (openSqliteIndex): its batches, savepoints and errors are unchanged. This side holds
 * the file (its marker beside it), relays SIGINT, SIGTERM and SIGHUP (a worker receives no signals) as a commit it
 * waits for, and answers `has` from the digests the index held when opened plus those put since, so that asking
 * whether a bundle is indexed does not wait for the writes before it. Only the compiled module can start the thread
 * (as integrity-thread.ts): under a test runner or inside a single-file bundle the store runs inline.
 */

const ROLE = 'evidence-index-writer';
const WORKER_FILE = compiledWorkerFile(import.meta.url, 'index-writer-thread');
/** Whether the writer can run on a thread (a compiled file is found, not under a test runner). */
export const CAN_THREAD = WORKER_FILE !== undefined;
/** How long a signal's commit is waited for before the process ends without it (the busy timeout is 5 s). */
const INTERRUPT_WAIT_MS = 6000;

type Op = 'putVerified' | 'put' | 'reject' | 'clear' | 'sweep' | 'query' | 'rejected' | 'close';
interface Request {
  id: number;
  op: Op;
  args: unknown[];
}
interface SerializedError {
  name: string;
  code?: string;
  message: string;
}
type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

function serialize(e: unknown): SerializedError {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) };
}

/** The thread's error as the store's own: IndexStoreError keeps its code; anything else is a write that failed. */
function revive(e: SerializedError): Error {
  if (e.name === 'IndexStoreError' && e.code !== undefined)
    return new IndexStoreError(e.code as IndexStoreError['code'], e.message);
  return new IndexStoreError('INDEX_WRITE_FAILED', `the index's writer thread failed: ${e.name}: ${e.message}`);
}

/**
 * The index file at `path` for `evidence index`: written on a thread when the compiled module can start one, else
 * inline (openSqliteIndex). INDEX_UNREADABLE or INDEX_TOO_NEW as openSqliteIndex, when the thread opens it.
 */
export async function openIndexWriter(path: string, engine?: 'node:sqlite' | 'sqlite-wasm'): Promise<IndexStore> {
  if (!CAN_THREAD) return openSqliteIndex(path, engine);
  const owner = holdIndex(path);
  // A signal's commit: the thread sets the flag and wakes this thread, which waits on it (Atomics.wait).
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(WORKER_FILE as string, {
    workerData: { role: ROLE, path, engine, signal },
    execArgv: [],
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let next = 1;
  let gone: Error | undefined;
  const stop = (e: Error) => {
    gone ??= e;
    for (const p of pending.values()) p.reject(gone);
    pending.clear();
  };
  worker.on('message', (m: Reply) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.ok) p?.resolve(m.value);
    else p?.reject(revive(m.error));
  });
  worker.on('error', (e) =>
    stop(new IndexStoreError('INDEX_WRITE_FAILED', `the index's writer thread failed: ${e.message}`, e)),
  );
  worker.on('exit', (code) =>
    stop(new IndexStoreError('INDEX_WRITE_FAILED', `the index's writer thread stopped (exit ${code})`)),
  );
  const call = <T>(op: Op | 'open', args: unknown[] = []): Promise<T> => {
    if (gone) return Promise.reject(gone);
    const id = op === 'open' ? 0 : next++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      if (op !== 'open') worker.postMessage({ id, op, args } satisfies Request);
    });
  };
  let opened: { engine: string; schema: number; digests: string[] };
  try {
    opened = await call('open');
  } catch (e) {
    owner();
    await worker.terminate();
    // The store's own refusal as it is; a thread that could not start: the index cannot be opened.
    const refused = e instanceof IndexStoreError && e.code !== 'INDEX_WRITE_FAILED';
    throw refused
      ? e
      : new IndexStoreError('INDEX_UNREADABLE', `${path}: cannot be opened: ${(e as Error).message}`, e);
  }
  const held = new Set(opened.digests);
  // Held from the moment it is sent (it is not verified again while it is written), unless its write fails.
  const writing = <T>(digest: string, put: Promise<T>): Promise<T> => {
    held.add(digest);
    return put.catch((e: unknown) => {
      held.delete(digest);
      throw e;
    });
  };
  const unlisten = whenInterrupted(() => {
    // A thread that stopped has nothing to commit: no wait.
    if (gone) return;
    Atomics.store(signal, 0, 0);
    worker.postMessage({ id: -1, op: 'flush', args: [] });
    Atomics.wait(signal, 0, 0, INTERRUPT_WAIT_MS);
  });
  return {
    engine: opened.engine,
    schema: opened.schema,
    has: (digest) => Promise.resolve(held.has(digest)),
    putVerified: async (input, at) => {
      // Only the blobs the rows are made of are copied to the thread (a Buffer arrives there as a Uint8Array).
      const wanted = rowBlobs(input.manifest);
      const blobs = new Map([...input.blobs].filter(([hex]) => wanted.has(hex)));
      return writing(input.report.bundle.digest ?? '', call('putVerified', [{ ...input, blobs }, at]));
    },
    put: (rows, at) => writing(rows.release.bundleDigest, call('put', [rows, at])),
    reject: (r, at) => call('reject', [r, at]),
    clear: () => {
      held.clear();
      return call('clear');
    },
    sweep: (keep, before) => {
      for (const d of held) if (!keep.has(d)) held.delete(d);
      return call('sweep', [keep, before]);
    },
    query: (q) => call('query', [q]),
    rejected: () => call('rejected'),
    close: async () => {
      try {
        await call('close');
      } finally {
        unlisten();
        await worker.terminate();
        owner();
      }
    },
  };
}

/** The thread: the store opened on it, each request answered in the order it came. */
function serve(): void {
  const port = parentPort;
  if (!port) return;
  const data = workerData as { path: string; engine?: 'node:sqlite' | 'sqlite-wasm'; signal: Int32Array };
  let store: ReturnType<typeof openSqliteIndex>;
  try {
    store = openSqliteIndex(data.path, data.engine, true);
  } catch (e) {
    port.postMessage({ id: 0, ok: false, error: serialize(e) } satisfies Reply);
    return;
  }
  port.postMessage({
    id: 0,
    ok: true,
    value: { engine: store.engine, schema: store.schema, digests: store.digests() },
  } satisfies Reply);
  port.on('message', (m: Request | { id: -1; op: 'flush' }) => {
    if (m.op === 'flush') {
      store.flush();
      Atomics.store(data.signal, 0, 1);
      Atomics.notify(data.signal, 0);
      return;
    }
    void answer(store, m).then(
      (value) => port.postMessage({ id: m.id, ok: true, value } satisfies Reply),
      (e: unknown) => port.postMessage({ id: m.id, ok: false, error: serialize(e) } satisfies Reply),
    );
  });
}

/** The purls the thread has read, kept across releases (most components recur): 50,000 at most (about 50 MiB). */
const purls = new PurlReader(50_000);

/** A request's answer; whatever it throws is its failure, answered, never the thread's end (its batch would be lost). */
async function answer(store: ReturnType<typeof openSqliteIndex>, m: Request): Promise<unknown> {
  const a = m.args as never[];
  switch (m.op) {
    case 'putVerified': {
      const [input, at] = m.args as [Parameters<typeof releaseRows>[0] & { blobs: Map<string, Uint8Array> }, string];
      const blobs = new Map<string, Buffer>();
      for (const [hex, u] of input.blobs) blobs.set(hex, Buffer.from(u.buffer, u.byteOffset, u.byteLength));
      const rows = releaseRows({ ...input, blobs, purls });
      return store.put(rows, at).then((): RecordedRelease => ({ release: rows.release, kinds: rows.kinds }));
    }
    default:
      return (store[m.op] as (...args: never[]) => Promise<unknown>)(...a);
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) serve();

/**
 * Records started without waiting for the ones before (at most `depth` at once), so that the next bundle is verified
 * while the last one's rows are written. Each outcome reaches its `then` in the order the store answers (in order: a
 * store's calls run one after another); the first failure is thrown by the next `add`, or by `settle`, which waits for
 * every record.
 */
export function recordingQueue(depth = 2) {
  const running: Promise<void>[] = [];
  let failure: { error: unknown } | undefined;
  const settleOne = async () => {
    await running.shift();
    if (failure) throw failure.error;
  };
  return {
    async add<T>(work: () => Promise<T>, then: (value: T) => void): Promise<void> {
      while (running.length >= depth) await settleOne();
      if (failure) throw failure.error;
      running.push(
        work()
          .then(then)
          .catch((e: unknown) => {
            failure ??= { error: e };
          }),
      );
    },
    async settle(): Promise<void> {
      while (running.length) await settleOne();
      if (failure) throw failure.error;
    },
  };
}
