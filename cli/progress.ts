import { Presets, SingleBar } from 'cli-progress';
import { RateMeter, type ByteProgress } from '../src/fs/progress.js';
import { formatBytes } from '../src/present/text.js';
import { escapeValue } from '../src/present/terminal.js';
import type { CliIo, CliStream } from './options.js';

/** Work that finishes sooner than this draws nothing. */
const SHOW_AFTER_MS = 1000;

/**
 * A progress bar on standard error for long work (bytes done, rate, time
 * left), drawn with cli-progress. Nothing is drawn when standard error is not
 * a terminal, in CI (CI set), with --quiet, or with --json (which is for
 * machines, and must never be mixed with drawing).
 */
export function byteProgress(
  io: CliIo,
  options: { quiet?: boolean; json?: boolean },
): { onBytes?: ByteProgress; stop: () => void } {
  const stream: CliStream = (io.raw ?? io).stderr;
  const ci = io.env.CI !== undefined && io.env.CI !== '' && io.env.CI !== 'false';
  if (!stream.isTTY || ci || options.quiet || options.json) return { stop: () => undefined };
  const started = Date.now();
  // EVIDENCE_PROGRESS_DELAY_MS: how long work runs before a bar is drawn (tests draw at once).
  const delay = Number(io.env.EVIDENCE_PROGRESS_DELAY_MS ?? SHOW_AFTER_MS);
  let bar: SingleBar | undefined;
  let label = '';
  let total = 0;
  // From the work's start (not the bar's, which may come a second later with the bytes of that second).
  const meter = new RateMeter(started);
  const onBytes: ByteProgress = (e) => {
    if (!bar && Date.now() - started < (Number.isFinite(delay) ? delay : SHOW_AFTER_MS)) return;
    const t = e.total ?? Math.max(e.done, 1);
    const payload = (): Record<string, string> => {
      const rate = meter.rate(Date.now(), e.done, e.total);
      return {
        label: escapeValue(e.label).slice(0, 40),
        doneH: formatBytes(e.done),
        totalH: formatBytes(t),
        rate: rate === undefined ? '…/s' : `${formatBytes(Math.round(rate))}/s`,
      };
    };
    if (!bar) {
      bar = new SingleBar(
        {
          stream: stream as unknown as NodeJS.WritableStream,
          format: '{label} [{bar}] {percentage}% | {doneH} of {totalH} | {rate} | {eta_formatted} left',
          hideCursor: false,
          clearOnComplete: true,
          fps: 8,
          etaBuffer: 40,
          barsize: 24,
        },
        Presets.shades_classic,
      );
      label = e.label;
      total = t;
      bar.start(t, e.done, payload());
      return;
    }
    if (e.label !== label || t !== total) {
      label = e.label;
      total = t;
      meter.restart(Date.now(), e.done);
      bar.setTotal(t);
    }
    bar.update(e.done, payload());
  };
  return {
    onBytes,
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}
