import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { RFC3161Timestamp } from '@sigstore/core';
import {
  parseArchiveTimestamps,
  renewalData,
  renewalTokens,
  serializeArchiveTimestamps,
  withRenewal,
} from '../../src/core/archive-timestamps.js';
import { timestampAuthority } from '../../src/signer/renew.js';
import { verifyRenewals } from '../../src/verifier/archive-timestamps.js';
import { isTrustRootProblem, loadTrustRoot } from '../../src/verifier/trusted-root.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Archive timestamps (`sign --timestamp-only`, docs/bundle-format.md §8): renewing a signed release years on, without
 * signing it again. Two local Sigstores stand for the timestamp authority at signing time and a later one (whose clock
 * runs a minute ahead, so its tokens are later).
 */
const tmp = useTmp();
const WORKFLOW = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const ISSUER = 'https://token.actions.githubusercontent.com';
const run = promisify(execFile);
const BY_HAND = join(process.cwd(), 'examples/renewal-by-hand.sh');
const noTools = ['jq', 'openssl'].filter((t) => spawnSync('bash', ['-c', `command -v ${t}`]).status !== 0);
if (noTools.length) console.warn(`skipping examples/renewal-by-hand.sh: ${noTools.join(' and ')} not installed`);
const byHand = (dir: string, file: string, root: string) =>
  run('bash', [BY_HAND, file, 'b.sigstore.json', root], { cwd: dir }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 99, out: e.stdout ?? '' }),
  );

let first: LocalSigstore;
let later: LocalSigstore;
beforeAll(async () => {
  first = await startLocalSigstore();
  later = await startLocalSigstore({ clockOffsetMs: 60_000 });
});
afterAll(async () => {
  await first?.close();
  await later?.close();
});

type Root = Record<'timestampAuthorities' | 'certificateAuthorities' | 'tlogs' | 'ctlogs', unknown[]>;
/** The first Sigstore's trusted root, with the later Sigstore's authorities and logs added when `withLater`. */
function rootJson(withLater: boolean): Root {
  const root = JSON.parse(JSON.stringify(first.trustedRoot)) as Root;
  if (withLater)
    for (const k of ['timestampAuthorities', 'certificateAuthorities', 'tlogs', 'ctlogs'] as const)
      root[k].push(...(later.trustedRoot as Root)[k]);
  return root;
}

async function signed(config = 'sc.json'): Promise<string> {
  const dir = await tmp();
  await writeFile(join(dir, 'sc.json'), JSON.stringify(first.signingConfigRekorV2));
  await writeFile(join(dir, 'later-sc.json'), JSON.stringify(later.signingConfigRekorV2));
  await writeFile(join(dir, 'root.json'), JSON.stringify(rootJson(true)));
  await writeFile(join(dir, 'old-root.json'), JSON.stringify(rootJson(false)));
  await writeFile(join(dir, 'app.tgz'), 'the release');
  const token = fakeIdentityToken({ iss: ISSUER, sub: WORKFLOW });
  const argv = ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--subject', 'app.tgz', '--sign'];
  const c = await runCli([...argv, '--identity-token', token, '--signing-config', config, '-q'], { cwd: dir });
  expect(c.code, c.stderr).toBe(0);
  return dir;
}

const renew = (dir: string, ...extra: string[]) =>
  runCli(['sign', '--timestamp-only', 'b.tar.gz', ...extra], { cwd: dir });
const verify = (dir: string, root: string, ...extra: string[]) =>
  runCli(
    ['verify', 'b.tar.gz', '--trusted-root', root, '--certificate-identity', WORKFLOW].concat([
      '--certificate-oidc-issuer',
      ISSUER,
      ...extra,
    ]),
    { cwd: dir },
  );

interface Report {
  ok: boolean;
  checks: { id: string; ok: boolean; code?: string; skipped?: boolean }[];
  signature?: {
    renewals?: { time: string; tsa?: string; certificatesUntil?: string; verified: boolean; breaksChain?: boolean }[];
  };
}
const renewalChecks = (r: Report) => r.checks.filter((c) => c.id === 'renewal');

