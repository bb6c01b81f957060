import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyAttestation, type VerifyAttestationOptions } from '../../src/commands/verify-attestation.js';
import { readSigstoreBundleJson } from '../../src/verifier/sigstore-schema.js';
import { signedContentKind } from '../../src/verifier/sigstore-bundle.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Sigstore bundles are protobuf messages in protobuf's JSON mapping, and are
 * read by its rules (src/verifier/sigstore-schema.ts, docs/bundle-format.md
 * §6.3): null is absent, enums by name or number, int64 as string or number,
 * bytes in either base64 alphabet, padded or not, proto field names as well
 * as JSON names, unknown fields ignored but listed. Duplicate keys, wrong
 * types, values out of range and oversize files stay refused.
 *
 * The real bundles (../shared/sigstore-realworld, see its ORIGIN.md) and the
 * conformance cases (../shared/sigstore-conformance) are rewritten into each
 * shape and must verify exactly as they do as published.
 */
const tmp = useTmp();

const SHARED = new URL('../../../shared/', import.meta.url).pathname;
const REAL = join(SHARED, 'sigstore-realworld');
const CONFORMANCE = join(SHARED, 'sigstore-conformance');
const CASES = join(CONFORMANCE, 'bundle-verify');
const PUBLIC_GOOD = join(CONFORMANCE, 'trusted-roots', 'public-good.trusted_root.json');
const present = existsSync(REAL) && existsSync(CASES) && existsSync(PUBLIC_GOOD);
if (!present) {
  console.warn(
    `SKIPPED: the real-world Sigstore bundles and conformance cases are absent (${REAL}, ${CASES}); they come with ../shared/ beside the project. Only the tests on made-up bundles run.`,
  );
}

/** A document as JSON.parse gives it: the tests rewrite bundles into every spelling a producer might write. */
type Json = ReturnType<typeof JSON.parse>;
const clone = (x: Json): Json => structuredClone(x);

// ---------------------------------------------------------------------------
// Rewrites of a bundle into other protobuf JSON spellings of the same message.

/**
 * Every message field a bundle may leave out, by the JSON key of its parent (spec: sigstore_bundle.proto and its
 * imports).
 */
const OPTIONAL_FIELDS: Record<string, string[]> = {
  $: ['messageSignature', 'dsseEnvelope'],
  verificationMaterial: [
    'publicKey',
    'x509CertificateChain',
    'certificate',
    'tlogEntries',
    'timestampVerificationData',
  ],
  tlogEntries: [
    'logIndex',
    'logId',
    'kindVersion',
    'integratedTime',
    'inclusionPromise',
    'inclusionProof',
    'canonicalizedBody',
  ],
  inclusionProof: ['logIndex', 'rootHash', 'treeSize', 'hashes', 'checkpoint'],
  messageSignature: ['messageDigest', 'signature'],
  dsseEnvelope: ['payload', 'payloadType', 'signatures'],
  signatures: ['sig', 'keyid'],
};
const BYTES = new Set([
  'rawBytes',
  'keyId',
  'signedEntryTimestamp',
  'rootHash',
  'hashes',
  'canonicalizedBody',
  'payload',
  'sig',
  'signedTimestamp',
  'digest',
  'signature',
]);
const INT64 = new Set(['logIndex', 'integratedTime', 'treeSize']);
const HASH_ALGORITHMS = ['HASH_ALGORITHM_UNSPECIFIED', 'SHA2_256', 'SHA2_384', 'SHA2_512', 'SHA3_256', 'SHA3_384'];

/** Applies `visit(parentKey, object)` to every object of the bundle, depth first. */
function walk(node: Json, visit: (parent: string, o: Record<string, Json>) => void, parent = '$'): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit, parent));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) walk(v, visit, k);
    visit(parent, node);
  }
}

/** The 2023 npm shape: `null` for every field the bundle leaves out. */
function withNulls(bundle: Json): Json {
  const b = clone(bundle);
  walk(b, (parent, o) => {
    for (const f of OPTIONAL_FIELDS[parent] ?? []) if (!(f in o)) o[f] = null;
  });
  return b;
}

