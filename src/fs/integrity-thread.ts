import { PassThrough, Writable } from 'node:stream';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { standardSourceBlob } from '../formats/standard-statements.js';
import { VerifyError } from '../verifier/errors.js';
import { compiledWorkerFile } from './worker-file.js';
import { requireIntegrity, type IntactBundle } from '../verifier/verify-bundle.js';

/**
 * The integrity gate (requireIntegrity) on a thread of its own, fed the
 * bytes the caller reads: push reads the bundle once and tees it, so the
 * upload runs on the main thread while the check (gunzip, tar, every
 * digest) runs on the other core, instead of both taking turns on one.
 *
 * The thread is this module, started again as a worker. Only the compiled
 * module can do that: under a test runner (TypeScript sources) or inside a
 * single-file bundle (the GitHub Action) the check runs inline, the same
 * code on the caller's thread. Small bundles run inline too: starting a
 * thread and loading the verifier there costs more than it saves; and by
 * default nothing does (THREAD_MIN_BYTES).
 */

const ROLE = 'evidence-integrity-thread';
/** The compiled file a worker starts from (this module compiled), if there is one. */
const WORKER_FILE = compiledWorkerFile(import.meta.url, 'integrity-thread');
/** Whether this module can be started as a worker (a compiled file is found, not under a test runner or the action). */
export const CAN_THREAD = WORKER_FILE !== undefined;
/**
 * Below this size the check runs inline: by default always. Measured on two
 * cores once gunzip's output chunks were 1 MiB (docs/performance.md), the
 * inline check kept up with the upload (push 4.8–5.9 s inline against
 * 4.8–5.1 s on a thread, for 1 GiB) and sign was faster inline (3.6–4.2 s
 * against 4.3–4.7 s), at 140–159 MiB instead of 189–235 MiB: the thread is
 * a second V8 heap. EVIDENCE_INTEGRITY_THREAD_MIN (bytes) turns it on from
 * that size, for machines whose check is slower than their upload.
 */
export const THREAD_MIN_BYTES = Number.POSITIVE_INFINITY;
/** Chunks sent to the thread and not yet taken in by its reader: the bound on what waits in between. */
const MAX_IN_FLIGHT = 4;

interface SerializedError {
  code?: string;
  message: string;
  path?: string;
}

type ToThread = { type: 'chunk'; data: Uint8Array } | { type: 'end' } | { type: 'abort'; message: string };
type FromThread =
  { type: 'taken' } | { type: 'done'; result: IntactBundle } | { type: 'error'; error: SerializedError };

export interface IntegrityCheck {
  /** Where the bundle's bytes go, in order; ended at the end of the bundle. */
  sink: Writable;
  /** The intact bundle, or BUNDLE_INVALID (as requireIntegrity). */
  result: Promise<IntactBundle>;
  /** Whether it runs on a thread of its own. */
  threaded: boolean;
}

/** The integrity check of a bundle of `size` bytes, fed through `sink`: on a thread when it pays, else inline. */
export function integrityCheck(
  path: string,
  refused: string,
  size: number,
  env: Record<string, string | undefined> = {},
): IntegrityCheck {
  const given = env.EVIDENCE_INTEGRITY_THREAD_MIN;
  const min = given !== undefined && /^\d+$/.test(given) ? Number(given) : THREAD_MIN_BYTES;
  if (!CAN_THREAD || size < min) {
    const sink = new PassThrough({ highWaterMark: 1024 * 1024 });
    // The answer is the result's; a sink destroyed by a failed read or a failed check must not also throw as an event.
    sink.on('error', () => undefined);
    const result = requireIntegrity(sink, path, refused, { keepBlob: standardSourceBlob });
    // A bundle that fails stops being read; the sink must not hold the writer back.
    result.catch(() => undefined).finally(() => sink.resume());
    return { sink, result, threaded: false };
  }
  return threaded(path, refused);
}

