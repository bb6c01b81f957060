/** Signed bundles of the example release for the index tests: a key pair, and a release collected and signed with it. */
import { generateKeyPairSync } from 'node:crypto';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from './io.js';

export const EXAMPLE = join(process.cwd(), 'examples/acme-web');

/** NAME.pem and NAME.pub.pem in `dir`: a P-256 key pair. */
export async function keyPair(dir: string, name: string): Promise<void> {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  await writeFile(join(dir, `${name}.pem`), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  await writeFile(join(dir, `${name}.pub.pem`), pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
}

/**
 * bundles/acme-web-VERSION.evidence.tar.gz in `dir`, signed with `key`: the example's SBOM and artifact, and with
 * `scan` its Trivy report and the VEX document at `dir`/vex.json; created one day later per patch version.
 */
export async function release(dir: string, version: string, key: string, scan: boolean): Promise<void> {
  const sbom = join(EXAMPLE, 'sbom/acme-web.cdx.json');
  const c = await runCli(
    [
      'collect',
      ...['-o', `bundles/acme-web-${version}.evidence.tar.gz`, '--name', 'acme-web', '--version', version],
      ...['--sbom', sbom, '--subject', join(EXAMPLE, 'dist/acme-web-1.4.2.tgz')],
      ...(scan ? ['--scan', join(EXAMPLE, 'reports/scans/trivy.json'), '--vex', 'vex.json'] : []),
      ...['--sign', '--key', `${key}.pem`, '-q'],
    ],
    { cwd: dir, env: { SOURCE_DATE_EPOCH: String(1796371200 + Number(version.split('.')[2]) * 86400) } },
  );
  expect(c.code, c.stderr).toBe(0);
}

/**
 * The index tests' releases in `dir`/bundles: key.pem and other.pem; acme-web 1.4.2 signed with key, with its scan
 * and the example's VEX (which names 1.4.2 only), 1.4.3 signed with key without a scan, 1.4.4 signed with other.
 */
export async function threeReleases(dir: string): Promise<void> {
  await mkdir(join(dir, 'bundles'));
  await keyPair(dir, 'key');
  await keyPair(dir, 'other');
  await copyFile(join(EXAMPLE, 'vex/acme-web.openvex.json'), join(dir, 'vex.json'));
  await release(dir, '1.4.2', 'key', true);
  await release(dir, '1.4.3', 'key', false);
  await release(dir, '1.4.4', 'other', false);
}
