import { createHash, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/core/digest.js';
import type { Manifest, ManifestEntry } from '../../src/core/manifest.js';
import type { AttestationSummary } from '../../src/core/summaries.js';
import { keySigner, type LoadedKey } from '../../src/signer/sigstore.js';
import { checkAttestationEntries, isAttestationBlob } from '../../src/verifier/attestation-entries.js';
import type { VerificationKeyInput } from '../../src/verifier/sigstore-bundle.js';
import { baselineManifest } from '../helpers/craft.js';

/**
 * Attestations taken into a bundle are verified again at verify time against
 * the signer and statement their manifest summary records. Built in memory: a
 * key-signed Sigstore bundle (DSSE over an in-toto statement, no log, no
 * timestamp) and a manifest entry whose summary says what it holds.
 */

const SLSA = 'https://slsa.dev/provenance/v1';
const ARTIFACT = { name: 'app.tgz', digest: { sha256: sha256Hex(Buffer.from('the release artifact')) } };
const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

function loadedKey(privateKey: KeyObject): LoadedKey {
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    hint: createHash('sha256')
      .update(publicKey.export({ format: 'der', type: 'spki' }))
      .digest('hex'),
  };
}

let key: LoadedKey;
let other: LoadedKey;
let keys: VerificationKeyInput[];
/** The key-signed Sigstore bundle of the provenance statement, as the file's bytes. */
let bundleBytes: Buffer;

beforeAll(async () => {
  key = loadedKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  other = loadedKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  keys = [{ label: 'key.pub.pem', pem: key.publicKeyPem }];
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [ARTIFACT],
    predicateType: SLSA,
    predicate: { runDetails: { builder: { id: 'https://example.com/builder' } } },
  };
  const bundle = await keySigner(key).signDsse(Buffer.from(JSON.stringify(statement)), 'application/vnd.in-toto+json');
  bundleBytes = Buffer.from(JSON.stringify(bundle));
});

/** What the collector would have recorded for the bundle above, with `change` applied. */
function summary(change: Partial<AttestationSummary> = {}): AttestationSummary {
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    content: 'dsse',
    payloadType: 'application/vnd.in-toto+json',
    predicateType: SLSA,
    subjects: [ARTIFACT],
    signer: { kind: 'public-key', keyHint: key.hint },
    tlogEntries: 0,
    timestamps: 0,
    ...change,
  };
}

function attestationEntry(path: string, bytes: Buffer, s: AttestationSummary): ManifestEntry {
  return {
    path,
    kind: 'attestation',
    mediaType: BUNDLE_MEDIA_TYPE,
    digest: `sha256:${sha256Hex(bytes)}`,
    size: bytes.length,
    collector: { name: 'attestation', version: '1.0.0' },
    summary: s,
  };
}

function manifestWith(...entries: ManifestEntry[]): Manifest {
  const m = baselineManifest();
  return { ...m, entries: [...m.entries, ...entries] };
}

/** Checks one attestation entry of `bytes`, kept (read) unless told otherwise. */
function check(
  s: AttestationSummary,
  options: { bytes?: Buffer; kept?: boolean; keys?: VerificationKeyInput[] } = {},
): { ok: boolean; code?: string; path?: string }[] {
  const bytes = options.bytes ?? bundleBytes;
  const manifest = manifestWith(attestationEntry('attestations/app.sigstore.json', bytes, s));
  const kept = new Map<string, Buffer>(options.kept === false ? [] : [[sha256Hex(bytes), bytes]]);
  return checkAttestationEntries(manifest, kept, [], options.keys ?? keys);
}

