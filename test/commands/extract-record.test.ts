import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extract } from '../../src/commands/extract.js';
import { EXTRACT_RECORD, extractRecord, type ExtractRecord } from '../../src/verifier/extract-record.js';
import type { Manifest } from '../../src/core/manifest.js';
import type { VerifyReport } from '../../src/verifier/report.js';
import { baselineManifest, bundleOf, membersOf, parts } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * extract leaves, beside the entries, a record of how the bundle was checked (EXTRACTED-FROM.json): a reader of the
 * folder alone can tell a signature-checked extraction from an integrity-only one (class: never claim more than was
 * checked, once the output leaves the terminal).
 */
const tmp = useTmp();

async function crafted(dir: string, manifest: Manifest = baselineManifest()): Promise<Buffer> {
  const bytes = bundleOf(membersOf(parts({ manifest })));
  await writeFile(join(dir, 'b.tar.gz'), bytes);
  return bytes;
}

describe('the record extract writes beside the entries', () => {
  it('integrity only: says plainly it was NOT signature-checked, with the digest, version and time', async () => {
    const dir = await tmp();
    const bytes = await crafted(dir);
    const at = new Date('2026-07-01T10:00:00.000Z');
    const r = await extract({ cwd: dir, bundle: 'b.tar.gz', output: 'out', integrityOnly: true, now: () => at });
    expect(r.record).toBe(join(dir, 'out', EXTRACT_RECORD));
    expect((await readdir(join(dir, 'out'))).sort()).toEqual([EXTRACT_RECORD, 'release-notes', 'test-report']);
    const record = JSON.parse(await readFile(join(dir, 'out', EXTRACT_RECORD), 'utf8')) as ExtractRecord;
    expect(record).toMatchObject({
      kind: 'evidence-extract-record',
      version: 1,
      extractedAt: '2026-07-01T10:00:00.000Z',
      extractedBy: expect.stringMatching(/^evidence \d+\.\d+\.\d+/),
      bundle: {
        path: 'b.tar.gz',
        digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
        size: bytes.length,
        name: 'hostile-fixture',
        version: '1.0.0',
        entries: 3,
      },
      authenticity: { status: 'not-checked', method: 'integrity-only', signatureChecked: false },
      policy: { status: 'not-evaluated' },
      evidence: { unverified: true },
    });
    expect(record.about).toContain('NOT signature-checked');
    expect(record.authenticity.summary).toMatch(/^NOT signature-checked/);
    // Nobody's signer was asked for or verified: none is named.
    expect(record.authenticity.signerAskedFor).toBeUndefined();
    expect(record.authenticity.signer).toBeUndefined();
    expect(record.evidence.reference).toContain('manifest.json (sha256:');
  });

  it('an entry at the record’s name, in any case or as a folder, is refused and nothing is written', async () => {
    for (const path of ['extracted-from.json', 'EXTRACTED-FROM.JSON/notes.md']) {
      const dir = await tmp();
      const m = baselineManifest();
      const entries = m.entries.map((e) => (e.path === 'release-notes/COPY.md' ? { ...e, path } : e));
      entries.sort((a, b) => (a.path < b.path ? -1 : 1));
      await crafted(dir, { ...m, entries });
      const r = await runCli(['extract', 'b.tar.gz', '--integrity-only', '-o', 'out'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[EXTRACT_RECORD_NAME_TAKEN]');
      // Atomic as the rest: no output folder, no staging left behind.
      expect(await readdir(dir)).toEqual(['b.tar.gz']);
    }
  });

  it('the CLI says where the record is, in text and JSON', async () => {
    const dir = await tmp();
    await crafted(dir);
    const text = await runCli(['extract', 'b.tar.gz', '--integrity-only', '-o', 'out'], { cwd: dir });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`how it was checked: ${join(dir, 'out', EXTRACT_RECORD)}`);
    const json = await runCli(['extract', 'b.tar.gz', '--integrity-only', '-o', 'out2', '--json'], { cwd: dir });
    expect(JSON.parse(json.stdout).record).toBe(join(dir, 'out2', EXTRACT_RECORD));
  });
});

describe('extractRecord of a signed verification', () => {
  const manifest = baselineManifest();
  const report = (): VerifyReport & { bundle: { path: string } } => ({
    ok: true,
    mode: 'signed',
    bundle: {
      path: 'rel.tar.gz',
      digest: `sha256:${'1'.repeat(64)}`,
      size: 10,
      manifestDigest: `sha256:${'2'.repeat(64)}`,
    },
    checks: [],
    signature: {
      kind: 'public-key',
      key: 'release.pub',
      tlog: [],
      timestamps: [],
      trustedRoot: { source: 'trusted_root.json', date: '2026-01-01T00:00:00.000Z' },
      attestation: { uri: 'rel.sigstore.json', sha256: '3'.repeat(64) },
    },
    assessment: {
      authenticity: { status: 'authentic', method: 'key', summary: 'signed with the key release.pub' },
      policy: { status: 'not-evaluated', summary: 'no policy' },
      evidence: { status: 'concerns', unverified: false, findings: [{} as never], summary: '1 concern' },
    },
  });

  it('names the signer asked for and the one verified, the trusted root and the Sigstore bundle', () => {
    const r = extractRecord({ report: report(), manifest, asked: { key: ['release.pub'] }, at: new Date(0) });
    expect(r.about).toContain('signature and signer were verified');
    expect(r.authenticity).toEqual({
      status: 'authentic',
      method: 'key',
      signatureChecked: true,
      summary: 'signed with the key release.pub',
      signerAskedFor: { keys: ['release.pub'] },
      signer: { key: 'release.pub' },
      trustedRoot: { source: 'trusted_root.json', date: '2026-01-01T00:00:00.000Z' },
      attestation: { uri: 'rel.sigstore.json', sha256: '3'.repeat(64) },
    });
    expect(r.evidence).toMatchObject({ status: 'concerns', unverified: false, concerns: 1 });
    expect(r.policy.summary).toContain('extract applies no policy');
  });

  it('a signer not pinned is said so; a report that is not authentic is never recorded as checked', () => {
    const loose = report();
    (loose.assessment as NonNullable<VerifyReport['assessment']>).authenticity.notPinned = 'the pattern matches anyone';
    expect(
      extractRecord({
        report: loose,
        manifest,
        asked: { identity: { certificateIdentityRegexp: '.*' } },
        at: new Date(0),
      }).authenticity,
    ).toMatchObject({ notPinned: 'the pattern matches anyone', signerAskedFor: { certificateIdentityRegexp: '.*' } });
    const notAuthentic = report();
    (notAuthentic.assessment as NonNullable<VerifyReport['assessment']>).authenticity.status = 'failed';
    const r = extractRecord({ report: notAuthentic, manifest, asked: {}, at: new Date(0) });
    expect(r.authenticity).toMatchObject({ status: 'not-checked', signatureChecked: false });
    expect(r.evidence.unverified).toBe(true);
  });
});