/**
 * The same bytes in the other alphabet, unpadded; text that is no canonical base64 (a case's broken signature) is left
 * as it is.
 */
const urlSafe = (s: string): string =>
  Buffer.from(s, 'base64').toString('base64') === s ? Buffer.from(s, 'base64').toString('base64url') : s;
/** Every bytes field in the URL-safe alphabet, without padding. */
function withUrlSafeBase64(bundle: Json): Json {
  const b = clone(bundle);
  walk(b, (_parent, o) => {
    for (const [k, v] of Object.entries(o)) {
      if (!BYTES.has(k)) continue;
      if (typeof v === 'string') o[k] = urlSafe(v);
      else if (Array.isArray(v)) o[k] = v.map((x) => (typeof x === 'string' ? urlSafe(x) : x));
    }
  });
  return b;
}

/** int64 as JSON numbers, enums as numbers. */
function withNumbers(bundle: Json): Json {
  const b = clone(bundle);
  walk(b, (_parent, o) => {
    for (const [k, v] of Object.entries(o)) {
      if (INT64.has(k) && typeof v === 'string') o[k] = Number(v);
      if (k === 'algorithm' && typeof v === 'string') o[k] = HASH_ALGORITHMS.indexOf(v);
    }
  });
  return b;
}

/** Every field by its proto name (snake_case) instead of its JSON name. */
function withProtoNames(node: Json): Json {
  if (Array.isArray(node)) return node.map(withProtoNames);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), withProtoNames(v)]),
  );
}

const SHAPES: [string, (b: Json) => Json][] = [
  ['null for every absent field (npm, 2023)', withNulls],
  ['bytes URL-safe and unpadded', withUrlSafeBase64],
  ['int64 and enums as numbers', withNumbers],
  ['proto field names', withProtoNames],
  ['all of these at once', (b) => withProtoNames(withNumbers(withUrlSafeBase64(withNulls(b))))],
];

// ---------------------------------------------------------------------------
// Made-up bundles: the reading rules alone (these run without ../shared).

/** A small bundle with a field of every kind (not signed: read, not verified). */
function sample(): Json {
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: 'AAEC' },
      tlogEntries: [
        {
          logIndex: '25',
          logId: { keyId: '+/+/' },
          kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
          integratedTime: '1700000000',
          inclusionPromise: { signedEntryTimestamp: 'AA==' },
          inclusionProof: {
            logIndex: '3',
            rootHash: 'AAAA',
            treeSize: '9',
            hashes: ['AQ==', '/w=='],
            checkpoint: { envelope: 'log\n9\n' },
          },
          canonicalizedBody: 'e30=',
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [{ signedTimestamp: 'MA==' }] },
    },
    messageSignature: { messageDigest: { algorithm: 'SHA2_256', digest: 'q83v' }, signature: 'MEUC' },
  };
}

function normal(json: Json): Json {
  const r = readSigstoreBundleJson(json);
  expect(r.ok, r.ok ? '' : JSON.stringify(r.issues)).toBe(true);
  return r.ok ? r.json : undefined;
}

/** The issue paths of a refusal (fails the test when the bundle is read). */
function refused(json: Json): string[] {
  const r = readSigstoreBundleJson(json);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.map((i) => i.path);
}

