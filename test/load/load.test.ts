import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashArtifacts, subjectsFromList } from '../../src/load/artifacts.js';
import { readAttestation, readSigstoreBundles } from '../../src/load/attestation.js';
import { loadConfig } from '../../src/load/config.js';
import { readKeys } from '../../src/load/keys.js';
import { loadPolicyFile, readPolicyFile } from '../../src/load/policy.js';
import { originRecordPath, refreshedRootPath, resolveTrustRoots } from '../../src/load/trust.js';
import { sha256Hex } from '../../src/core/digest.js';
import { originRecord, PUBLIC_GOOD_TUF } from '../../src/verifier/trust-origin.js';
import { PUBLIC_GOOD_SOURCE, PUBLIC_GOOD_TRUSTED_ROOT } from '../../src/verifier/public-good.js';
import { MAX_POLICY_BYTES } from '../../src/verifier/policy/evaluate.js';
import { useTmp } from '../helpers/tmp.js';

/** src/load: each input read from its file, with the error code of what is wrong with it. */
const tmp = useTmp();

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  return p.then(
    () => undefined,
    (e: unknown) => (e as { code?: string }).code,
  );
}

describe('trusted roots', () => {
  it('the refreshed root lives under XDG_CONFIG_HOME, else HOME/.config', () => {
    expect(refreshedRootPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/evidence/trusted_root.json');
    expect(refreshedRootPath({ HOME: '/h' })).toBe('/h/.config/evidence/trusted_root.json');
  });

  it('without files: the refreshed root when there is one, else the embedded public-good root', async () => {
    const dir = await tmp();
    const env = { XDG_CONFIG_HOME: dir };
    expect((await resolveTrustRoots(dir, undefined, env)).map((r) => r.source)).toEqual([PUBLIC_GOOD_SOURCE]);
    const refreshed = refreshedRootPath(env);
    await mkdir(join(dir, 'evidence'));
    await writeFile(refreshed, JSON.stringify(PUBLIC_GOOD_TRUSTED_ROOT));
    expect((await resolveTrustRoots(dir, [], env)).map((r) => r.source)).toEqual([
      `${refreshed} (refreshed, origin not recorded)`,
    ]);
    // public-good only where the record beside it says so, and is of these bytes.
    const digest = `sha256:${sha256Hex(await readFile(refreshed))}`;
    const record = { mirror: PUBLIC_GOOD_TUF, trustedRootDigest: digest, now: new Date(0) };
    await writeFile(originRecordPath(refreshed), JSON.stringify(originRecord(record)));
    expect((await resolveTrustRoots(dir, undefined, env)).map((r) => r.source)).toEqual([
      `${refreshed} (recorded as refreshed from public-good, ${PUBLIC_GOOD_TUF}; the record is not signed)`,
    ]);
    await writeFile(originRecordPath(refreshed), 'not json');
    expect((await resolveTrustRoots(dir, undefined, env)).map((r) => r.source)).toEqual([
      `${refreshed} (refreshed, origin not recorded: the record beside it is not one)`,
    ]);
  });

  it('files given are read instead, each reported by the name given', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'root.json'), JSON.stringify(PUBLIC_GOOD_TRUSTED_ROOT));
    expect((await resolveTrustRoots(dir, ['root.json'], {})).map((r) => r.source)).toEqual(['root.json']);
    expect(await codeOf(resolveTrustRoots(dir, ['absent.json'], {}))).toBe('TRUSTED_ROOT_NOT_FOUND');
    await writeFile(join(dir, 'bad.json'), '{');
    expect(await codeOf(resolveTrustRoots(dir, ['bad.json'], {}))).toBe('TRUSTED_ROOT_INVALID');
    await writeFile(join(dir, 'odd.json'), '{"mediaType": 1}');
    expect(await codeOf(resolveTrustRoots(dir, ['root.json', 'odd.json'], {}))).toBe('TRUSTED_ROOT_INVALID');
  });
});

describe('keys', () => {
  it('read as PEM text, labelled as given; a missing one is KEY_NOT_FOUND', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'k.pem'), '-----BEGIN PUBLIC KEY-----\n');
    expect(await readKeys(dir, ['k.pem'])).toEqual([{ label: 'k.pem', pem: '-----BEGIN PUBLIC KEY-----\n' }]);
    expect(await readKeys(dir, undefined)).toEqual([]);
    expect(await codeOf(readKeys(dir, ['absent.pem']))).toBe('KEY_NOT_FOUND');
  });
});

