import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diff } from '../../src/commands/diff.js';
import { formatDiff } from '../../src/present/diff-text.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();
const env = { SOURCE_DATE_EPOCH: '1767225600' };

/**
 * old.tar.gz and new.tar.gz, each signed with key.pem (key.pub.pem verifies them); other.pub.pem is someone else's key.
 */
async function twoSigned(): Promise<string> {
  const dir = await tmp();
  for (const [name, version, junit] of [
    ['old.tar.gz', '1.0.0', 'junit/pytest.junit.xml'],
    ['new.tar.gz', '1.1.0', 'junit/surefire.junit.xml'],
  ] as const) {
    const c = await runCli(
      ['collect', '-o', name, '--name', 'app', '--version', version, '--junit', fixture(junit), '-q'],
      { cwd: dir, env },
    );
    expect(c.code, c.stderr).toBe(0);
  }
  const mine = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(dir, 'key.pem'), mine.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  await writeFile(join(dir, 'key.pub.pem'), mine.publicKey.export({ format: 'pem', type: 'spki' }));
  await writeFile(
    join(dir, 'other.pub.pem'),
    generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'pem', type: 'spki' }),
  );
  for (const name of ['old.tar.gz', 'new.tar.gz']) {
    const s = await runCli(['sign', name, '--key', 'key.pem'], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
  }
  return dir;
}

describe('diff says how each side was checked', () => {
  it('the command checks integrity only: text and --json say so for each side, and never that a side is authentic', async () => {
    const dir = await twoSigned();
    const text = await runCli(['diff', 'old.tar.gz', 'new.tar.gz'], { cwd: dir });
    expect(text.code).toBe(0);
    const head = text.stdout.split('\n').slice(0, 6);
    expect(head[0]).toBe('app 1.0.0 → app 1.1.0');
    // Each side's line is followed by how it was checked.
    expect(head[1]).toMatch(/^old {2}old\.tar\.gz /);
    expect(head[2]?.trim()).toBe('integrity only: signature not checked');
    expect(head[3]).toMatch(/^new {2}new\.tar\.gz /);
    expect(head[4]?.trim()).toBe('integrity only: signature not checked');
    expect(text.stdout).not.toMatch(/signed and verified|authentic:/i);

    const json = await runCli(['diff', 'old.tar.gz', 'new.tar.gz', '--json'], { cwd: dir });
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    for (const side of [r.old, r.new])
      expect(side.checked).toEqual({
        authenticity: 'not-checked',
        method: 'integrity-only',
        summary: 'integrity only: signature not checked',
      });
  });

  it('with verify options each side is verified: "signed and verified" only where the signature and signer are', async () => {
    const dir = await twoSigned();
    const both = await diff({ cwd: dir, old: 'old.tar.gz', new: 'new.tar.gz', verify: { key: ['key.pub.pem'] } });
    expect([both.old.checked, both.new.checked]).toMatchObject([
      { authenticity: 'authentic', method: 'key' },
      { authenticity: 'authentic', method: 'key' },
    ]);
    const text = formatDiff(both).split('\n');
    expect(text[2]?.trim()).toMatch(/^signed and verified: /);
    expect(text[4]?.trim()).toMatch(/^signed and verified: /);
    expect(text.some((l) => l.startsWith('note: '))).toBe(false);

    // Someone else's key: the comparison is still made, of claims, and says the sides are not authentic.
    const wrong = await diff({ cwd: dir, old: 'old.tar.gz', new: 'new.tar.gz', verify: { key: ['other.pub.pem'] } });
    expect([wrong.old.checked.authenticity, wrong.new.checked.authenticity]).toEqual(['failed', 'failed']);
    const lines = formatDiff(wrong).split('\n');
    expect(lines[2]?.trim()).toMatch(/^NOT AUTHENTIC: /);
    expect(lines.some((l) => l.startsWith('note: '))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/signed and verified/);
  });
});