describe('protobuf JSON rules, on made-up bundles', () => {
  it('the normal form of a normal bundle is itself', () => {
    expect(normal(sample())).toEqual(sample());
  });

  it.each(SHAPES)('%s: the same normal form', (_name, shape) => {
    const changed = shape(sample());
    expect(changed).not.toEqual(sample());
    expect(normal(changed)).toEqual(sample());
  });

  it('null is absent: a null field is not in the normal form', () => {
    const b = sample();
    b.verificationMaterial.timestampVerificationData = null;
    b.verificationMaterial.tlogEntries[0].inclusionProof = null;
    b.messageSignature.messageDigest.algorithm = null;
    const n = normal(b);
    expect(n.verificationMaterial).not.toHaveProperty('timestampVerificationData');
    expect(n.verificationMaterial.tlogEntries[0]).not.toHaveProperty('inclusionProof');
    expect(n.messageSignature.messageDigest).toEqual({ digest: 'q83v' });
  });

  it.each(HASH_ALGORITHMS.map((name, number) => [name, number] as const))('enum %s is also %i', (name, number) => {
    const byNumber = sample();
    byNumber.messageSignature.messageDigest.algorithm = number;
    expect(normal(byNumber).messageSignature.messageDigest.algorithm).toBe(name);
  });

  it.each([6, -1, 1.5, '1', 'SHA2_999', 'sha2_256', true, {}])('enum value %j is refused', (value) => {
    const b = sample();
    b.messageSignature.messageDigest.algorithm = value;
    expect(refused(b)).toEqual(['$.messageSignature.messageDigest.algorithm']);
  });

  it.each([
    [25, '25'],
    ['25', '25'],
    ['0025', '25'],
    [-1, '-1'],
    ['9223372036854775807', '9223372036854775807'],
    ['-9223372036854775808', '-9223372036854775808'],
    [Number.MAX_SAFE_INTEGER, String(Number.MAX_SAFE_INTEGER)],
  ])('int64 %j reads as %s', (value, want) => {
    const b = sample();
    b.verificationMaterial.tlogEntries[0].logIndex = value;
    expect(normal(b).verificationMaterial.tlogEntries[0].logIndex).toBe(want);
  });

  it.each([
    '9223372036854775808',
    '-9223372036854775809',
    2 ** 63,
    Number.MAX_SAFE_INTEGER + 1,
    1.5,
    '1.5',
    '1e3',
    '',
    ' 1',
    '0x10',
    true,
    {},
    [],
  ])('int64 %j is refused', (value) => {
    const b = sample();
    b.verificationMaterial.tlogEntries[0].integratedTime = value;
    expect(refused(b)).toEqual(['$.verificationMaterial.tlogEntries[0].integratedTime']);
  });

  it.each([
    ['+/+/', '+/+/'],
    ['-_-_', '+/+/'],
    ['AQ==', 'AQ=='],
    ['AQ', 'AQ=='],
    ['AAE=', 'AAE='],
    ['AAE', 'AAE='],
    ['', ''],
    ['AQ\n', 'AQ=='],
    ['AA\r\nEC', 'AAEC'],
  ])('bytes %j read as %j', (value, want) => {
    const b = sample();
    b.verificationMaterial.tlogEntries[0].logId.keyId = value;
    expect(normal(b).verificationMaterial.tlogEntries[0].logId.keyId).toBe(want);
  });

  it.each([
    'INVALID!!!BASE64!!!ENCODING====',
    '+/-_',
    'AQ=',
    'AQ===',
    'A',
    'AAAAA',
    'AQ==AQ==',
    'AQ ==',
    'AQ\t',
    '=',
    42,
    ['AQ=='],
    null,
  ])('bytes %j are refused', (value) => {
    const b = sample();
    // null is absent, so only inside a list is it refused.
    b.verificationMaterial.tlogEntries[0].inclusionProof.hashes = [value];
    expect(refused(b)).toEqual(['$.verificationMaterial.tlogEntries[0].inclusionProof.hashes[0]']);
  });

  it('wrong types are refused, never coerced', () => {
    const cases: [string, (b: Json) => void][] = [
      ['$.verificationMaterial', (b) => (b.verificationMaterial = 'a string where an object is')],
      [
        '$.verificationMaterial.tlogEntries',
        (b) => (b.verificationMaterial.tlogEntries = b.verificationMaterial.tlogEntries[0]),
      ],
      [
        '$.verificationMaterial.certificate',
        (b) => (b.verificationMaterial.certificate = [b.verificationMaterial.certificate]),
      ],
      ['$.mediaType', (b) => (b.mediaType = 3)],
      [
        '$.verificationMaterial.tlogEntries[0].kindVersion.kind',
        (b) => (b.verificationMaterial.tlogEntries[0].kindVersion.kind = { kind: 'x' }),
      ],
      [
        '$.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope',
        (b) => (b.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope = 7),
      ],
      ['$.verificationMaterial.tlogEntries[0]', (b) => (b.verificationMaterial.tlogEntries[0] = null)],
      [
        '$.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0]',
        (b) => (b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0] = 'MA=='),
      ],
    ];
    for (const [path, mutate] of cases) {
      const b = sample();
      mutate(b);
      expect(refused(b), path).toEqual([path]);
    }
    expect(refused('a string')).toEqual(['$']);
    expect(refused([sample()])).toEqual(['$']);
  });

  it('a field given under both its names is refused, whichever is null', () => {
    const b = sample();
    b.verificationMaterial.tlog_entries = b.verificationMaterial.tlogEntries;
    expect(refused(b)).toEqual(['$.verificationMaterial.tlog_entries']);
    b.verificationMaterial.tlog_entries = null;
    expect(refused(b)).toEqual(['$.verificationMaterial.tlog_entries']);
  });

  it('two members of a oneof are refused; a null member beside a set one is absent', () => {
    const two = sample();
    two.verificationMaterial.publicKey = { hint: 'abc' };
    expect(refused(two)).toEqual(['$.verificationMaterial']);
    const both = sample();
    both.dsseEnvelope = { payload: 'e30=', payloadType: 'application/vnd.in-toto+json', signatures: [] };
    expect(refused(both)).toEqual(['$']);
    const nulls = sample();
    nulls.verificationMaterial.publicKey = null;
    nulls.verificationMaterial.x509CertificateChain = null;
    nulls.dsseEnvelope = null;
    expect(normal(nulls)).toEqual(sample());
    expect(signedContentKind(nulls)).toBe('message-signature');
  });

  it.each([
    ['mediaType', (b: Json) => (b.mediaType = null), '$.mediaType'],
    ['verificationMaterial', (b: Json) => (b.verificationMaterial = null), '$.verificationMaterial'],
    ['the signed content', (b: Json) => (b.messageSignature = null), '$'],
    ['the certificate', (b: Json) => (b.verificationMaterial.certificate = null), '$.verificationMaterial'],
  ])('a null where %s is needed is that thing missing', (_name, mutate, path) => {
    const b = sample();
    mutate(b);
    expect(refused(b)).toEqual([path]);
    // The same as leaving it out.
    const absent = sample();
    mutate(absent);
    walk(absent, (_p, o) => {
      for (const [k, v] of Object.entries(o)) if (v === null) delete o[k];
    });
    expect(refused(absent)).toEqual([path]);
  });

  it('unknown fields are ignored, left out of the normal form, and listed', () => {
    const b = sample();
    b.extra = { anything: [1, 2] };
    b.verificationMaterial.timestampVerificationData.rfc3161Timestamp =
      b.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
    delete b.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
    const r = readSigstoreBundleJson(b);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.unknownFields).toEqual({
      count: 2,
      paths: ['$.verificationMaterial.timestampVerificationData.rfc3161Timestamp', '$.extra'],
    });
    expect(r.json).not.toHaveProperty('extra');
    expect(r.json.verificationMaterial).toEqual({ ...sample().verificationMaterial, timestampVerificationData: {} });
  });

  it('a hostile number of unknown fields or problems is counted, and at most 20 listed', () => {
    const b = sample();
    for (let i = 0; i < 5000; i++) b[`x${i}`] = i;
    const r = readSigstoreBundleJson(b);
    expect(r.ok && r.unknownFields.count).toBe(5000);
    expect(r.ok && r.unknownFields.paths.length).toBe(20);
    const bad = sample();
    bad.verificationMaterial.tlogEntries[0].inclusionProof.hashes = Array.from({ length: 5000 }, () => 42);
    expect(refused(bad)).toHaveLength(20);
  });
});

