import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAttestation } from '../../src/commands/verify-attestation.js';

/**
 * The Sigstore conformance suite's bundle-verify cases (data only, in
 * ../shared/sigstore-conformance; see its ORIGIN.md and README.md), run
 * through `evidence verify-attestation`'s library function. Conventions:
 * `_fail` cases must be rejected; the artifact is `artifact` or ../a.txt;
 * identity and issuer default to the beacon workflow and GitHub Actions;
 * `key.pub` means key verification; `trusted_root.json` overrides public-good.
 */
const ROOT = new URL('../../../shared/sigstore-conformance/', import.meta.url).pathname;
const CASES = join(ROOT, 'bundle-verify');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

/** Cases whose outcome differs from the suite's expectation, each with the reason. None today. */
const EXCEPTIONS: Record<string, string> = {};

/**
 * Cases that ORIGIN.md says a project must decide on purpose (@sigstore/verify
 * alone gets them wrong or right by accident), with the code we reject them with.
 */
const DELIBERATE: Record<string, string | undefined> = {
  // @sigstore/verify 4.x accepts Rekor v2 DSSE entries (3.x did not): accepted.
  'rekor2-dsse-happy-path': undefined,
  // A log key with no validity start would be trusted from the beginning of time.
  'trust-root-tlog-missing-validity-start_fail': 'TRUSTED_ROOT_INVALID',
  // @sigstore/verify fails on it with a TypeError; we refuse it by rule.
  'bundle-with-root-cert_fail': 'ATTESTATION_CHAIN_INCLUDES_ROOT',
};

const present = existsSync(CASES);
if (!present) {
  console.warn(
    `SKIPPED: the Sigstore conformance cases are absent (${CASES}); they come with ../shared/ beside the project`,
  );
}

const cases = present
  ? readdirSync(CASES)
      .filter((d) => statSync(join(CASES, d)).isDirectory())
      .sort()
  : [];

describe.skipIf(!present)('Sigstore conformance: bundle-verify', () => {
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases)('%s', async (name) => {
    const dir = join(CASES, name);
    const has = (f: string): boolean => existsSync(join(dir, f));
    const read = (f: string): string => readFileSync(join(dir, f), 'utf8').trim();
    const expectPass = !name.endsWith('_fail');
    let accepted: boolean;
    let detail: string;
    const codes: string[] = [];
    try {
      const { report } = await verifyAttestation({
        cwd: dir,
        env: {},
        attestation: 'bundle.sigstore.json',
        artifact: has('artifact') ? join(dir, 'artifact') : join(CASES, 'a.txt'),
        trustedRoot: [
          has('trusted_root.json')
            ? join(dir, 'trusted_root.json')
            : join(ROOT, 'trusted-roots', 'public-good.trusted_root.json'),
        ],
        ...(has('key.pub') ? { key: [join(dir, 'key.pub')] } : {}),
        identity: has('key.pub')
          ? {}
          : {
              certificateIdentity: has('identity') ? read('identity') : DEFAULT_IDENTITY,
              certificateOidcIssuer: has('issuer') ? read('issuer') : DEFAULT_ISSUER,
            },
      });
      accepted = report.ok;
      detail = report.checks
        .filter((c) => !c.ok)
        .map((c) => `${c.code}: ${c.message}`)
        .join('; ');
      codes.push(...report.checks.filter((c) => !c.ok).map((c) => c.code ?? ''));
    } catch (e) {
      // A refusal before verification (bad trusted root, malformed input) is a rejection too.
      accepted = false;
      detail = `${(e as { code?: string }).code ?? 'ERROR'}: ${(e as Error).message}`;
      codes.push((e as { code?: string }).code ?? '');
    }
    if (name in DELIBERATE && DELIBERATE[name]) expect(codes).toContain(DELIBERATE[name]);
    const want = name in EXCEPTIONS ? !expectPass : expectPass;
    expect(accepted, `${name}: ${accepted ? 'accepted' : `rejected (${detail})`}`).toBe(want);
  });
});
