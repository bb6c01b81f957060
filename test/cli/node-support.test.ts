import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeVersionWarning, warnOnUnsupportedNode } from '../../cli/node-support.js';
import { PACKAGE_VERSION } from '../../src/version.js';
import pkg from '../../package.json' with { type: 'json' };

describe('nodeVersionWarning', () => {
  it('is silent on the supported lines, 22, 24 and 26 on', () => {
    for (const v of ['22.22.2', '24.15.0', 'v24.1.0', '26.0.0', '27.3.1', '30.0.0'])
      expect(nodeVersionWarning(v), v).toBeUndefined();
  });

  it('warns on any other line, naming it and the supported ones', () => {
    expect(nodeVersionWarning('20.20.2')).toBe(
      'evidence: Node 20 is not supported (22, 24, 26); results are untested here\n',
    );
    for (const v of ['18.19.0', 'v21.7.3', '23.11.0', '25.2.1'])
      expect(nodeVersionWarning(v), v).toMatch(
        new RegExp(`^evidence: Node ${/\d+/.exec(v)?.[0]} is not supported \\(22, 24, 26\\)`),
      );
    expect(nodeVersionWarning('nonsense')).toMatch(/^evidence: Node nonsense is not supported/);
  });

  it('agrees with package.json engines: every line it allows is quiet, every other line from 16 to 30 warns', () => {
    const ranges = pkg.engines.node.split('||').map((r) => /^\s*(\^|>=)(\d+)\.\d+\.\d+\s*$/.exec(r));
    expect(ranges.every(Boolean), pkg.engines.node).toBe(true);
    const allowed = (major: number): boolean =>
      ranges.some((m) => (m?.[1] === '^' ? major === Number(m[2]) : major >= Number(m?.[2])));
    for (let major = 16; major <= 30; major++)
      expect(nodeVersionWarning(`${major}.99.0`) === undefined, `Node ${major}`).toBe(allowed(major));
  });

  it('is written once to standard error, unless EVIDENCE_NO_NODE_WARNING is set', () => {
    const written: string[] = [];
    const stderr = { write: (s: string) => written.push(s) };
    warnOnUnsupportedNode('20.1.0', {}, stderr);
    expect(written).toEqual(['evidence: Node 20 is not supported (22, 24, 26); results are untested here\n']);
    warnOnUnsupportedNode('20.1.0', { EVIDENCE_NO_NODE_WARNING: '1' }, stderr);
    warnOnUnsupportedNode('24.15.0', {}, stderr);
    expect(written).toHaveLength(1);
    warnOnUnsupportedNode('20.1.0', { EVIDENCE_NO_NODE_WARNING: '0' }, stderr);
    expect(written).toHaveLength(2);
  });
});

// The built CLI (npx tsc -p tsconfig.build.json), with process.versions.node replaced before it starts.
const BIN = new URL('../../dist/bin/evidence.js', import.meta.url).pathname;
const fake = (version: string): string =>
  `data:text/javascript,Object.defineProperty(process.versions,'node',{value:${JSON.stringify(version)}})`;
async function evidence(
  version: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return promisify(execFile)(process.execPath, ['--import', fake(version), BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    }),
  );
}

describe.skipIf(!existsSync(BIN))('the evidence command on an unsupported Node', () => {
  it('warns once on standard error; standard output keeps only what was asked', async () => {
    const old = await evidence('20.11.1', ['--version']);
    expect(old).toEqual({
      code: 0,
      stdout: `${PACKAGE_VERSION}\n`,
      stderr: 'evidence: Node 20 is not supported (22, 24, 26); results are untested here\n',
    });
    const failing = await evidence('21.0.0', ['verify', 'no-such-bundle.tar.gz', '--integrity-only']);
    expect(failing.code).toBe(2);
    expect(failing.stderr.match(/is not supported/g)).toHaveLength(1);
    expect(failing.stderr.split('\n')[0]).toBe(
      'evidence: Node 21 is not supported (22, 24, 26); results are untested here',
    );
  });

  it('says nothing on a supported Node, or when EVIDENCE_NO_NODE_WARNING=1', async () => {
    expect(await evidence('24.15.0', ['--version'])).toEqual({ code: 0, stdout: `${PACKAGE_VERSION}\n`, stderr: '' });
    expect(await evidence('20.11.1', ['--version'], { EVIDENCE_NO_NODE_WARNING: '1' })).toEqual({
      code: 0,
      stdout: `${PACKAGE_VERSION}\n`,
      stderr: '',
    });
  });
});
