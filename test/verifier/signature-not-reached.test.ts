import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../src/verifier/errors.js';
import { attempt, judged } from '../../src/verifier/period-members.js';
import { statusOf } from '../../src/verifier/period.js';
import { verifyEvidence } from '../../src/verifier/verify.js';
import { baselineManifest, bundleOf, membersOf, parts } from '../helpers/craft.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Class: "not signed" is a finding about the whole archive. It is said (SIGNATURE_MISSING) only when the reader reached
 * the end and found no signature; a reader that stopped early (a truncated or corrupt archive, a manifest declaring
 * more than it reads) did not look, and a bundle refused for its size by --max-bundle-size was not checked at all.
 */
const signedBytes = (): Buffer => bundleOf(membersOf(parts(), { attestation: Buffer.from('{"not":"checked here"}') }));
const unsignedBytes = (): Buffer => bundleOf(membersOf(parts()));

/** The archive cut short: its gzip stream ends halfway through. */
const truncated = (bytes: Buffer): Buffer => bytes.subarray(0, Math.floor(bytes.length / 2));
/** The archive whole, but its tar cut before the members after the manifest and SHA256SUMS. */
const tarCut = (bytes: Buffer): Buffer => gzipSync(gunzipSync(bytes).subarray(0, 2048));

async function signatureCheck(bytes: Buffer) {
  const { report } = await verifyEvidence({ stream: Readable.from([bytes]), roots: [], keys: [], now: new Date() });
  return { report, signature: report.checks.filter((c) => c.id === 'signature') };
}

describe('SIGNATURE_MISSING only when the whole archive was read and holds no signature', () => {
  it.each([
    ['a signed bundle whose gzip is cut short', () => truncated(signedBytes())],
    ['a signed bundle whose tar is cut short', () => tarCut(signedBytes())],
    ['an unsigned bundle cut short (whether it is signed is not known)', () => truncated(unsignedBytes())],
  ])('%s: the signature check is not made (NOT_REACHED), and the verdict still fails', async (_name, bytes) => {
    const { report, signature } = await signatureCheck(bytes());
    expect(signature).toEqual([expect.objectContaining({ ok: false, skipped: true, code: 'NOT_REACHED' })]);
    expect(report.checks.map((c) => c.code)).not.toContain('SIGNATURE_MISSING');
    expect(report.ok).toBe(false);
    expect(report.verdict).toBe('failed');
    expect(report.assessment?.authenticity.status).toBe('failed');
  });

  it('a whole bundle with no signature is still SIGNATURE_MISSING', async () => {
    const { report, signature } = await signatureCheck(unsignedBytes());
    expect(signature).toEqual([expect.objectContaining({ ok: false, code: 'SIGNATURE_MISSING' })]);
    expect(signature[0]?.skipped).toBeUndefined();
    expect(report.verdict).toBe('failed');
  });

  it('an audit does not call a truncated signed bundle unsigned', async () => {
    const { report } = await signatureCheck(truncated(signedBytes()));
    const member = judged(
      { id: '1.0.0', published: '2026-03-02T00:00:00.000Z', sampled: true, evidence: { state: 'found' } },
      { report },
      'l',
      { tags: ['v1.0.0'] },
    );
    expect(member.evidence.state).toBe('found');
    expect(statusOf(member).status).toBe('not-authentic');
  });
});

describe('a bundle over --max-bundle-size is not checked: exit 2, neither verified nor failed', () => {
  it.each([
    ['verify', ['verify', 'b.tar.gz']],
    ['verify --json', ['verify', 'b.tar.gz', '--json']],
    ['extract', ['extract', 'b.tar.gz', '-o', 'out']],
  ])(
    '%s of a signed bundle: BUNDLE_TOO_LARGE naming the option and the sizes, never SIGNATURE_MISSING',
    async (_n, argv) => {
      const dir = await tmp();
      await writeFile(join(dir, 'b.tar.gz'), signedBytes());
      const r = await runCli([...argv, '--max-bundle-size', '20'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('[BUNDLE_TOO_LARGE]');
      expect(r.stderr).toContain('--max-bundle-size');
      expect(r.stderr).toContain('(20 bytes)');
      expect(r.stderr).toContain('b.tar.gz');
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/SIGNATURE_MISSING|not signed|VERIFICATION FAILED/);
    },
  );

  it('the default cap too: a manifest declaring more than 8 GiB is not checked (exit 2)', async () => {
    const dir = await tmp();
    const m = baselineManifest();
    (m.entries[2] as { size: number }).size = 9 * 2 ** 30;
    await writeFile(join(dir, 'big.tar.gz'), bundleOf(membersOf(parts({ manifest: m }))));
    const r = await runCli(['verify', 'big.tar.gz', '--integrity-only'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[BUNDLE_TOO_LARGE]');
    expect(r.stderr).toContain('by default');
  });

  it('an audit lists such a release as unavailable with the reason, never unsigned or not authentic', async () => {
    const base = {
      id: '1.0.0',
      published: '2026-03-02T00:00:00.000Z',
      sampled: true,
      evidence: { state: 'found' as const },
    };
    const tried = await attempt(base, 'v1.0.0: b.tar.gz', () =>
      Promise.reject(new VerifyError('BUNDLE_TOO_LARGE', 'advice', { finding: 'not checked: over the limit' })),
    );
    expect(tried.member.evidence).toMatchObject({
      state: 'unavailable',
      code: 'BUNDLE_TOO_LARGE',
      message: 'v1.0.0: b.tar.gz: not checked: over the limit',
    });
    expect(statusOf(tried.member)).toEqual({
      status: 'unavailable',
      reason: 'v1.0.0: b.tar.gz: not checked: over the limit',
    });
  });
});