describe('policies', () => {
  it('POLICY_NOT_FOUND, POLICY_TOO_LARGE, and a policy that loads', async () => {
    const dir = await tmp();
    expect(await codeOf(readPolicyFile(dir, 'absent.yaml'))).toBe('POLICY_NOT_FOUND');
    await writeFile(join(dir, 'big.yaml'), Buffer.alloc(MAX_POLICY_BYTES + 1, 0x20));
    expect(await codeOf(readPolicyFile(dir, 'big.yaml'))).toBe('POLICY_TOO_LARGE');
    const policy = new URL('../../examples/policies/slsa-build-l2.yaml', import.meta.url).pathname;
    await expect(loadPolicyFile(dir, policy)).resolves.toBeDefined();
  });
});

describe('the config file', () => {
  it('paths relative to its folder; INPUT_NOT_FOUND, CONFIG_INVALID', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'conf'));
    await writeFile(join(dir, 'conf', 'evidence.yaml'), 'name: web\nversion: 1.2.3\nsbom: [sbom.json]\n');
    const loaded = await loadConfig('conf/evidence.yaml', dir);
    expect(loaded.baseDir).toBe(join(dir, 'conf'));
    expect(loaded.config).toMatchObject({ name: 'web', version: '1.2.3', sbom: ['sbom.json'], sarif: [] });
    expect(await codeOf(loadConfig('absent.yaml', dir))).toBe('INPUT_NOT_FOUND');
    await writeFile(join(dir, 'dup.yaml'), 'name: a\nname: b\n');
    expect(await codeOf(loadConfig('dup.yaml', dir))).toBe('CONFIG_INVALID');
    await writeFile(join(dir, 'unknown.yaml'), 'nmae: a\n');
    expect(await codeOf(loadConfig('unknown.yaml', dir))).toBe('CONFIG_INVALID');
  });
});

describe('attestations', () => {
  it('one Sigstore bundle: bytes and strict JSON; ATTESTATION_NOT_FOUND, ATTESTATION_UNREADABLE', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'a.json'), '{"a":1}');
    const read = await readAttestation(dir, 'a.json');
    expect(read.json).toEqual({ a: 1 });
    expect(read.bytes.toString()).toBe('{"a":1}');
    expect(await codeOf(readAttestation(dir, 'absent.json'))).toBe('ATTESTATION_NOT_FOUND');
    await writeFile(join(dir, 'dup.json'), '{"a":1,"a":2}');
    expect(await codeOf(readAttestation(dir, 'dup.json'))).toBe('ATTESTATION_UNREADABLE');
  });

  it('a file of bundles, one per line', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'b.jsonl'), '{"a":1}\n\n{"b":2}\n');
    expect(await readSigstoreBundles(dir, 'b.jsonl')).toEqual([
      { line: 1, json: { a: 1 } },
      { line: 3, json: { b: 2 } },
    ]);
    expect(await codeOf(readSigstoreBundles(dir, 'absent.jsonl'))).toBe('ATTESTATION_NOT_FOUND');
  });
});

describe('artifacts', () => {
  it('hashed by sha256 as subjects; SUBJECT_NOT_FOUND, SUBJECT_UNREADABLE', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'a.bin'), 'abc');
    expect(await hashArtifacts(dir, ['a.bin'])).toEqual([
      { file: 'a.bin', digest: 'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
    ]);
    expect(await codeOf(hashArtifacts(dir, ['absent.bin']))).toBe('SUBJECT_NOT_FOUND');
    await mkdir(join(dir, 'd'));
    expect(await codeOf(hashArtifacts(dir, ['d']))).toBe('SUBJECT_UNREADABLE');
  });

  it('a sha256sum list names subjects; none without one; ARTIFACT_NOT_FOUND', async () => {
    const dir = await tmp();
    const hex = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    await writeFile(join(dir, 'SHA256SUMS'), `${hex}  a.bin\n`);
    expect(await subjectsFromList(dir, 'SHA256SUMS')).toEqual([{ file: 'a.bin', digest: `sha256:${hex}` }]);
    expect(await subjectsFromList(dir, undefined)).toEqual([]);
    expect(await codeOf(subjectsFromList(dir, 'absent'))).toBe('ARTIFACT_NOT_FOUND');
  });
});