// ---------------------------------------------------------------------------
// Real bundles, verified in every shape.

const realFiles = present
  ? readdirSync(REAL)
      .filter((f) => f.endsWith('.sigstore.json'))
      .sort()
  : [];
const REAL_IDENTITY = {
  certificateIdentity: 'brian@dehamer.com',
  certificateOidcIssuer: 'https://github.com/login/oauth',
};

/** The statement's first subject digest, read from the DSSE payload (as ORIGIN.md says to). */
function subjectDigest(bundle: Json): string {
  const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
  const [alg, hex] = Object.entries(statement.subject[0].digest as Record<string, string>)[0] as [string, string];
  return `${alg}:${hex}`;
}

/** verify-attestation over a bundle given as JSON (or as text), written to a temporary file. */
async function verifyText(text: string, options: Omit<VerifyAttestationOptions, 'cwd' | 'attestation'>): Promise<Json> {
  const dir = await tmp();
  await writeFile(join(dir, 'bundle.sigstore.json'), text);
  const { report } = await verifyAttestation({ cwd: dir, env: {}, attestation: 'bundle.sigstore.json', ...options });
  return report;
}

async function verifyReal(bundle: Json, digestFrom: Json = bundle): Promise<Json> {
  return verifyText(JSON.stringify(bundle), {
    digest: subjectDigest(digestFrom),
    trustedRoot: [PUBLIC_GOOD],
    identity: REAL_IDENTITY,
  });
}

