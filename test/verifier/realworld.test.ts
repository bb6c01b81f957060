import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { useTmp } from '../helpers/tmp.js';
import { describe, expect, it } from 'vitest';
import { verifyAttestation } from '../../src/commands/verify-attestation.js';

/**
 * Real public-good Sigstore bundles that real clients produced (data only, in
 * ../shared/sigstore-realworld; see its ORIGIN.md): old releases must keep
 * verifying wherever sigstore-js and sigstore-go verify them.
 */
const ROOT = new URL('../../../shared/', import.meta.url).pathname;
const DIR = join(ROOT, 'sigstore-realworld');
const TRUSTED_ROOT = join(ROOT, 'sigstore-conformance', 'trusted-roots', 'public-good.trusted_root.json');
const present = existsSync(DIR) && existsSync(TRUSTED_ROOT);
if (!present) {
  console.warn(
    `SKIPPED: the real-world Sigstore bundles are absent (${DIR}); they come with ../shared/ beside the project`,
  );
}

const files = present
  ? readdirSync(DIR)
      .filter((f) => f.endsWith('.sigstore.json'))
      .sort()
  : [];

/** The statement's first subject digest, read from the DSSE payload (as ORIGIN.md says to). */
function subjectDigest(file: string): string {
  const bundle = JSON.parse(readFileSync(join(DIR, file), 'utf8'));
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
  const [alg, hex] = Object.entries(statement.subject[0].digest as Record<string, string>)[0] as [string, string];
  return `${alg}:${hex}`;
}

/** The reordered bundle's folder, removed after the test. */
const tmpDir = useTmp();
describe.skipIf(!present)('real-world public-good bundles', () => {
  it('has them', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it.each(files)('%s verifies against the public-good root', async (file) => {
    const { report } = await verifyAttestation({
      cwd: DIR,
      env: {},
      attestation: file,
      digest: subjectDigest(file),
      trustedRoot: [TRUSTED_ROOT],
      identity: { certificateIdentity: 'brian@dehamer.com', certificateOidcIssuer: 'https://github.com/login/oauth' },
    });
    expect(
      report.checks.filter((c) => !c.ok),
      JSON.stringify(report.checks),
    ).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("a full chain whose CA certificates are not the trusted root's is refused", async () => {
    const file = files.find((f) => f.includes('fullchain'));
    expect(file).toBeDefined();
    const bundle = JSON.parse(readFileSync(join(DIR, file as string), 'utf8'));
    const certs = bundle.verificationMaterial.x509CertificateChain.certificates;
    // Out of order: leaf, root, intermediate. Same certificates, not the trusted order.
    bundle.verificationMaterial.x509CertificateChain.certificates = [certs[0], certs[2], certs[1]];
    const tmp = join(await tmpDir(), 'reordered.sigstore.json');
    (await import('node:fs')).writeFileSync(tmp, JSON.stringify(bundle));
    const { report } = await verifyAttestation({
      cwd: DIR,
      env: {},
      attestation: tmp,
      digest: subjectDigest(file as string),
      trustedRoot: [TRUSTED_ROOT],
      identity: { certificateIdentity: 'brian@dehamer.com', certificateOidcIssuer: 'https://github.com/login/oauth' },
    });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.code)).toContain('ATTESTATION_CHAIN_INCLUDES_ROOT');
  });
});