describe('archive timestamps: sign --timestamp-only and verify --timestamps', () => {
  it('renews twice without re-signing; verify checks the chain, and every Sigstore verifier still reads the bundle', async () => {
    const dir = await signed();
    const before = await readFile(join(dir, 'b.sigstore.json'));
    const tarBefore = await readFile(join(dir, 'b.tar.gz'));
    const one = await renew(dir, '--signing-config', 'sc.json');
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('1 archive timestamp;');
    expect(one.stdout).toContain('not checked here: the signature it timestamps');
    const two = await renew(dir, '--signing-config', 'later-sc.json');
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toContain('2 archive timestamps');
    // Nothing signed again: the Sigstore bundle and the evidence bundle are the bytes they were.
    expect((await readFile(join(dir, 'b.sigstore.json'))).equals(before)).toBe(true);
    expect((await readFile(join(dir, 'b.tar.gz'))).equals(tarBefore)).toBe(true);
    const doc = parseArchiveTimestamps(await readFile(join(dir, 'b.timestamps.json')), 'b.timestamps.json');
    expect(doc.renewals).toHaveLength(2);

    const r = await verify(dir, 'root.json', '--timestamps', 'b.timestamps.json', '--json');
    expect(r.code, r.stdout).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(renewalChecks(report)).toEqual([expect.objectContaining({ ok: true })]);
    const renewals = report.signature?.renewals ?? [];
    expect(renewals.map((x) => x.verified)).toEqual([true, true]);
    const tsaOf = (s: LocalSigstore) =>
      (s.trustedRoot as { timestampAuthorities: { uri: string }[] }).timestampAuthorities[0]?.uri;
    expect([renewals[0]?.tsa, renewals[1]?.tsa]).toEqual([tsaOf(first), tsaOf(later)]);
    expect(Date.parse(renewals[1]?.time ?? '')).toBeGreaterThan(Date.parse(renewals[0]?.time ?? ''));
    expect(renewals[1]?.certificatesUntil).toMatch(/^\d{4}-\d\d-\d\dT/);
    const text = await verify(dir, 'root.json', '--timestamps', 'b.timestamps.json');
    expect(text.stdout).toMatch(/renewed: +\S+ by /);

    // @sigstore/verify reads the Sigstore bundle as it always did.
    const root = TrustedRoot.fromJSON(rootJson(true));
    const bundle = bundleFromJSON(JSON.parse(before.toString('utf8')));
    expect(() =>
      new Verifier(toTrustMaterial(root), { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(
        toSignedEntity(bundle),
      ),
    ).not.toThrow();
    // The one-file verifier checks the renewals too.
    const one_file = await run(
      process.execPath,
      [
        join(process.cwd(), 'dist/evidence-verify.mjs'),
        'b.tar.gz',
        '--trusted-root',
        'root.json',
        '--certificate-identity',
        WORKFLOW,
        '--certificate-oidc-issuer',
        ISSUER,
        '--timestamps',
        'b.timestamps.json',
        '--json',
      ],
      { cwd: dir },
    );
    expect(renewalChecks(JSON.parse(one_file.stdout) as Report)).toEqual([expect.objectContaining({ ok: true })]);
  });

  it('a renewal by a timestamp authority the trusted root does not list, or altered, does not verify (exit 1)', async () => {
    const dir = await signed();
    expect((await renew(dir, '--signing-config', 'later-sc.json')).code).toBe(0);
    const unknown = JSON.parse(
      (await verify(dir, 'old-root.json', '--timestamps', 'b.timestamps.json', '--json')).stdout,
    ) as Report;
    expect(renewalChecks(unknown).map((c) => c.code)).toEqual(['RENEWAL_INVALID']);
    expect(unknown.ok).toBe(false);

    const doc = JSON.parse(await readFile(join(dir, 'b.timestamps.json'), 'utf8')) as {
      renewals: { rfc3161Timestamp: string }[];
    };
    const der = Buffer.from(doc.renewals[0]?.rfc3161Timestamp ?? '', 'base64');
    der.writeUInt8((der.readUInt8(der.length - 8) ^ 1) & 0xff, der.length - 8);
    (doc.renewals[0] as { rfc3161Timestamp: string }).rfc3161Timestamp = der.toString('base64');
    await writeFile(join(dir, 'bad.json'), JSON.stringify(doc));
    const bad = await verify(dir, 'root.json', '--timestamps', 'bad.json', '--json');
    expect(bad.code).toBe(1);
    expect(renewalChecks(JSON.parse(bad.stdout) as Report).map((c) => c.code)).toEqual(['RENEWAL_INVALID']);
  });

  it('renewals out of time order, or of another bundle, do not verify; renewing another bundle is refused (exit 2)', async () => {
    const dir = await signed();
    // The later authority first; then the first one, whose clock is a minute behind: sign refuses to keep its answer.
    expect((await renew(dir, '--signing-config', 'later-sc.json')).code).toBe(0);
    const kept = await readFile(join(dir, 'b.timestamps.json'));
    const refusedEarlier = await renew(dir, '--signing-config', 'sc.json');
    expect(refusedEarlier.code).toBe(2);
    expect(refusedEarlier.stderr).toContain('dated before the renewal before it');
    expect((await readFile(join(dir, 'b.timestamps.json'))).equals(kept)).toBe(true);
    // Such a file made anyway (the first authority asked directly) does not verify.
    const bytes = await readFile(join(dir, 'b.sigstore.json'));
    const doc = parseArchiveTimestamps(kept, 'b.timestamps.json');
    const token = await timestampAuthority(first.url)(renewalData(bytes, renewalTokens(doc)));
    await writeFile(join(dir, 'b.timestamps.json'), serializeArchiveTimestamps(withRenewal(doc, token)));
    const swapped = JSON.parse(
      (await verify(dir, 'root.json', '--timestamps', 'b.timestamps.json', '--json')).stdout,
    ) as Report;
    expect(renewalChecks(swapped).map((c) => c.code)).toEqual(['RENEWAL_OUT_OF_ORDER']);

    const other = await signed();
    const theirs = await readFile(join(dir, 'b.timestamps.json'));
    await writeFile(join(other, 'b.timestamps.json'), theirs);
    const r = await verify(other, 'root.json', '--timestamps', 'b.timestamps.json', '--json');
    expect(r.code).toBe(1);
    expect(renewalChecks(JSON.parse(r.stdout) as Report).map((c) => c.code)).toEqual(['RENEWAL_NOT_FOR_THIS_BUNDLE']);
    const refused = await renew(other, '--signing-config', 'sc.json');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('[RENEWAL_MISMATCH]');
    // Left as it was.
    expect((await readFile(join(other, 'b.timestamps.json'))).equals(theirs)).toBe(true);
  });

  it('a renewal made after what it renews expired is no unbroken chain (RENEWAL_TOO_LATE)', async () => {
    const dir = await signed();
    expect((await renew(dir, '--signing-config', 'later-sc.json')).code).toBe(0);
    const ok = JSON.parse((await verify(dir, 'root.json', '--json')).stdout) as {
      signature: { restsOn: { part: 'timestamp authority'; name: string; certificatesUntil?: string }[] };
    };
    const loaded = loadTrustRoot({ source: 'root.json', json: rootJson(true) });
    if (isTrustRootProblem(loaded)) throw new Error(loaded.message);
    const bytes = await readFile(join(dir, 'b.sigstore.json'));
    const doc = parseArchiveTimestamps(await readFile(join(dir, 'b.timestamps.json')), 'b.timestamps.json');
    const inTime = verifyRenewals(doc, bytes, ok.signature.restsOn, [loaded], 'b.timestamps.json');
    expect(inTime.checks.map((c) => c.ok)).toEqual([true]);
    // The same renewal, had the signature's authorities expired a minute before it was made.
    const expired = ok.signature.restsOn.map((p) => ({
      ...p,
      certificatesUntil: new Date(Date.parse(inTime.renewals[0]?.time ?? '') - 60_000).toISOString(),
    }));
    const late = verifyRenewals(doc, bytes, expired, [loaded], 'b.timestamps.json');
    expect(late.checks.map((c) => c.code)).toEqual(['RENEWAL_TOO_LATE']);
  });

  it("a renewal dated before the signature, or after the previous renewal's authority was retired, breaks the chain", async () => {
    // Signed through the later Sigstore (its clock a minute ahead), renewed through the first: a minute too early.
    const dir = await signed('later-sc.json');
    expect((await renew(dir, '--signing-config', 'sc.json')).code).toBe(0);
    const before = await verify(dir, 'root.json', '--timestamps', 'b.timestamps.json', '--json');
    expect(before.code).toBe(1);
    const report = JSON.parse(before.stdout) as Report;
    expect(renewalChecks(report).map((c) => c.code)).toEqual(['RENEWAL_OUT_OF_ORDER']);
    expect(report.signature?.renewals?.[0]).toMatchObject({ verified: true, breaksChain: true });
    expect((await verify(dir, 'root.json', '--timestamps', 'b.timestamps.json')).stdout).toContain('breaks the chain');

    // Renewed at signing time by the first authority, then a minute later by another: fine while the first holds,
    // too late once the root says the first was retired in between.
    const two = await signed();
    expect((await renew(two, '--signing-config', 'sc.json')).code).toBe(0);
    expect((await renew(two, '--signing-config', 'later-sc.json')).code).toBe(0);
    expect((await verify(two, 'root.json', '--timestamps', 'b.timestamps.json')).code).toBe(0);
    const doc = parseArchiveTimestamps(await readFile(join(two, 'b.timestamps.json')), 't');
    const firstTime = RFC3161Timestamp.parse(
      Buffer.from(doc.renewals[0]?.rfc3161Timestamp ?? '', 'base64'),
    ).signingTime;
    const root = rootJson(true) as { timestampAuthorities: { validFor: { end?: string } }[] };
    (root.timestampAuthorities[0] as { validFor: { end?: string } }).validFor.end = new Date(
      firstTime.getTime() + 5000,
    ).toISOString();
    await writeFile(join(two, 'retired.json'), JSON.stringify(root));
    const late = JSON.parse(
      (await verify(two, 'retired.json', '--timestamps', 'b.timestamps.json', '--json')).stdout,
    ) as Report;
    expect(renewalChecks(late).map((c) => c.code)).toEqual(['RENEWAL_TOO_LATE']);
  });

  it('a chain whose last authority has expired by now verifies, and says it has lapsed', async () => {
    const dir = await signed();
    expect((await renew(dir, '--signing-config', 'sc.json')).code).toBe(0);
    const ok = JSON.parse((await verify(dir, 'root.json', '--json')).stdout) as {
      signature: { restsOn: { part: 'timestamp authority'; name: string; certificatesUntil?: string }[] };
    };
    const loaded = loadTrustRoot({ source: 'root.json', json: rootJson(true) });
    if (isTrustRootProblem(loaded)) throw new Error(loaded.message);
    const doc = parseArchiveTimestamps(await readFile(join(dir, 'b.timestamps.json')), 'b.timestamps.json');
    const bytes = await readFile(join(dir, 'b.sigstore.json'));
    const inTenYears = new Date(Date.now() + 10 * 365 * 86_400_000);
    const r = verifyRenewals(doc, bytes, ok.signature.restsOn, [loaded], 't', { now: inTenYears });
    expect(r.checks.map((c) => c.ok)).toEqual([true]);
    expect(r.checks[0]?.message).toContain('LAPSED');
    expect(
      verifyRenewals(doc, bytes, ok.signature.restsOn, [loaded], 't', { now: new Date() }).checks[0]?.message,
    ).toContain('renew before');
  });

  it('bad input: a malformed file (exit 2), integrity only (not checked, said), --key with --timestamp-only (exit 2)', async () => {
    const dir = await signed();
    await writeFile(join(dir, 'junk.json'), JSON.stringify({ mediaType: 'x', renewals: [] }));
    const junk = await verify(dir, 'root.json', '--timestamps', 'junk.json');
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('[ARCHIVE_TIMESTAMPS_INVALID]');
    expect(junk.stderr).toContain('junk.json');
    expect((await renew(dir, '--signing-config', 'sc.json')).code).toBe(0);
    const io = await runCli(['verify', 'b.tar.gz', '--integrity-only', '--timestamps', 'b.timestamps.json', '--json'], {
      cwd: dir,
    });
    expect(renewalChecks(JSON.parse(io.stdout) as Report)).toEqual([
      expect.objectContaining({ ok: false, skipped: true, code: 'RENEWAL_NOT_CHECKED' }),
    ]);
    const key = await renew(dir, '--key', 'nothing.pem');
    expect(key.code).toBe(2);
    expect(key.stderr).toContain('[RENEWAL_MISMATCH]');
    const missing = await runCli(['sign', '--timestamp-only', 'nothing.tar.gz', '--signing-config', 'sc.json'], {
      cwd: dir,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nothing.sigstore.json');
  });
});

describe.skipIf(noTools.length > 0)('examples/renewal-by-hand.sh (jq, openssl, coreutils only)', () => {
  it('accepts what verify accepts, and refuses a reordered or re-targeted file and an unknown authority', async () => {
    const dir = await signed();
    expect((await renew(dir, '--signing-config', 'sc.json')).code).toBe(0);
    expect((await renew(dir, '--signing-config', 'later-sc.json')).code).toBe(0);
    const good = await byHand(dir, 'b.timestamps.json', 'root.json');
    expect(good.code, good.out).toBe(0);
    expect(good.out).toMatch(/^OK +renewal-1 /m);
    expect(good.out).toMatch(/^OK +renewal-2 /m);
    expect(good.out).toMatch(/^result: OK \(renew before \d{4}-/m);
    // The later authority is not in the old root.
    const unknown = await byHand(dir, 'b.timestamps.json', 'old-root.json');
    expect(unknown.code).toBe(1);
    expect(unknown.out).toMatch(/^FAIL +renewal-2 /m);
    const doc = JSON.parse(await readFile(join(dir, 'b.timestamps.json'), 'utf8')) as {
      sigstoreBundleSha256: string;
      renewals: unknown[];
    };
    await writeFile(join(dir, 'rev.json'), JSON.stringify({ ...doc, renewals: [...doc.renewals].reverse() }));
    expect((await byHand(dir, 'rev.json', 'root.json')).out).toMatch(/^FAIL +renewal-1 /m);
    await writeFile(join(dir, 'other.json'), JSON.stringify({ ...doc, sigstoreBundleSha256: '0'.repeat(64) }));
    const other = await byHand(dir, 'other.json', 'root.json');
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/^FAIL +bundle /m);
  });
});
