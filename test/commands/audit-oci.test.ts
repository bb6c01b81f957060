import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/commands/audit.js';
import { collect } from '../../src/commands/collect.js';
import { push } from '../../src/commands/oci.js';
import { sign } from '../../src/commands/sign.js';
import { canonicalBytes } from '../../src/core/canonical-json.js';
import { RegistryClient } from '../../src/transport/oci/client.js';
import { OCI_EMPTY_BYTES, OCI_EMPTY_DESCRIPTOR, OCI_MANIFEST } from '../../src/transport/oci/manifest.js';
import { registrySkipReason, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { fixture } from '../helpers/tmp.js';

if (registrySkipReason) console.warn(`skipping the OCI audit test: ${registrySkipReason}`);

const PASSING = fixture('junit/gradle-TEST-demo.StringsTest.junit.xml');
const FAILING = fixture('junit/jest.junit.xml');
type Kind = 'good' | 'failing' | 'unsigned' | 'tampered' | 'other' | 'image';
/** 22 tags of one repository of Debian's docker-registry, dated by their bundles' created time. */
const PLAN: [string, string, Kind][] = [
  ...Array.from({ length: 14 }, (_, i): [string, string, Kind] => [
    `1.${i}.0`,
    `2026-02-${String(1 + i).padStart(2, '0')}`,
    'good',
  ]),
  ['1.14.0', '2026-03-01', 'failing'],
  ['1.15.0', '2026-03-02', 'failing'],
  ['1.16.0', '2026-03-03', 'unsigned'],
  ['1.17.0', '2026-03-04', 'unsigned'],
  ['1.18.0', '2026-03-05', 'tampered'],
  ['latest-image', '', 'other'],
  // A release image, its evidence pushed as its referrer (under a tag of its own too): both tags have evidence.
  ['2.0.0', '2026-03-06', 'image'],
];

const POLICY = `version: 1
rules:
  - name: tests-green
    expr: junit.all(j, j.tests > 0 && j.failed == 0 && j.errored == 0)
    controls: [SOC2-CC8.1, SLSA-BUILD-L2]
waivers:
  - rule: tests-green
    reason: known flaky suite, ACME-9
    expires: 2026-03-01
`;

/** Where a bundle's final (attestations) gzip member starts: the last gzip header in it. */
const lastMember = (b: Buffer): number => b.lastIndexOf(Buffer.from([0x1f, 0x8b, 0x08]));

describe.skipIf(registrySkipReason !== undefined)(
  'evidence audit over the tags of an OCI repository (docker-registry)',
  () => {
    let registry: RunningRegistry;
    let dir: string;
    beforeAll(async () => {
      registry = await startRegistry();
      dir = await mkdtemp(join(tmpdir(), 'evidence-audit-oci-'));
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await writeFile(join(dir, 'key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
      await writeFile(join(dir, 'policy.yaml'), POLICY);
      const signedBytes = new Map<string, Buffer>();
      for (const [tag, day, kind] of PLAN) {
        const reference = `oci://${registry.host}/acme/web-evidence:${tag}`;
        if (kind === 'other') {
          // A tag that is not evidence: an artifact of another type.
          const client = new RegistryClient(registry.host, { plainHttp: true });
          await client.pushBlob('acme/web-evidence', OCI_EMPTY_DESCRIPTOR, () =>
            Readable.from([Buffer.from(OCI_EMPTY_BYTES)]),
          );
          await client.pushManifest(
            'acme/web-evidence',
            tag,
            canonicalBytes({
              schemaVersion: 2,
              mediaType: OCI_MANIFEST,
              artifactType: 'application/vnd.example.other',
              config: OCI_EMPTY_DESCRIPTOR,
              layers: [OCI_EMPTY_DESCRIPTOR],
            }),
            OCI_MANIFEST,
          );
          continue;
        }
        const name = `web-${tag}.tar.gz`;
        let image: string | undefined;
        if (kind === 'image') {
          const client = new RegistryClient(registry.host, { plainHttp: true });
          const layer = Buffer.from(`web ${tag}`);
          const { createHash } = await import('node:crypto');
          const digest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
          await client.pushBlob('acme/web-evidence', OCI_EMPTY_DESCRIPTOR, () =>
            Readable.from([Buffer.from(OCI_EMPTY_BYTES)]),
          );
          await client.pushBlob('acme/web-evidence', { digest, size: layer.length }, () => Readable.from([layer]));
          image = (
            await client.pushManifest(
              'acme/web-evidence',
              tag,
              canonicalBytes({
                schemaVersion: 2,
                mediaType: OCI_MANIFEST,
                config: { ...OCI_EMPTY_DESCRIPTOR, mediaType: 'application/vnd.oci.image.config.v1+json' },
                layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: layer.length }],
              }),
              OCI_MANIFEST,
            )
          ).digest;
        }
        await collect({
          cwd: dir,
          env: { SOURCE_DATE_EPOCH: String(Date.parse(`${day}T09:00:00Z`) / 1000) },
          output: name,
          name: 'web',
          version: tag,
          junit: [kind === 'failing' ? FAILING : PASSING],
          ...(image
            ? { subjectImage: [`oci://${registry.host}/acme/web-evidence@${image}`], registry: { plainHttp: true } }
            : {}),
        });
        if (kind !== 'unsigned') await sign({ cwd: dir, bundle: name, key: join(dir, 'key.pem'), noStandard: true });
        if (kind === 'tampered') {
          // This release's content with the attestations member of another release: each gzip member intact, the
          // signature about another manifest.
          const own = await readFile(join(dir, name));
          const other = signedBytes.get('1.0.0') as Buffer;
          await writeFile(
            join(dir, name),
            Buffer.concat([own.subarray(0, lastMember(own)), other.subarray(lastMember(other))]),
          );
        }
        signedBytes.set(tag, await readFile(join(dir, name)));
        if (kind === 'tampered') {
          // push refuses a bundle whose statement names another manifest: put it in the registry as a hostile pusher
          // would.
          const client = new RegistryClient(registry.host, { plainHttp: true });
          const bytes = signedBytes.get(tag) as Buffer;
          const { createHash } = await import('node:crypto');
          const template = JSON.parse(
            (await client.getManifest('acme/web-evidence', '1.0.0', [OCI_MANIFEST])).bytes.toString('utf8'),
          ) as { layers: { mediaType: string; annotations?: Record<string, string> }[] };
          const layer = {
            ...template.layers[0],
            digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
            size: bytes.length,
          } as { mediaType: string; digest: string; size: number };
          await client.pushBlob('acme/web-evidence', layer, () => Readable.from([bytes]));
          await client.pushManifest(
            'acme/web-evidence',
            tag,
            canonicalBytes({ ...template, layers: [layer] }),
            OCI_MANIFEST,
          );
          continue;
        }
        await push({
          cwd: dir,
          bundle: name,
          reference: image ? `${reference}-evidence` : reference,
          registry: { plainHttp: true },
          ...(image ? { subjectImage: `oci://${registry.host}/acme/web-evidence@${image}` } : {}),
        });
      }
      // Another image, tagged 3.0.0, with 2.0.0's evidence hung on it as a referrer (its manifest's subject rewritten):
      // the referrer is there, but the signed statement covers the other image.
      const client = new RegistryClient(registry.host, { plainHttp: true });
      const layer = Buffer.from('another image');
      const { createHash } = await import('node:crypto');
      const layerDigest = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
      await client.pushBlob('acme/web-evidence', { digest: layerDigest, size: layer.length }, () =>
        Readable.from([layer]),
      );
      const imageBytes = canonicalBytes({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { ...OCI_EMPTY_DESCRIPTOR, mediaType: 'application/vnd.oci.image.config.v1+json' },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
      });
      const foreign = await client.pushManifest('acme/web-evidence', '3.0.0', imageBytes, OCI_MANIFEST);
      const evidence = await client.getManifest('acme/web-evidence', '2.0.0-evidence', [OCI_MANIFEST]);
      const moved = {
        ...(JSON.parse(evidence.bytes.toString('utf8')) as Record<string, unknown>),
        subject: { mediaType: OCI_MANIFEST, digest: foreign.digest, size: imageBytes.length },
      };
      const movedBytes = canonicalBytes(moved);
      const movedDigest = `sha256:${createHash('sha256').update(movedBytes).digest('hex')}`;
      await client.pushManifest('acme/web-evidence', movedDigest, movedBytes, OCI_MANIFEST);
      await client.addReferrerToFallbackIndex('acme/web-evidence', foreign.digest, {
        mediaType: OCI_MANIFEST,
        digest: movedDigest,
        size: movedBytes.length,
        artifactType: (moved as { artifactType?: string }).artifactType ?? '',
        annotations: (moved as { annotations?: Record<string, string> }).annotations ?? {},
      });
      // A forged referrer of the 2.0.0 image: an unsigned bundle of the same version, made (and annotated) a month
      // later.
      // It cannot be chosen over the signed evidence, nor move the release's date.
      const image2 = await client.getManifest('acme/web-evidence', '2.0.0', [OCI_MANIFEST]);
      await collect({
        cwd: dir,
        env: { SOURCE_DATE_EPOCH: String(Date.parse('2026-04-06T09:00:00Z') / 1000) },
        output: 'forged-2.0.0.tar.gz',
        name: 'web',
        version: '2.0.0',
        junit: [FAILING],
      });
      const forged = await readFile(join(dir, 'forged-2.0.0.tar.gz'));
      const forgedLayer = {
        mediaType: 'application/vnd.evidence.bundle.v1.tar+gzip',
        digest: `sha256:${createHash('sha256').update(forged).digest('hex')}`,
        size: forged.length,
      };
      await client.pushBlob('acme/web-evidence', forgedLayer, () => Readable.from([forged]));
      const real = JSON.parse(evidence.bytes.toString('utf8')) as {
        layers: { mediaType: string }[];
        annotations?: Record<string, string>;
      };
      const forgedManifest = {
        ...real,
        layers: [{ ...forgedLayer, mediaType: real.layers[0]?.mediaType }],
        annotations: { ...real.annotations, 'org.opencontainers.image.created': '2026-04-06T09:00:00Z' },
        subject: { mediaType: OCI_MANIFEST, digest: image2.digest, size: image2.bytes.length },
      };
      const forgedBytes = canonicalBytes(forgedManifest);
      const forgedDigest = `sha256:${createHash('sha256').update(forgedBytes).digest('hex')}`;
      await client.pushManifest('acme/web-evidence', forgedDigest, forgedBytes, OCI_MANIFEST);
      await client.addReferrerToFallbackIndex('acme/web-evidence', image2.digest, {
        mediaType: OCI_MANIFEST,
        digest: forgedDigest,
        size: forgedBytes.length,
        artifactType: (real as { artifactType?: string }).artifactType ?? '',
        annotations: forgedManifest.annotations,
      });
    }, 180_000);
    afterAll(async () => {
      await registry?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    const options = () => ({
      cwd: dir,
      oci: `oci://${registry.host}/acme/web-evidence`,
      registry: { plainHttp: true },
      since: '2026-01-01',
      until: '2026-12-31',
      key: [join(dir, 'key.pub.pem')],
      policy: 'policy.yaml',
      cache: 'cache',
    });

    it('lists every release once and classifies it: tags of one version are one release, chosen and dated by what is signed', async () => {
      const r = await audit(options());
      const standing = Object.fromEntries(r.summary.members.map((m) => [m.id, m.status]));
      // 2.0.0 (the image) and 2.0.0-evidence (its bundle) are one release: one bundle never counts twice.
      expect(Object.keys(standing).sort()).toEqual([...PLAN.map(([t]) => t), '3.0.0'].sort());
      expect(r.summary.members.find((m) => m.id === '2.0.0')?.tags).toEqual(['2.0.0', '2.0.0-evidence']);
      // The image whose referrer is another image's evidence: the statement does not cover it.
      expect(standing['3.0.0']).toBe('not-authentic');
      expect(
        r.summary.members
          .find((m) => m.id === '3.0.0')
          ?.report?.checks.some((c) => !c.ok && c.code === 'SUBJECT_NOT_IN_MANIFEST'),
      ).toBe(true);
      expect(standing).toMatchObject({
        '1.0.0': 'holds',
        '1.13.0': 'holds',
        // Its one rule failed and was waived: the policy held, and showed nothing (verify's POLICY SHOWS NOTHING).
        '1.14.0': 'shows-nothing',
        '1.15.0': 'policy-failed',
        '1.16.0': 'unsigned',
        '1.17.0': 'unsigned',
        '1.18.0': 'not-authentic',
        'latest-image': 'missing',
        '2.0.0': 'holds',
      });
      // The forged, newer-annotated referrer of 2.0.0 was read and not chosen: the signed bundle decides the standing
      // and the date.
      const v2 = r.summary.members.find((m) => m.id === '2.0.0');
      expect(v2?.ignoredCandidates).toBe(1);
      expect(v2?.published).toBe('2026-03-06T09:00:00.000Z');
      expect(r.summary.counts).toMatchObject({
        population: 22,
        holds: 15,
        'shows-nothing': 1,
        'policy-failed': 1,
        unsigned: 2,
        'not-authentic': 2,
        missing: 1,
      });
      // 1.14.0 was made on the waiver's last day, 1.15.0 the day after.
      expect(r.summary.waivers).toEqual([
        {
          rule: 'tests-green',
          reason: 'known flaky suite, ACME-9',
          expires: '2026-03-01',
          waivedIn: ['1.14.0'],
          failedAfterExpiryIn: ['1.15.0'],
          expiredInPeriod: true,
        },
      ]);
      expect(r.summary.verdict).toBe('not-authentic');
      // Dated by the bundles' signed created time; what is not authentic has no date.
      expect(r.summary.members.find((m) => m.id === '1.5.0')?.published).toBe('2026-02-06T09:00:00.000Z');
      expect(
        r.summary.members
          .filter((m) => m.published === '')
          .map((m) => m.id)
          .sort(),
      ).toEqual(['1.16.0', '1.17.0', '1.18.0', '3.0.0', 'latest-image']);
      // CC8.1 needs change approvals, which no bundle carries: never held, partly shown where the tests passed.
      const cc81 = r.summary.controls.find((c) => c.id === 'SOC2-CC8.1');
      expect(cc81).toMatchObject({
        held: 0,
        waived: 0,
        partlyShown: 16,
        failed: 1,
        failedIn: ['1.15.0'],
        notEvaluated: 5,
      });
      expect(cc81?.missing.some((m) => /approval/.test(m.what))).toBe(true);
    });

    it('a bundle of another product with the same version and key does not make a release hold', async () => {
      const r = await audit({ ...options(), product: 'web', tags: '1\\.[0-3]\\.0' });
      expect(r.summary.members.map((m) => m.status)).toEqual(['holds', 'holds', 'holds', 'holds']);
      const other = await audit({ ...options(), product: 'api', tags: '1\\.[0-3]\\.0' });
      expect(other.summary.members.map((m) => [m.status, m.evidence.code])).toEqual(
        Array(4).fill(['not-authentic', 'PRODUCT_MISMATCH']),
      );
    });

    it('takes the period from the signed dates and exits by the worst standing; what cannot be dated is in every period', async () => {
      const holds = await audit({ ...options(), since: '2026-02-01', until: '2026-02-14' });
      expect(holds.summary.members.filter((m) => m.published !== '').map((m) => m.status)).toEqual(
        Array(14).fill('holds'),
      );
      // Unsigned and unauthentic bundles carry no signed date: they cannot be placed outside the period.
      expect(
        holds.summary.members
          .filter((m) => m.published === '')
          .map((m) => m.id)
          .sort(),
      ).toEqual(['1.16.0', '1.17.0', '1.18.0', '3.0.0', 'latest-image']);
      const policy = await audit({ ...options(), since: '2026-03-01', until: '2026-03-02' });
      expect(policy.summary.members.filter((m) => m.published !== '').map((m) => m.status)).toEqual([
        'shows-nothing',
        'policy-failed',
      ]);
    });

    it('keeps each bundle in its cache under its digest, and a damaged cached file is fetched again, not trusted', async () => {
      const { readdir, writeFile: write, readFile: read } = await import('node:fs/promises');
      await audit({ ...options(), cache: 'cache-2' });
      const files = (await readdir(join(dir, 'cache-2', 'sha256'))).filter((f) => /^[0-9a-f]{64}$/.test(f));
      expect(files).toHaveLength(21);
      const victim = join(dir, 'cache-2', 'sha256', files[0] as string);
      const good = await read(victim);
      await write(victim, Buffer.concat([good, Buffer.from('junk')]));
      const r = await audit({ ...options(), cache: 'cache-2' });
      for (const m of r.summary.members.filter((x) => x.evidence.bundle))
        expect(files).toContain(m.evidence.bundle?.digest.slice(7));
      expect(r.summary.counts.holds).toBe(15);
      expect((await read(victim)).equals(good)).toBe(true);
    });

    it('from the command line: killed, it resumes from its cache without fetching again; exits 1, 3 and 0 by the worst release', async () => {
      const { spawn } = await import('node:child_process');
      const { existsSync } = await import('node:fs');
      const { readdir, stat } = await import('node:fs/promises');
      const bin = join(process.cwd(), 'dist', 'bin', 'evidence.js');
      if (!existsSync(bin)) {
        console.warn('skipped: dist/bin/evidence.js is absent (run npm run build); npm test builds it first');
        return;
      }
      const args = (since: string, until: string, cache: string): string[] => [
        bin,
        'audit',
        `oci://${registry.host}/acme/web-evidence`,
        '--plain-http',
        '--since',
        since,
        '--until',
        until,
        '--key',
        'key.pub.pem',
        '--policy',
        'policy.yaml',
        '--cache',
        cache,
        '--concurrency',
        '1',
      ];
      const run = (argv: string[], kill?: RegExp): Promise<{ code: number | null; stderr: string }> =>
        new Promise((done) => {
          const child = spawn(process.execPath, argv, {
            cwd: dir,
            env: { PATH: process.env.PATH ?? '' },
            stdio: ['ignore', 'ignore', 'pipe'],
          });
          let stderr = '';
          child.stderr.on('data', (c: Buffer) => {
            stderr += c.toString();
            if (kill && kill.test(stderr)) child.kill('SIGKILL');
          });
          child.on('close', (code) => done({ code, stderr }));
        });
      const killed = await run(args('2026-01-01', '2026-12-31', 'cache-cli'), /\[8\/22\]/);
      expect(killed.code).toBeNull();
      const sha = join(dir, 'cache-cli', 'sha256');
      const kept = (await readdir(sha)).filter((f) => /^[0-9a-f]{64}$/.test(f));
      expect(kept.length).toBeGreaterThanOrEqual(5);
      const before = await Promise.all(kept.map(async (f) => [f, (await stat(join(sha, f))).mtimeMs] as const));
      const resumed = await run(args('2026-01-01', '2026-12-31', 'cache-cli'));
      expect(resumed.code).toBe(1); // the tampered and the foreign-evidence tags
      // What was cached whole was used as it was: not fetched and written again.
      for (const [f, mtime] of before) expect((await stat(join(sha, f))).mtimeMs, f).toBe(mtime);
      expect((await readdir(sha)).filter((f) => /^[0-9a-f]{64}$/.test(f)).length).toBe(21);
      expect((await run([...args('2026-03-02', '2026-03-02', 'cache-cli'), '--tags', '1\\.1[0-5]\\.0'])).code).toBe(3);
      // 1.14.0 alone: its policy held under a waiver and showed nothing; 0, as verify's POLICY SHOWS NOTHING.
      expect((await run([...args('2026-03-01', '2026-03-01', 'cache-cli'), '--tags', '1\\.1[0-5]\\.0'])).code).toBe(0);
      expect((await run(args('2026-02-01', '2026-02-14', 'cache-cli'))).code).toBe(1); // what cannot be dated is listed in every period
      expect(
        (await run([...args('2026-02-01', '2026-02-14', 'cache-cli'), '--tags', '1\\.(\\d|1[0-3])\\.0'])).code,
      ).toBe(0);
    }, 120_000);
  },
);
