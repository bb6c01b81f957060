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
  const attestation = Buffer.from(`${JSON.stringify(sigstore)}\n`);
  const made: StandardStatements = options.noStandard
    ? { statements: [], skipped: [] }
    : standardStatements(manifest, sha256Hex(manifestBytes), blob);
  const bundles: SerializedBundle[] = [];
  for (const s of made.statements)
    bundles.push(await signer.signDsse(statementBytes(s.statement), IN_TOTO_PAYLOAD_TYPE));
  const standard = bundles.length ? Buffer.from(bundles.map((b) => `${JSON.stringify(b)}\n`).join('')) : undefined;
  return { statement, sigstore, attestation, ...(standard ? { standard } : {}), made };
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
): { result: SignResult; contents: [file: string, bytes: Buffer | string][] } {
  const stem = join(dirname(bundlePath), basename(bundlePath).replace(/\.(tar\.gz|tgz)$/, ''));
  const sigstoreBundle = `${stem}.sigstore.json`;
  const intotoJsonl = `${stem}.intoto.jsonl`;
  const sigstoreJsonl = `${stem}.sigstore.jsonl`;
  const contents: [string, Buffer | string][] = [
    [sigstoreBundle, signed.attestation],
    // *.intoto.jsonl: one DSSE envelope per line, as SLSA generators publish them.
    [intotoJsonl, `${JSON.stringify(signed.sigstore.dsseEnvelope)}\n`],
    [sigstoreJsonl, Buffer.concat([signed.attestation, signed.standard ?? Buffer.alloc(0)])],
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