function threaded(path: string, refused: string): IntegrityCheck {
  const worker = new Worker(WORKER_FILE as string, { workerData: { role: ROLE, path, refused }, execArgv: [] });
  let inFlight = 0;
  let waiting: (() => void) | undefined;
  let settled = false;
  const result = new Promise<IntactBundle>((resolve, reject) => {
    worker.on('message', (m: FromThread) => {
      if (m.type === 'taken') {
        inFlight--;
        const go = waiting;
        waiting = undefined;
        go?.();
      } else if (m.type === 'done') {
        settled = true;
        resolve(revive(m.result));
      } else {
        settled = true;
        reject(
          m.error.code === 'BUNDLE_INVALID'
            ? new VerifyError(m.error.code, m.error.message, m.error.path !== undefined ? { path: m.error.path } : {})
            : Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}),
        );
      }
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (settled) return;
      settled = true;
      reject(new Error(`the integrity check's thread stopped (exit ${code}) before it answered`));
    });
  }).finally(() => {
    // Whatever the answer, the writer is no longer held back, and the thread goes.
    const go = waiting;
    waiting = undefined;
    go?.();
    void worker.terminate();
  });
  result.catch(() => undefined);
  const sink = new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, done) {
      if (settled) return done();
      // Copied into the message: the caller's buffer also goes to the upload.
      worker.postMessage({ type: 'chunk', data: chunk } satisfies ToThread);
      inFlight++;
      if (inFlight < MAX_IN_FLIGHT) return done();
      waiting = () => done();
    },
    final(done) {
      if (!settled) worker.postMessage({ type: 'end' } satisfies ToThread);
      done();
    },
    destroy(error, done) {
      if (error && !settled) worker.postMessage({ type: 'abort', message: error.message } satisfies ToThread);
      done(error);
    },
  });
  sink.on('error', () => undefined);
  return { sink, result, threaded: true };
}

/** What crossed the thread boundary as Uint8Array becomes Buffer again. */
function revive(r: IntactBundle): IntactBundle {
  const buf = (u: Uint8Array | undefined): Buffer | undefined =>
    u === undefined ? undefined : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
  const c = r.contents;
  return {
    ...r,
    contents: {
      ...c,
      manifestBytes: buf(c.manifestBytes) as Buffer,
      ...(c.sumsBytes ? { sumsBytes: buf(c.sumsBytes) } : {}),
      ...(c.attestationBytes ? { attestationBytes: buf(c.attestationBytes) } : {}),
      ...(c.standardBytes ? { standardBytes: buf(c.standardBytes) } : {}),
      kept: new Map([...c.kept].map(([k, v]) => [k, buf(v) as Buffer])),
    },
  };
}

/** The thread's side: bytes in by message, each acknowledged once the check's reader has taken it. */
function runThread(port: NonNullable<typeof parentPort>, data: { path: string; refused: string }): void {
  const input = new PassThrough({ highWaterMark: 1024 * 1024 });
  port.on('message', (m: ToThread) => {
    if (m.type === 'chunk') {
      const taken = (): void => port.postMessage({ type: 'taken' } satisfies FromThread);
      if (input.write(Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength))) taken();
      else input.once('drain', taken);
    } else if (m.type === 'end') input.end();
    else input.destroy(new Error(m.message));
  });
  requireIntegrity(input, data.path, data.refused, { keepBlob: standardSourceBlob }).then(
    (result) => port.postMessage({ type: 'done', result } satisfies FromThread),
    (e: unknown) => {
      const x = e as { code?: unknown; message?: unknown; path?: unknown };
      port.postMessage({
        type: 'error',
        error: {
          ...(typeof x.code === 'string' ? { code: x.code } : {}),
          message: String(x.message ?? e),
          ...(typeof x.path === 'string' ? { path: x.path } : {}),
        },
      } satisfies FromThread);
    },
  );
}

if (!isMainThread && parentPort && (workerData as { role?: unknown } | null)?.role === ROLE)
  runThread(parentPort, workerData as { path: string; refused: string });