/** A report without what names the file: two spellings of one bundle must give this equal. */
const outcome = (report: Json): Json => ({ ...report, attestation: undefined });
const failedCodes = (report: Json): string[] => report.checks.filter((c: Json) => !c.ok).map((c: Json) => c.code);

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

describe.skipIf(!present)('real public-good bundles in every protobuf JSON spelling', () => {
  it('has them', () => {
    expect(realFiles.length).toBeGreaterThanOrEqual(2);
  });

  const read = (file: string): Json => JSON.parse(readFileSync(join(REAL, file), 'utf8'));
  const pairs = realFiles.flatMap((file) => SHAPES.map(([name, shape]) => [file, name, shape] as const));

  it.each(pairs)('%s, %s: verifies with the same report', async (file, _name, shape) => {
    const original = read(file);
    const changed = shape(original);
    expect(JSON.stringify(changed)).not.toBe(JSON.stringify(original));
    const [want, got] = [await verifyReal(original), await verifyReal(changed, original)];
    expect(failedCodes(want)).toEqual([]);
    expect(want.ok).toBe(true);
    expect(outcome(got)).toEqual(outcome(want));
  });

  it('the 2023 npm shape named in the issue verifies: publicKey, messageSignature, inclusionProof and timestampVerificationData null', async () => {
    const original = read(realFiles.find((f) => f.startsWith('slsa')) ?? (realFiles[0] as string));
    const b = clone(original);
    b.messageSignature = null;
    b.verificationMaterial.publicKey = null;
    b.verificationMaterial.timestampVerificationData = null;
    b.verificationMaterial.tlogEntries[0].inclusionProof = null;
    const report = await verifyReal(b, original);
    expect(failedCodes(report)).toEqual([]);
    expect(report.kind).toBe('dsse');
    expect(report.signature.kind).toBe('certificate');
    expect(outcome(report)).toEqual(outcome(await verifyReal(original)));
  });

  it.each([
    ['verificationMaterial', (b: Json) => (b.verificationMaterial = null)],
    ['x509CertificateChain', (b: Json) => (b.verificationMaterial.x509CertificateChain = null)],
    ['dsseEnvelope', (b: Json) => (b.dsseEnvelope = null)],
    ["a v0.1 entry's inclusionPromise", (b: Json) => (b.verificationMaterial.tlogEntries[0].inclusionPromise = null)],
    ['the DSSE signatures', (b: Json) => (b.dsseEnvelope.signatures = null)],
    [
      "the certificate's rawBytes",
      (b: Json) => (b.verificationMaterial.x509CertificateChain.certificates[0].rawBytes = null),
    ],
    ["the log entry's logId", (b: Json) => (b.verificationMaterial.tlogEntries[0].logId = null)],
  ])('null where the bundle needs %s: ATTESTATION_MALFORMED (exit 2), as if absent', async (_name, mutate) => {
    for (const file of realFiles) {
      const original = read(file);
      const b = clone(original);
      mutate(b);
      // No Sigstore bundle to verify: invalid input (exit 2), not a failed verification.
      expect(await codeOf(verifyReal(b, original)), file).toBe('ATTESTATION_MALFORMED');
    }
  });

  it('still refused: a duplicate key (ATTESTATION_UNREADABLE), a string where an object is, an int64 out of range, two oneof members (ATTESTATION_MALFORMED)', async () => {
    const original = read(realFiles[0] as string);
    const opts = { digest: subjectDigest(original), trustedRoot: [PUBLIC_GOOD], identity: REAL_IDENTITY };
    const text = JSON.stringify(original);
    expect(
      await codeOf(verifyText(text.replace('"payloadType":', '"payloadType":"text/plain","payloadType":'), opts)),
    ).toBe('ATTESTATION_UNREADABLE');
    const mutations: ((b: Json) => void)[] = [
      (b) => (b.verificationMaterial = JSON.stringify(b.verificationMaterial)),
      (b) => (b.dsseEnvelope.signatures[0] = 'MEUC'),
      (b) => (b.verificationMaterial.tlogEntries[0].logIndex = '9223372036854775808'),
      (b) => (b.verificationMaterial.tlogEntries[0].integratedTime = 2 ** 60),
      (b) => (b.verificationMaterial.certificate = b.verificationMaterial.x509CertificateChain.certificates[0]),
      (b) => (b.dsseEnvelope.payload = `${b.dsseEnvelope.payload.slice(0, 8)}!${b.dsseEnvelope.payload.slice(8)}`),
    ];
    for (const mutate of mutations) {
      const b = clone(original);
      mutate(b);
      expect(await codeOf(verifyReal(b, original))).toBe('ATTESTATION_MALFORMED');
    }
  });

  it('still refused: a bundle file above the attestation size bound (FILE_TOO_LARGE), before it is parsed', async () => {
    const dir = await tmp();
    const path = join(dir, 'bundle.sigstore.json');
    await writeFile(path, readFileSync(join(REAL, realFiles[0] as string)));
    await truncate(path, 16 * 1024 * 1024 + 1);
    expect(
      await codeOf(
        verifyAttestation({
          cwd: dir,
          env: {},
          attestation: 'bundle.sigstore.json',
          digest: `sha256:${'a'.repeat(64)}`,
          trustedRoot: [PUBLIC_GOOD],
          identity: REAL_IDENTITY,
        }),
      ),
    ).toBe('FILE_TOO_LARGE');
  });
});

