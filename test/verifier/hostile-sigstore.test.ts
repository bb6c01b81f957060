import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSigstore, type LocalSigstore } from '../../scripts/local-sigstore.mjs';
import { verifyAttestation } from '../../src/commands/verify-attestation.js';
import { parseStatement } from '../../src/verifier/statement-check.js';
import { runCli } from '../helpers/io.js';
import { fixture, useTmp } from '../helpers/tmp.js';

const tmp = useTmp();

/**
 * Class: Sigstore bundle malleability. Parts of an attestation that are not
 * signed must not change silently: fields the specification does not have
 * are ignored as sigstore-js ignores them but listed in the report (a renamed
 * rfc3161Timestamps drops the timestamp, and the report claims none), nulls
 * are absent fields, duplicate JSON keys (in the bundle or the signed
 * statement) and a key hint naming another key are refused. And the report
 * says which times were verified.
 */
let sigstore: LocalSigstore;
beforeAll(async () => {
  sigstore = await startLocalSigstore();
});
afterAll(async () => {
  await sigstore?.close();
});

/** A document as JSON.parse gives it: the tests rewrite bundles and read reports in ways no schema type allows. */
type Json = ReturnType<typeof JSON.parse>;

/** A key-signed bundle with a Rekor entry and an RFC 3161 timestamp from the local Sigstore. */
async function signed(): Promise<{ dir: string; sigstoreJson: Json }> {
  const dir = await tmp();
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(dir, 'key.pub.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
  await writeFile(join(dir, 'trusted_root.json'), JSON.stringify(sigstore.trustedRoot));
  const c = await runCli(
    [
      'collect',
      '-o',
      'b.tar.gz',
      '--name',
      'a',
      '--version',
      '1',
      '--sarif',
      fixture('sarif/eslint.sarif'),
      '--sign',
      '--key',
      'key.pem',
      '--rekor-url',
      sigstore.url,
      '--tsa-url',
      sigstore.url,
      '-q',
    ],
    { cwd: dir },
  );
  expect(c.code, c.stderr).toBe(0);
  return { dir, sigstoreJson: JSON.parse(await readFile(join(dir, 'b.sigstore.json'), 'utf8')) };
}

async function verifyWith(dir: string, attestation: unknown): Promise<{ code: number; codes: string[]; report: Json }> {
  await writeFile(join(dir, 'att.json'), typeof attestation === 'string' ? attestation : JSON.stringify(attestation));
  const r = await runCli(
    [
      'verify',
      'b.tar.gz',
      '--attestation',
      'att.json',
      '--key',
      'key.pub.pem',
      '--trusted-root',
      'trusted_root.json',
      '--json',
    ],
    { cwd: dir },
  );
  const report = r.stdout ? JSON.parse(r.stdout) : undefined;
  return {
    code: r.code,
    codes: report ? report.checks.filter((c: Json) => !c.ok && !c.skipped).map((c: Json) => c.code) : [r.stderr],
    report,
  };
}

describe('Sigstore bundles are read by the protobuf JSON mapping, strictly where it guards something', () => {
  it('the untouched attestation verifies, and the report says which times were verified', async () => {
    const { dir, sigstoreJson } = await signed();
    const r = await verifyWith(dir, sigstoreJson);
    expect(r.codes).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.signature.timestamps).toEqual([expect.objectContaining({ verified: true })]);
    expect(r.report.signature.tlog).toEqual([expect.objectContaining({ timeVerified: true })]);
  });

  it('a misspelt DSSE field leaves the signatures missing: ATTESTATION_MALFORMED, the --attestation file refused (exit 2)', async () => {
    const { dir, sigstoreJson } = await signed();
    sigstoreJson.dsseEnvelope.signature = sigstoreJson.dsseEnvelope.signatures;
    delete sigstoreJson.dsseEnvelope.signatures;
    const r = await verifyWith(dir, sigstoreJson);
    expect(r.code).toBe(2);
    expect(r.codes).toEqual([
      expect.stringMatching(/^evidence: att\.json: not a valid Sigstore bundle: .*\[ATTESTATION_MALFORMED\]\n$/),
    ]);
  });

  // Read by protobuf's JSON mapping, as sigstore-js reads it (sigstore-schema.ts):
  // an unknown field is ignored, so nothing it held is claimed, and listed in the report.
  const unknown: [string, (b: Json) => void, string][] = [
    [
      'a renamed rfc3161Timestamps',
      (b) => {
        b.verificationMaterial.timestampVerificationData = {
          rfc3161Timestamp: b.verificationMaterial.timestampVerificationData.rfc3161Timestamps,
        };
      },
      '$.verificationMaterial.timestampVerificationData.rfc3161Timestamp',
    ],
    [
      'an unknown top-level field',
      (b) => {
        b.extra = true;
      },
      '$.extra',
    ],
    [
      'an unknown field in a log entry',
      (b) => {
        b.verificationMaterial.tlogEntries[0].integratedTimeX = '1';
      },
      '$.verificationMaterial.tlogEntries[0].integratedTimeX',
    ],
  ];
  it.each(unknown)('%s: ignored and listed, and what it held is not claimed', async (name, mutate, path) => {
    const { dir, sigstoreJson } = await signed();
    mutate(sigstoreJson);
    const r = await verifyWith(dir, sigstoreJson);
    expect(r.codes).toEqual([]);
    expect(r.report.signature.unknownFields).toEqual({ count: 1, paths: [path] });
    expect(r.report.signature.timestamps).toHaveLength(name.includes('rfc3161') ? 0 : 1);
  });

  it('a null where a message may be absent is absent: certificate null beside the public key verifies', async () => {
    const { dir, sigstoreJson } = await signed();
    sigstoreJson.verificationMaterial.certificate = null;
    const r = await verifyWith(dir, sigstoreJson);
    expect(r.codes).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report.signature.kind).toBe('public-key');
  });

  it('a replaced key hint: KEY_HINT_MISMATCH', async () => {
    const { dir, sigstoreJson } = await signed();
    sigstoreJson.verificationMaterial.publicKey.hint = createHash('sha256').update('another key').digest('hex');
    const r = await verifyWith(dir, sigstoreJson);
    expect(r.code).toBe(1);
    expect(r.codes).toContain('KEY_HINT_MISMATCH');
  });

  it('duplicate keys in the bundle JSON are refused, not resolved last-one-wins', async () => {
    const { dir, sigstoreJson } = await signed();
    const text = JSON.stringify(sigstoreJson).replace(
      '"mediaType":',
      '"mediaType":"application/vnd.dev.sigstore.bundle.v0.1+json","mediaType":',
    );
    const r = await verifyWith(dir, text);
    expect(r.code).toBe(2);
    expect(r.codes.join(' ')).toMatch(/appears twice.*\[ATTESTATION_UNREADABLE\]/s);
  });
});

