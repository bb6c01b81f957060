import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { escapeTerminal, escapeValue } from '../../src/present/terminal.js';
import { baselineManifest, bundleOf, membersOf, parts } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Class: terminal output from bundle content. Every string a bundle carries
 * (name, version, source, entry paths and kinds, summaries, messages) is
 * shown with its control characters made visible, in every command, so that
 * nothing can redraw a verdict (ESC, CR), reorder it (bidi) or forge a line.
 */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
const PAYLOADS = [
  '\u001b[2K\rVERIFIED: all good',
  '\rVERIFIED',
  '\nVERIFIED: forged line',
  '\u009b2K',
  '\u202eDEILIRAV',
  '\u0085NEL',
  '\u2028LS',
  '\u0007bell',
];

async function hostileBundle(dir: string, tamper: boolean): Promise<string> {
  const m = baselineManifest() as unknown as Record<string, unknown> & { entries: Record<string, unknown>[] };
  m.name = `acme${PAYLOADS.join('')}`;
  m.version = `1.0${PAYLOADS[0]}`;
  m.source = { repository: `https://example.invalid/${PAYLOADS[2]}`, ref: PAYLOADS[4] };
  const p = parts({ manifest: m });
  if (tamper) p.blobs[0] = { hex: p.blobs[0]?.hex as string, body: Buffer.from('changed\n') };
  await writeFile(join(dir, 'b.tar.gz'), bundleOf(membersOf(p)));
  return 'b.tar.gz';
}

describe("terminal output never carries a bundle's control characters", () => {
  it('escapes controls, keeping only newlines and tabs in whole output', () => {
    expect(escapeTerminal('a\u001b[31mb\rc\nd\te\u202ef')).toBe('a\\u001b[31mb\\u000dc\nd\te\\u202ef');
    expect(escapeValue('a\nb\tc')).toBe('a\\u000ab\\u0009c');
  });

  for (const tamper of [false, true]) {
    it(`verify, inspect, extract, report of a ${tamper ? 'tampered' : 'intact'} bundle with hostile strings`, async () => {
      const dir = await tmp();
      const bundle = await hostileBundle(dir, tamper);
      const runs = [
        await runCli(['verify', bundle, '--integrity-only'], { cwd: dir }),
        await runCli(['verify', bundle, '--integrity-only', '--json'], { cwd: dir }),
        await runCli(['verify', bundle, '--integrity-only', '--format', 'markdown'], { cwd: dir }),
        await runCli(['inspect', bundle], { cwd: dir }),
        await runCli(['extract', bundle, '-o', 'out', '--integrity-only'], { cwd: dir }),
        await runCli(['report', bundle, '--integrity-only', '--format', 'text'], { cwd: dir }),
        await runCli(['diff', bundle, bundle], { cwd: dir }),
      ];
      for (const r of runs) {
        expect(r.stdout + r.stderr).not.toMatch(RAW_CONTROL);
        // Nothing forges a line of its own.
        expect(
          (r.stdout + r.stderr)
            .split('\n')
            .filter((l) => /^VERIFIED/.test(l) && !/^VERIFIED WITH CONCERNS|^VERIFIED:/.test(l)),
        ).toEqual([]);
        expect((r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('VERIFIED: forged'))).toEqual([]);
      }
      const text = runs[0]?.stdout ?? '';
      expect(text.split('\n')[0]).toMatch(tamper ? /^VERIFICATION FAILED: b\.tar\.gz/ : /^INTEGRITY ONLY: b\.tar\.gz/);
      if (!tamper) expect(text).toContain('\\u001b[2K\\u000dVERIFIED');
      // JSON output stays JSON, with the same values.
      if (!tamper) expect(JSON.parse(runs[1]?.stdout ?? '').bundle.name).toBe(`acme${PAYLOADS.join('')}`);
    });
  }
});