describe('checkAttestationEntries', () => {
  it('an attestation signed as its summary records, by the key given, verifies', () => {
    const checks = check(summary());
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ ok: true, path: 'attestations/app.sigstore.json' });
    expect(checks[0]?.code).toBeUndefined();
  });

  it('checks only attestation entries: a manifest without any gives no check', () => {
    expect(checkAttestationEntries(baselineManifest(), new Map(), [], keys)).toEqual([]);
  });

  it('an entry whose blob was not read is ATTESTATION_ENTRY_UNREADABLE', () => {
    const checks = check(summary(), { kept: false });
    expect(checks).toEqual([
      expect.objectContaining({
        ok: false,
        code: 'ATTESTATION_ENTRY_UNREADABLE',
        path: 'attestations/app.sigstore.json',
      }),
    ]);
  });

  it('an entry whose bytes are not JSON is ATTESTATION_ENTRY_INVALID', () => {
    const checks = check(summary(), { bytes: Buffer.from('this is not { json') });
    expect(checks.map((c) => [c.ok, c.code])).toEqual([[false, 'ATTESTATION_ENTRY_INVALID']]);
  });

  it('a key-signed entry checked without any key is ATTESTATION_KEY_REQUIRED', () => {
    const checks = check(summary(), { keys: [] });
    expect(checks.map((c) => [c.ok, c.code])).toEqual([[false, 'ATTESTATION_KEY_REQUIRED']]);
  });

  it('a signature that does not verify with the keys given is ATTESTATION_ENTRY_INVALID', () => {
    const checks = check(summary(), { keys: [{ label: 'other.pub.pem', pem: other.publicKeyPem }] });
    expect(checks.map((c) => [c.ok, c.code])).toEqual([[false, 'ATTESTATION_ENTRY_INVALID']]);
  });

  it('a key-signed bundle recorded as certificate-signed is ATTESTATION_SUMMARY_MISMATCH', () => {
    const checks = check(
      summary({ signer: { kind: 'certificate', identity: 'https://example.com/w', issuer: 'https://issuer' } }),
    );
    expect(checks.map((c) => [c.ok, c.code])).toEqual([[false, 'ATTESTATION_SUMMARY_MISMATCH']]);
  });

  it('a bundle signed by another key than the hint recorded is ATTESTATION_SUMMARY_MISMATCH', () => {
    const checks = check(summary({ signer: { kind: 'public-key', keyHint: other.hint } }));
    expect(checks.map((c) => [c.ok, c.code])).toEqual([[false, 'ATTESTATION_SUMMARY_MISMATCH']]);
  });

  it('a statement of another predicate type than recorded is ATTESTATION_SUMMARY_MISMATCH', () => {
    const checks = check(summary({ predicateType: 'https://spdx.dev/Document' }));
    expect(checks.map((c) => [c.ok, c.code])).toEqual([[false, 'ATTESTATION_SUMMARY_MISMATCH']]);
  });

  it('a statement about other subjects than recorded is ATTESTATION_SUMMARY_MISMATCH', () => {
    const checks = check(summary({ subjects: [{ name: 'app.tgz', digest: { sha256: 'f'.repeat(64) } }] }));
    expect(checks.map((c) => [c.ok, c.code])).toEqual([[false, 'ATTESTATION_SUMMARY_MISMATCH']]);
  });

  it('reports every attestation entry, each under its own path', () => {
    const bad = Buffer.from('not json');
    const manifest = manifestWith(
      attestationEntry('attestations/a.sigstore.json', bundleBytes, summary()),
      attestationEntry('attestations/b.sigstore.json', bad, summary()),
    );
    const kept = new Map([
      [sha256Hex(bundleBytes), bundleBytes],
      [sha256Hex(bad), bad],
    ]);
    const checks = checkAttestationEntries(manifest, kept, [], keys);
    expect(checks.map((c) => [c.path, c.ok, c.code])).toEqual([
      ['attestations/a.sigstore.json', true, undefined],
      ['attestations/b.sigstore.json', false, 'ATTESTATION_ENTRY_INVALID'],
    ]);
  });
});

describe('isAttestationBlob', () => {
  it('names the blobs of attestation entries only', () => {
    const manifest = manifestWith(attestationEntry('attestations/a.sigstore.json', bundleBytes, summary()));
    expect(isAttestationBlob(sha256Hex(bundleBytes), manifest)).toBe(true);
    const other = manifest.entries.find((e) => e.kind !== 'attestation') as ManifestEntry;
    expect(isAttestationBlob(other.digest.slice('sha256:'.length), manifest)).toBe(false);
  });
});
