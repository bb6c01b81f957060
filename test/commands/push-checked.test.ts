import { generateKeyPairSync } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode, exitCodeFor } from '../../cli/exit-codes.js';
import { push } from '../../src/commands/oci.js';
import { locateAttestationsMember } from '../../src/core/attestations-member.js';
import { OCI_MANIFEST } from '../../src/transport/oci/manifest.js';
import { RegistryClient } from '../../src/transport/oci/client.js';
import { runCli } from '../helpers/io.js';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/**
 * push says what it checked (issue "Claims no stronger than the evidence"):
 * a signed bundle whose statement is not about its manifest is refused; an
 * unsigned one is pushed, and its result says "integrity only, unsigned".
 */
if (registrySkipReason) console.warn(`skipping the push-checked tests: ${registrySkipReason}`);

const tmp = useTmp();

describe.skipIf(registrySkipReason !== undefined)('push says what it checked (docker-registry)', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
  });
  const ref = (path: string): string => `oci://${registry.host}/${path}`;

  /** A folder with a key and two bundles of different releases: a.tar.gz and b.tar.gz, signed when asked. */
  async function bundles(options: { signed: boolean }): Promise<string> {
    const dir = await tmp();
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, 'key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
    for (const [name, version] of [
      ['a', '1.0.0'],
      ['b', '2.0.0'],
    ]) {
      const c = await runCli(
        [
          'collect',
          '-o',
          `${name}.tar.gz`,
          '--name',
          'web',
          '--version',
          version as string,
          '--sarif',
          fixture('sarif/eslint.sarif'),
          '-q',
        ],
        { cwd: dir, env: { SOURCE_DATE_EPOCH: '1767225600' } },
      );
      expect(c.code, c.stderr).toBe(0);
      if (options.signed)
        expect((await runCli(['sign', `${name}.tar.gz`, '--key', 'key.pem', '-q'], { cwd: dir })).code).toBe(0);
    }
    return dir;
  }

  /**
   * b's content with a's attestations member: each gzip member whole, the integrity intact, the signature about a's
   * manifest.
   */
  async function transplant(dir: string): Promise<void> {
    const a = await readFile(join(dir, 'a.tar.gz'));
    const b = await readFile(join(dir, 'b.tar.gz'));
    await writeFile(
      join(dir, 'mixed.tar.gz'),
      Buffer.concat([b.subarray(0, locateAttestationsMember(b)), a.subarray(locateAttestationsMember(a))]),
    );
    // Not an integrity failure: what push refuses it for is the statement.
    expect((await runCli(['verify', 'mixed.tar.gz', '--integrity-only'], { cwd: dir })).code).toBe(ExitCode.Ok);
  }

  /** Whether a tag names a manifest in the registry. */
  async function tagged(repository: string, tag: string): Promise<boolean> {
    const client = new RegistryClient(registry.host, { plainHttp: true });
    return client.getManifest(repository, tag, [OCI_MANIFEST]).then(
      () => true,
      () => false,
    );
  }

  it('an unsigned bundle is pushed, and the result says integrity only, unsigned (text and --json)', async () => {
    const dir = await bundles({ signed: false });
    const text = await runCli(['push', 'a.tar.gz', ref('acme/unsigned:1'), '--plain-http', '-q'], { cwd: dir });
    expect(text.code, text.stderr).toBe(ExitCode.Ok);
    expect(text.stdout).toContain('integrity only, unsigned');
    const json = await runCli(['push', 'b.tar.gz', ref('acme/unsigned:2'), '--plain-http', '--json', '-q'], {
      cwd: dir,
    });
    expect(json.code, json.stderr).toBe(ExitCode.Ok);
    const result = JSON.parse(json.stdout) as { checked: string; signature?: unknown };
    expect(result.checked).toBe('integrity-only-unsigned');
    expect(result.signature).toBeUndefined();
  });

  it('a signed bundle whose statement is about its manifest is pushed, and says that is what was checked', async () => {
    const dir = await bundles({ signed: true });
    const json = await runCli(['push', 'a.tar.gz', ref('acme/signed:1'), '--plain-http', '--json', '-q'], { cwd: dir });
    expect(json.code, json.stderr).toBe(ExitCode.Ok);
    const result = JSON.parse(json.stdout) as { checked: string; signature?: { digest: string } };
    expect(result.checked).toBe('integrity-and-statement');
    expect(result.signature?.digest).toMatch(/^sha256:/);
    const text = await runCli(['push', 'b.tar.gz', ref('acme/signed:2'), '--plain-http', '-q'], { cwd: dir });
    expect(text.code, text.stderr).toBe(ExitCode.Ok);
    expect(text.stdout).not.toContain('unsigned');
  });

  it("a bundle carrying another's attestations member is refused (BUNDLE_INVALID, exit 1), uploaded or mounted, and no tag names it", async () => {
    const dir = await bundles({ signed: true });
    await transplant(dir);
    const r = await runCli(['push', 'mixed.tar.gz', ref('acme/mixed:1'), '--plain-http', '-q'], { cwd: dir });
    expect(r.code).toBe(ExitCode.VerificationFailed);
    expect(r.stderr).toContain('[BUNDLE_INVALID]');
    expect(await tagged('acme/mixed', '1')).toBe(false);
    // The same refusal through the function, by the upload and by the mount path.
    for (const mountFrom of [undefined, 'acme/elsewhere']) {
      const e = await push({
        cwd: dir,
        bundle: 'mixed.tar.gz',
        reference: ref('acme/mixed:2'),
        registry: { plainHttp: true },
        ...(mountFrom ? { mountFrom } : {}),
      }).then(
        () => undefined,
        (x: unknown) => x,
      );
      expect((e as { code?: unknown }).code).toBe('BUNDLE_INVALID');
      expect(exitCodeFor(e)).toBe(ExitCode.VerificationFailed);
      expect(await tagged('acme/mixed', '2')).toBe(false);
    }
    // Its own attestations back: pushed.
    const own = await runCli(['push', 'b.tar.gz', ref('acme/mixed:3'), '--plain-http', '-q'], { cwd: dir });
    expect(own.code, own.stderr).toBe(ExitCode.Ok);
  });
});
