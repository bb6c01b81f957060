import { Worker } from 'node:worker_threads';

// Runs from src/ under a test runner, from dist/, and from the bundled action alike (no file to find).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createReadStream } = require('node:fs');
const { createGunzip } = require('node:zlib');
const { pipeline, Writable } = require('node:stream');
pipeline(
  createReadStream(workerData.path, { start: 0, end: workerData.end - 1, highWaterMark: 1024 * 1024 }),
  createGunzip(),
  new Writable({ write(_chunk, _enc, done) { done(); } }),
  (err) => parentPort.postMessage(!err),
);
`;

/**
 * Whether a file's first `end` bytes are whole gzip members: they decompress
 * to their end with no member cut short. On a thread of its own, so that it
 * runs beside the caller's work (sign checks the bundle meanwhile); the
 * decompressed bytes are dropped as they come.
 */
export function endsAtGzipMember(path: string, end: number): Promise<boolean> {
  if (end <= 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData: { path, end } });
    worker.once('message', (ok: boolean) => {
      resolve(ok);
      void worker.terminate();
    });
    worker.once('error', () => resolve(false));
    worker.once('exit', () => resolve(false));
  });
}
