import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const BIN = new URL('../../dist/bin/evidence.js', import.meta.url).pathname;

/**
 * Class: leftovers. Ctrl-C or SIGTERM during a write removes the temporary
 * file or staging folder; after kill -9 the next run in that folder removes
 * what the dead process left.
 */
async function startCollect(
  dir: string,
): Promise<{ exited: Promise<number | null>; kill: (s: NodeJS.Signals) => void }> {
  const child = spawn(
    process.execPath,
    [BIN, 'collect', '-o', 'out.tar.gz', '--name', 'a', '--version', '1', '--file', 'big.bin', '-q'],
    { cwd: dir, stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  // Wait for the temporary file to appear (the bundle is being written).
  for (let i = 0; i < 500; i++) {
    if ((await readdir(dir)).some((f) => f.endsWith('.partial'))) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { exited, kill: (s) => child.kill(s) };
}

async function bigInput(dir: string): Promise<void> {
  // Incompressible, so that writing the bundle takes a while.
  await writeFile(join(dir, 'big.bin'), randomBytes(160 * 1024 * 1024));
}

describe('temporary files never outlive a run', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s during collect: exit 128+n, no .partial left, no bundle',
    async (signal) => {
      const dir = await tmp();
      await bigInput(dir);
      const run = await startCollect(dir);
      expect((await readdir(dir)).some((f) => f.endsWith('.partial'))).toBe(true);
      run.kill(signal);
      expect(await run.exited).toBe(signal === 'SIGINT' ? 130 : 143);
      expect((await readdir(dir)).sort()).toEqual(['big.bin']);
    },
  );

  it('after kill -9 the leftover stays; the next run in the folder removes it', async () => {
    const dir = await tmp();
    await bigInput(dir);
    const run = await startCollect(dir);
    run.kill('SIGKILL');
    await run.exited;
    const left = (await readdir(dir)).filter((f) => f.endsWith('.partial'));
    expect(left).toHaveLength(1);
    // Old enough that no live writer could own it.
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, left[0] as string), past, past);
    await writeFile(join(dir, 'small.txt'), 'x');
    const next = await runCli(
      ['collect', '-o', 'other.tar.gz', '--name', 'a', '--version', '1', '--file', 'small.txt', '-q'],
      { cwd: dir },
    );
    expect(next.code).toBe(0);
    expect((await readdir(dir)).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('leaves alone what is not ours, and what a live run owns', async () => {
    const dir = await tmp();
    const live = `.out.tar.gz.${process.pid}.0123456789ab.partial`;
    const foreign = '.out.tar.gz.partial';
    await mkdir(join(dir, live));
    await writeFile(join(dir, foreign), 'someone else');
    const past = new Date(Date.now() - 60_000);
    await utimes(join(dir, live), past, past);
    await writeFile(join(dir, 'small.txt'), 'x');
    expect(
      (
        await runCli(['collect', '-o', 'o.tar.gz', '--name', 'a', '--version', '1', '--file', 'small.txt', '-q'], {
          cwd: dir,
        })
      ).code,
    ).toBe(0);
    expect((await readdir(dir)).sort()).toEqual([foreign, live, 'o.tar.gz', 'small.txt'].sort());
  });
});
