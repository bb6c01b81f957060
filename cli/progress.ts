import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';
import { RateMeter, type ByteProgress } from '../src/fs/progress.js';
import { formatBytes } from '../src/present/words.js';
import { escapeValue } from '../src/present/terminal.js';
import type { CliIo, CliStream } from './options.js';

/** Work that finishes sooner than this draws nothing. */
const SHOW_AFTER_MS = 1000;

/**
 * The one progress facility of the command line: a bar for bytes
 * (`byteProgress`, over src/fs/progress.ts's counting) and a status line for
 * steps (`stepProgress`). Both draw, with control sequences, only where
 * `drawsProgress` says so.
 */

/** CI set to anything but '' or 'false': a log, not a terminal, whatever stderr claims. */
export function isCi(env: Record<string, string | undefined>): boolean {
  return env.CI !== undefined && env.CI !== '' && env.CI !== 'false';
}

/**
 * Whether progress is drawn on standard error: only when it is a terminal,
 * not in CI (CI set), not with --quiet, and not with --json (which is for
 * machines, and must never be mixed with drawing).
 */
export function drawsProgress(
  io: Pick<CliIo, 'stderr' | 'env' | 'raw'>,
  options: { quiet?: boolean; json?: boolean },
): boolean {
  return (io.raw ?? io).stderr.isTTY === true && !isCi(io.env) && !options.quiet && !options.json;
}

/**
 * A progress bar on standard error for long work (bytes done, rate, time
 * left), drawn with cli-progress where `drawsProgress` allows.
 */
export function byteProgress(
  io: CliIo,
  options: { quiet?: boolean; json?: boolean },
): { onBytes?: ByteProgress; stop: () => void } {
  const stream: CliStream = (io.raw ?? io).stderr;
  if (!drawsProgress(io, options)) return { stop: () => undefined };
  const started = Date.now();
  // EVIDENCE_PROGRESS_DELAY_MS: how long work runs before a bar is drawn (tests draw at once).
  const delay = Number(io.env.EVIDENCE_PROGRESS_DELAY_MS ?? SHOW_AFTER_MS);
  let bar: SingleBar | undefined;
  let label = '';
  let total = 0;
  // From the work's start (not the bar's, which may come a second later with the bytes of that second).
  const meter = new RateMeter(started);
  // A bar that cannot be drawn (cli-progress not found beside the one-file verifier, copied alone) is no bar: the
  // display never fails the work it shows, which would read as a bundle that cannot be read.
  let off = false;
  const onBytes: ByteProgress = (e) => {
    if (off) return;
    try {
      draw(e);
    } catch {
      off = true;
      try {
        bar?.stop();
      } catch {
        // already gone
      }
      bar = undefined;
    }
  };
  const draw: ByteProgress = (e) => {
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
      // Loaded when a bar is first drawn: a command that draws none (and --version, --help) does not load it.
      const { Presets, SingleBar } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
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

/** A status line longer than this would wrap, and could no longer be redrawn in place. */
const STEP_WIDTH = 120;

/**
 * A status line on standard error for work in steps (collect's phases,
 * audit's releases): redrawn in place where `drawsProgress` allows; else
 * each step as a line of its own with `lines` (audit, whose steps are a log
 * worth keeping), or nothing (collect). Nothing at all with --quiet.
 * `active` says whether anything will be written at all.
 */
export function stepProgress(
  io: CliIo,
  options: { quiet?: boolean; json?: boolean; lines?: boolean },
): { active: boolean; step: (text: string, last?: boolean) => void; stop: () => void } {
  if (!drawsProgress(io, options)) {
    const lines = options.lines === true && !options.quiet;
    return {
      active: lines,
      step: (text) => (lines ? void io.stderr.write(`${text}\n`) : undefined),
      stop: () => undefined,
    };
  }
  const out = (io.raw ?? io).stderr;
  let shown = false;
  return {
    active: true,
    step: (text, last = false) => {
      out.write(`\r\x1b[2K${escapeValue(text).slice(0, STEP_WIDTH)}${last ? '\n' : ''}`);
      shown = !last;
    },
    stop: () => {
      if (shown) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}
