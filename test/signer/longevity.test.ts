import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeIdentityToken, startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { isTrustRootProblem, loadTrustRoot } from '../../src/verifier/trusted-root.js';
import { verifySigstoreBundle } from '../../src/verifier/sigstore-bundle.js';
import { runCli } from '../helpers/io.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Evidence that still verifies after the Sigstore instance moved on: a log shard frozen, a certificate authority or a
 * timestamp authority retired. A trusted root keeps old material with its validity window (`validFor.end`); a
 * signature made inside every window verifies offline long after the windows closed, and one made after a window
 * closed does not. The windows here close a second after signing, and verification runs after that.
 */
const tmp = useTmp();
const WORKFLOW = 'https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2';
const ISSUER = 'https://token.actions.githubusercontent.com';

interface Window {
  start?: string;
  end?: string;
}
interface Root {
  tlogs: { baseUrl: string; publicKey: { validFor: Window } }[];
  certificateAuthorities: { validFor: Window }[];
  timestampAuthorities: { validFor: Window }[];
}

let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A bundle signed through the local Sigstore's Rekor v1 or v2 config, and the instant it was signed. */
async function signed(rekorV2: boolean): Promise<{ dir: string; at: number }> {
  const dir = await tmp();
  await writeFile(
    join(dir, 'sc.json'),
    JSON.stringify(rekorV2 ? sigstore.signingConfigRekorV2 : sigstore.signingConfig),
  );
  await writeFile(join(dir, 'app.tgz'), 'the release');
  const at = Math.floor(Date.now() / 1000) * 1000;
  const token = fakeIdentityToken({ iss: ISSUER, sub: WORKFLOW });
  const argv = ['collect', '-o', 'b.tar.gz', '--name', 'a', '--version', '1', '--subject', 'app.tgz', '--sign'];
  const c = await runCli([...argv, '--identity-token', token, '--signing-config', 'sc.json', '-q'], { cwd: dir });
  expect(c.code, c.stderr).toBe(0);
  return { dir, at };
}

/** verify with the local trusted root, `change`d. */
async function verifyWith(
  dir: string,
  change: (root: Root) => void,
  extra: string[] = [],
): Promise<{ code: number; out: string }> {
  const root = JSON.parse(JSON.stringify(sigstore.trustedRoot)) as Root;
  change(root);
  await writeFile(join(dir, 'root.json'), JSON.stringify(root));
  const r = await runCli(
    ['verify', 'b.tar.gz', '--trusted-root', 'root.json', '--certificate-identity', WORKFLOW].concat([
      '--certificate-oidc-issuer',
      ISSUER,
      ...extra,
    ]),
    { cwd: dir },
  );
  return { code: r.code, out: r.stdout + r.stderr };
}

const until = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms - Date.now())));

describe.each([
  ['Rekor v1', false],
  ['Rekor v2', true],
])('a %s signature after its Sigstore instance moved on', (name, rekorV2) => {
  const v2 = (root: Root) => root.tlogs.filter((t) => t.baseUrl.endsWith('/rekor-v2') === rekorV2);

  it('verifies offline once its log shard is frozen, its CA and TSA retired, with a root that keeps them with their windows', async () => {
    const { dir, at } = await signed(rekorV2);
    const closed = iso(at + 2000);
    await until(at + 3000);
    const closeAll = (root: Root) => {
      for (const t of v2(root)) t.publicKey.validFor.end = closed;
      for (const ca of root.certificateAuthorities) ca.validFor.end = closed;
      for (const tsa of root.timestampAuthorities) tsa.validFor.end = closed;
    };
    const r = await verifyWith(dir, closeAll);
    expect(r.code, r.out).toBe(0);
    // The report says what the verification rested on, and that each window has closed since.
    const json = JSON.parse((await verifyWith(dir, closeAll, ['--json'])).out) as {
      signature: { restsOn: { part: string; name: string; validUntil?: string; certificatesUntil?: string }[] };
    };
    expect(json.signature.restsOn.map((p) => [p.part, p.validUntil])).toEqual([
      ['certificate authority', closed],
      ['transparency log', closed],
      ['timestamp authority', closed],
    ]);
    expect(json.signature.restsOn[1]?.name.endsWith('/rekor-v2')).toBe(rekorV2);
    expect(json.signature.restsOn[2]?.certificatesUntil).toMatch(/^\d{4}-\d\d-\d\dT/);
    // The bundle on disk is unchanged: nothing was re-signed or renewed.
    expect((await readFile(join(dir, 'b.tar.gz'))).length).toBeGreaterThan(0);
  });

  it.each([
    [
      'the log shard was frozen before it was signed',
      (root: Root, end: string) => v2(root).forEach((t) => (t.publicKey.validFor.end = end)),
    ],
    [
      'the timestamp authority was retired before it',
      (root: Root, end: string) => root.timestampAuthorities.forEach((t) => (t.validFor.end = end)),
    ],
    [
      'the certificate authority was retired before it',
      (root: Root, end: string) => root.certificateAuthorities.forEach((t) => (t.validFor.end = end)),
    ],
  ])(`does not verify when %s (${name})`, async (_, change) => {
    const { dir, at } = await signed(rekorV2);
    const r = await verifyWith(dir, (root) => change(root, iso(at - 3600_000)));
    expect(r.code, r.out).toBe(1);
  });

  it(`an unsigned log time does not stand in for a signed one (${name})`, async () => {
    const { dir, at } = await signed(rekorV2);
    const sigstoreBundle = JSON.parse(await readFile(join(dir, 'b.sigstore.json'), 'utf8')) as {
      verificationMaterial: {
        tlogEntries: { integratedTime?: string; inclusionPromise?: unknown }[];
        timestampVerificationData?: unknown;
      };
    };
    const judge = (json: unknown, end?: string) => {
      const root = JSON.parse(JSON.stringify(sigstore.trustedRoot)) as Root;
      if (end) for (const t of v2(root)) t.publicKey.validFor.end = end;
      const loaded = loadTrustRoot({ source: 'root', json: root });
      if (isTrustRootProblem(loaded)) throw new Error(loaded.message);
      return verifySigstoreBundle({
        json,
        roots: [loaded],
        policy: { certificateIdentity: WORKFLOW, certificateOidcIssuer: ISSUER },
      }).checks.find((c) => c.id === 'signature');
    };
    expect(judge(sigstoreBundle)?.ok).toBe(true);
    // The entry without its signed entry timestamp, claiming a log time inside the frozen shard's window.
    const forged = structuredClone(sigstoreBundle);
    for (const e of forged.verificationMaterial.tlogEntries) {
      delete e.inclusionPromise;
      e.integratedTime = String(Math.floor((at - 7200_000) / 1000));
    }
    expect(judge(forged, iso(at - 3600_000))?.ok).toBe(false);
    // Without its timestamp, an entry with no signed time is not taken either.
    const bare = structuredClone(forged);
    delete bare.verificationMaterial.timestampVerificationData;
    expect(judge(bare)?.ok).toBe(false);
  });
});
