import { basename, dirname, join } from 'node:path';
import { builtinModule } from './builtin.js';

// node:fs and node:crypto are taken as Node's own modules, not imported (src/fs/builtin.ts): every command line loads
// this file for its signal handling.
const fs = builtinModule('node:fs');

/**
 * Temporary files and staging folders of our own making:
 * `.NAME.PID.RANDOM.partial` beside what they become. While a process runs,
 * it knows its own (and removes them on SIGINT, SIGTERM and SIGHUP); after a
 * kill -9 nothing can, so the next run in that folder removes those whose
 * process is gone.
 */
const PARTIAL = /^\..+\.(\d+)\.[0-9a-f]{12}\.partial$/;
const live = new Set<string>();

/** A fresh temporary path beside `target`, tracked until released. */
export function temporaryBeside(target: string): string {
  const path = join(
    dirname(target),
    `.${basename(target)}.${process.pid}.${builtinModule('node:crypto').randomBytes(6).toString('hex')}.partial`,
  );
  live.add(path);
  return path;
}

/**
 * The one way a command makes a temporary path: first the dead leftovers in
 * that folder are removed (what a run killed with SIGKILL left), then a
 * fresh, tracked path beside `target` is named. `writeAtomically` (collect,
 * sign, pull, render, vsa, trust-root update, the audit cache's refs) and
 * extract's staging folder go through here. Writers that name a new path per
 * attempt from a callback that cannot wait (fetch's and the audit cache's
 * downloads) call `removeStaleLeftovers` on the folder once, then
 * `temporaryBeside`.
 */
export async function sweptTemporaryBeside(target: string): Promise<string> {
  await removeStaleLeftovers(dirname(target));
  return temporaryBeside(target);
}

/** The temporary path is gone or has become the real thing: stop tracking it. */
export function release(path: string): void {
  live.delete(path);
}

/**
 * Removes leftovers of ours in `dir` whose process no longer runs (on this
 * machine), and returns their names. Others' files, and live runs', are left.
 */
export async function removeStaleLeftovers(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = ownerOf(name);
    if (pid === undefined || pid === process.pid || isRunning(pid)) continue;
    const path = join(dir, name);
    // Only what is old enough that no writer that started just now could own it.
    const info = await fs.promises.stat(path).catch(() => undefined);
    if (!info || Date.now() - info.mtimeMs < 2000) continue;
    await fs.promises.rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * The pids of other live processes that marked `target` as theirs with a leftover-named path beside it
 * (`temporaryBeside`): what tells a lock of theirs from the leftover of a killed run.
 */
export function liveOwnersOf(target: string): number[] {
  let names: string[];
  try {
    names = fs.readdirSync(dirname(target));
  } catch {
    return [];
  }
  const prefix = `.${basename(target)}.`;
  return names.flatMap((name) => {
    const pid = name.startsWith(prefix) ? ownerOf(name) : undefined;
    return pid !== undefined && pid !== process.pid && isRunning(pid) ? [pid] : [];
  });
}

/** The pid a leftover of ours (`.NAME.PID.RANDOM.partial`) names; undefined for any other name. */
function ownerOf(name: string): number | undefined {
  const m = PARTIAL.exec(name);
  return m ? Number(m[1]) : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

let installed = false;
const interrupted = new Set<() => void>();

/**
 * Work to finish before the process ends on SIGINT, SIGTERM or SIGHUP (an index's open batch committed), run before
 * the temporary paths are removed. Returns the unregistering.
 */
export function whenInterrupted(finish: () => void): () => void {
  interrupted.add(finish);
  return () => interrupted.delete(finish);
}

/**
 * On SIGINT, SIGTERM or SIGHUP: remove every temporary path still tracked,
 * then end as the signal would have (128 + its number). For command-line
 * entry points only: a library does not own the process's signals.
 */
export function cleanUpOnSignals(): void {
  if (installed) return;
  installed = true;
  const numbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };
  for (const signal of Object.keys(numbers) as NodeJS.Signals[]) {
    process.once(signal, () => {
      for (const finish of interrupted)
        try {
          finish();
        } catch {
          // The process ends anyway: what could not finish is left as a killed run leaves it.
        }
      for (const path of live) fs.rmSync(path, { recursive: true, force: true });
      live.clear();
      process.exit(128 + (numbers[signal] as number));
    });
  }
}