describe('statements with duplicate keys', () => {
  function dsseBundle(payload: string, key: { privateKey: KeyObject; publicKey: KeyObject }): unknown {
    const payloadType = 'application/vnd.in-toto+json';
    const body = Buffer.from(payload);
    const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${body.length} `), body]);
    const hint = createHash('sha256')
      .update(key.publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex');
    return {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint }, tlogEntries: [] },
      dsseEnvelope: {
        payload: body.toString('base64'),
        payloadType,
        signatures: [{ sig: sign('sha256', pae, key.privateKey).toString('base64'), keyid: '' }],
      },
    };
  }
  const subject = `{"name":"a","digest":{"sha256":"${'a'.repeat(64)}"}}`;

  it('a signed statement that names two predicate types (last one wins in JSON.parse) is STATEMENT_INVALID', async () => {
    const dir = await tmp();
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(join(dir, 'pub.pem'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    const payload = `{"_type":"https://in-toto.io/Statement/v1","subject":[${subject}],"predicateType":"https://slsa.dev/provenance/v1","predicateType":"https://example.com/other","predicate":{}}`;
    await writeFile(join(dir, 'b.sigstore.json'), JSON.stringify(dsseBundle(payload, key)));
    const { report } = await verifyAttestation({
      cwd: dir,
      attestation: 'b.sigstore.json',
      digest: `sha256:${'a'.repeat(64)}`,
      key: ['pub.pem'],
    });
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => c.code)).toContain('STATEMENT_INVALID');
    // The same statement without the duplicate verifies: the refusal is for the duplicate alone.
    const clean = payload.replace(',"predicateType":"https://example.com/other"', '');
    await writeFile(join(dir, 'c.sigstore.json'), JSON.stringify(dsseBundle(clean, key)));
    expect(
      (
        await verifyAttestation({
          cwd: dir,
          attestation: 'c.sigstore.json',
          digest: `sha256:${'a'.repeat(64)}`,
          key: ['pub.pem'],
        })
      ).report.ok,
    ).toBe(true);
  });

  it('parseStatement refuses duplicates at any depth', () => {
    expect(
      parseStatement(
        Buffer.from(
          `{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"a","name":"b","digest":{"sha256":"${'a'.repeat(64)}"}}],"predicateType":"p"}`,
        ),
      ),
    ).toBeUndefined();
    expect(
      parseStatement(
        Buffer.from(
          `{"_type":"https://in-toto.io/Statement/v1","subject":[${subject}],"predicateType":"p","predicate":{"x":{"y":1,"y":2}}}`,
        ),
      ),
    ).toBeUndefined();
  });
});