// ---------------------------------------------------------------------------
// The conformance cases, in every shape: the same verdict and the same codes.

const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';
const cases = present
  ? readdirSync(CASES)
      .filter((d) => statSync(join(CASES, d)).isDirectory())
      .sort()
  : [];

/** One conformance case's bundle, as JSON, or undefined where it is no JSON (bundle-malformed-json_fail). */
function caseBundle(name: string): Json {
  try {
    return JSON.parse(readFileSync(join(CASES, name, 'bundle.sigstore.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** verify-attestation as the conformance suite runs it (test/verifier/conformance.test.ts), the bundle given. */
async function verifyCase(name: string, bundle: Json): Promise<{ accepted: boolean; codes: string[]; report?: Json }> {
  const dir = join(CASES, name);
  const has = (f: string): boolean => existsSync(join(dir, f));
  const readText = (f: string): string => readFileSync(join(dir, f), 'utf8').trim();
  try {
    const report = await verifyText(JSON.stringify(bundle), {
      artifact: has('artifact') ? join(dir, 'artifact') : join(CASES, 'a.txt'),
      trustedRoot: [has('trusted_root.json') ? join(dir, 'trusted_root.json') : PUBLIC_GOOD],
      ...(has('key.pub') ? { key: [join(dir, 'key.pub')] } : {}),
      identity: has('key.pub')
        ? {}
        : {
            certificateIdentity: has('identity') ? readText('identity') : DEFAULT_IDENTITY,
            certificateOidcIssuer: has('issuer') ? readText('issuer') : DEFAULT_ISSUER,
          },
    });
    return { accepted: report.ok, codes: failedCodes(report), report };
  } catch (e) {
    return { accepted: false, codes: [(e as { code?: string }).code ?? 'ERROR'] };
  }
}

describe.skipIf(!present)('Sigstore conformance cases in every protobuf JSON spelling', () => {
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it('every case reads but two: no JSON at all, and a signature that is not base64 (a timestamp wrapped over two lines reads)', () => {
    const unread = cases.filter((name) => {
      const b = caseBundle(name);
      return b === undefined || !readSigstoreBundleJson(b).ok;
    });
    expect(unread).toEqual(['bundle-invalid-base64-signature_fail', 'bundle-malformed-json_fail']);
  });

  it.each(SHAPES)('%s: every case has the same normal form', (_name, shape) => {
    for (const name of cases) {
      const b = caseBundle(name);
      if (b === undefined) continue;
      const want = readSigstoreBundleJson(b);
      const got = readSigstoreBundleJson(shape(b));
      if (!want.ok) {
        expect(got.ok, name).toBe(false);
        continue;
      }
      expect(got.ok && got.json, name).toEqual(want.json);
    }
  });

  it.each(cases.filter((name) => caseBundle(name) !== undefined))(
    '%s: the same verdict and codes in the npm-2023, URL-safe, numeric, proto-named shape',
    async (name) => {
      const original = caseBundle(name);
      const changed = SHAPES[SHAPES.length - 1]?.[1](original);
      const [want, got] = [await verifyCase(name, original), await verifyCase(name, changed)];
      expect(want.accepted, `${name}: ${want.codes.join(', ')}`).toBe(!name.endsWith('_fail'));
      expect(got.codes).toEqual(want.codes);
      expect(got.accepted).toBe(want.accepted);
      if (want.report && got.report) expect(got.report.signature).toEqual(want.report.signature);
    },
  );

  it('a misspelt rfc3161Timestamps is ignored and listed: the report claims no timestamp, and where the timestamp was the only time, nothing verifies', async () => {
    const misspell = (b: Json): Json => {
      const c = clone(b);
      const tvd = c.verificationMaterial.timestampVerificationData;
      tvd.rfc3161Timestamp = tvd.rfc3161Timestamps;
      delete tvd.rfc3161Timestamps;
      return c;
    };
    // A log entry with a signed entry timestamp beside the TSA's: still verified, on the log's time alone.
    const withPromise = await verifyCase('intoto-with-custom-trust-root', caseBundle('intoto-with-custom-trust-root'));
    expect(withPromise.report.signature.timestamps).toHaveLength(1);
    const dropped = await verifyCase(
      'intoto-with-custom-trust-root',
      misspell(caseBundle('intoto-with-custom-trust-root')),
    );
    expect(dropped.codes).toEqual([]);
    expect(dropped.report.signature.timestamps).toEqual([]);
    expect(dropped.report.signature.tlog).toEqual([expect.objectContaining({ timeVerified: true })]);
    expect(dropped.report.signature.unknownFields).toEqual({
      count: 1,
      paths: ['$.verificationMaterial.timestampVerificationData.rfc3161Timestamp'],
    });
    expect(withPromise.report.signature).not.toHaveProperty('unknownFields');
    // Rekor v2: no signed entry timestamp, the TSA's time is the only one. Without it, the signature does not verify.
    expect((await verifyCase('rekor2-happy-path', caseBundle('rekor2-happy-path'))).accepted).toBe(true);
    const none = await verifyCase('rekor2-happy-path', misspell(caseBundle('rekor2-happy-path')));
    expect(none.accepted).toBe(false);
    expect(none.codes).toEqual(['SIGNATURE_INVALID']);
  });
});
