import { basename, dirname, join } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { sha256Hex } from '../core/digest.js';
import type { Env } from '../core/env.js';
import type { Manifest } from '../core/manifest.js';
import { IN_TOTO_PAYLOAD_TYPE, type Statement } from '../formats/intoto.js';
import { standardStatements, type StandardStatements } from '../formats/standard-statements.js';
import type { PayloadSigner } from './sigstore.js';
import { ciContext, statementBytes, toStatement } from './statement.js';

/**
 * What one signing run makes: our statement's Sigstore bundle and the standard ones, as the bundle's members hold them.
 */
export interface SignedManifest {
  statement: Statement;
  sigstore: SerializedBundle;
  /** attestations/evidence.sigstore.json */
  attestation: Buffer;
  /** The JSON of `sigstore.dsseEnvelope` as `attestation` holds it: a view of its bytes, NAME.intoto.jsonl's line. */
  envelope?: Buffer;
  /** attestations/standard.sigstore.jsonl, when there are standard statements. */
  standard?: Buffer;
  made: StandardStatements;
}

/**
 * Signs a manifest (its exact bytes) and the standard statements made from
 * its blobs (`blob` gives the SBOM, JUnit and SARIF contents by hex), one
 * after another: the first signature fetched the certificate the others reuse.
 */
export async function signManifest(
  signer: PayloadSigner,
  manifest: Manifest,
  manifestBytes: Buffer,
  blob: (hex: string) => Buffer | undefined,
  options: { env: Env; noStandard: boolean },
): Promise<SignedManifest> {
  const statement = toStatement(manifest, manifestBytes, ciContext(options.env), signer.context);
  const sigstore = await signer.signDsse(statementBytes(statement), IN_TOTO_PAYLOAD_TYPE);
  const { line: attestation, envelope } = bundleLine(sigstore);
  const made: StandardStatements = options.noStandard
    ? { statements: [], skipped: [] }
    : // Our statement's subjects after manifest.json are the release's, as the standard ones name them: made once.
      standardStatements(manifest, sha256Hex(manifestBytes), blob, statement.subject.slice(1));
  const lines: Buffer[] = [];
  for (const s of made.statements)
    lines.push(bundleLine(await signer.signDsse(statementBytes(s.statement), IN_TOTO_PAYLOAD_TYPE)).line);
  const standard = lines.length > 1 ? Buffer.concat(lines) : lines[0];
  return {
    statement,
    sigstore,
    attestation,
    ...(envelope ? { envelope } : {}),
    ...(standard ? { standard } : {}),
    made,
  };
}

/**
 * `${JSON.stringify(bundle)}\n`, and where in it the JSON of its DSSE envelope lies when that is its last member (as
 * sigstore-js writes a bundle), made without the 15 MB strings JSON.stringify would make of a release of 100,000
 * subjects. JSON.stringify writes members in order, so the bundle's JSON is that of a copy whose envelope's payload
 * (its first member) is '', with the payload's text put between those quotes: base64, which JSON writes as it is. The
 * envelope starts where that of a copy whose envelope is 0 writes the 0. NAME.intoto.jsonl is then a view of these
 * bytes, not another copy.
 */
export function bundleLine(bundle: SerializedBundle): { line: Buffer; envelope?: Buffer } {
  const env = bundle.dsseEnvelope;
  if (
    !plain(bundle) ||
    !plain(env) ||
    Object.keys(bundle).at(-1) !== 'dsseEnvelope' ||
    Object.keys(env ?? {})[0] !== 'payload' ||
    typeof env?.payload !== 'string' ||
    !BASE64.test(env.payload)
  )
    return { line: Buffer.from(`${JSON.stringify(bundle)}\n`) };
  const at = JSON.stringify({ ...bundle, dsseEnvelope: 0 }).length - 2;
  const empty = JSON.stringify({ ...bundle, dsseEnvelope: { ...env, payload: '' } });
  const open = at + '{"payload":"'.length;
  const [before, after] = [empty.slice(0, open), `${empty.slice(open)}\n`];
  const line = Buffer.allocUnsafe(Buffer.byteLength(before) + env.payload.length + Buffer.byteLength(after));
  let n = line.write(before);
  n += line.write(env.payload, n, 'latin1');
  line.write(after, n);
  return { line, envelope: line.subarray(Buffer.byteLength(empty.slice(0, at)), line.length - 2) };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A plain object JSON.stringify writes member by member (no toJSON of its own or inherited, no other prototype). */
function plain(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    typeof (v as { toJSON?: unknown }).toJSON !== 'function'
  );
}

export interface SignResult {
  bundle: string;
  sigstoreBundle: string;
  intotoJsonl: string;
  /**
   * NAME.sigstore.jsonl: every Sigstore bundle of this signing, ours first, one per line (gh attestation verify
   * --bundle).
   */
  sigstoreJsonl: string;
  statement: Statement;
  sigstore: SerializedBundle;
  /** The standard statements signed beside ours, in the order of attestations/standard.sigstore.jsonl. */
  standard: { label: string; predicateType: string }[];
  /** Entries with no standard statement, and why. */
  standardSkipped: { path: string; reason: string }[];
}

/**
 * NAME.sigstore.json, NAME.intoto.jsonl and NAME.sigstore.jsonl beside the bundle, for release assets, and what each
 * holds.
 */
export function detachedFiles(
  bundlePath: string,
  signed: SignedManifest,
): { result: SignResult; contents: [file: string, bytes: Buffer | string | Buffer[]][] } {
  const stem = join(dirname(bundlePath), basename(bundlePath).replace(/\.(tar\.gz|tgz)$/, ''));
  const sigstoreBundle = `${stem}.sigstore.json`;
  const intotoJsonl = `${stem}.intoto.jsonl`;
  const sigstoreJsonl = `${stem}.sigstore.jsonl`;
  const contents: [string, Buffer | string | Buffer[]][] = [
    [sigstoreBundle, signed.attestation],
    // *.intoto.jsonl: one DSSE envelope per line, as SLSA generators publish them.
    [
      intotoJsonl,
      signed.envelope ? [signed.envelope, Buffer.from('\n')] : `${JSON.stringify(signed.sigstore.dsseEnvelope)}\n`,
    ],
    // Written piece by piece: never joined into a third copy.
    [sigstoreJsonl, signed.standard ? [signed.attestation, signed.standard] : signed.attestation],
  ];
  const result: SignResult = {
    bundle: bundlePath,
    sigstoreBundle,
    intotoJsonl,
    sigstoreJsonl,
    statement: signed.statement,
    sigstore: signed.sigstore,
    standard: signed.made.statements.map((s) => ({ label: s.label, predicateType: s.predicateType })),
    standardSkipped: signed.made.skipped,
  };
  return { result, contents };
}
