import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { writeDirectoryAtomically } from '../fs/atomic.js';
import { isEmptyOrAbsent } from '../fs/destination.js';
import { hashFile } from '../fs/hash-file.js';
import { attestationCopy } from '../load/attestation.js';
import { renderAnnexViiReadme, withAttestationUri } from '../present/cra.js';
import { CraError, chosenRelease, craNotificationDraft, type CraNotificationDraft } from '../release-index/cra.js';
import { openIndexStore, shippedRows, shownDb } from '../transport/release-index-store.js';
import type { RegistryOptions } from '../transport/oci/connect.js';
import type { IdentityPolicy } from '../verifier/identity-policy.js';
import { extract } from './extract.js';
import { pull } from './oci.js';
import type { VerifyCommandReport } from './verify.js';

/** `evidence cra notify`: the Article 14 notification draft for a vulnerability, from the index (docs/index.md). */
export async function craNotify(o: {
  cwd: string;
  db: string;
  vulnerability: string;
  product?: string;
  now?: () => Date;
}): Promise<CraNotificationDraft> {
  const vulnerability = o.vulnerability.trim();
  if (vulnerability === '') throw new CraError('CRA_INPUT_INVALID', 'cra notify: the vulnerability id is empty');
  const store = await openIndexStore(o.db, o.cwd, { existing: true });
  try {
    const product = o.product === undefined ? {} : { product: o.product };
    const findings = await store.query({ kind: 'vulnerability', id: vulnerability, ...product });
    const releases = await store.query({ kind: 'releases', ...product });
    return craNotificationDraft({
      vulnerability,
      ...product,
      generatedAt: (o.now ?? (() => new Date()))().toISOString(),
      index: shownDb(o.db),
      findings,
      releases,
      rejected: await store.rejected(),
      shipped: await shippedRows(store, vulnerability, o.product),
    });
  } finally {
    await store.close();
  }
}

export interface CraFileOptions {
  cwd: string;
  env?: Env;
  db: string;
  product: string;
  version: string;
  /** The folder to create; it must not exist or be empty. */
  output: string;
  /** The bundle, when the index's location cannot be read from here (a GitHub asset, another machine's path). */
  bundle?: string;
  /** Which indexed bundle, when the index holds several of the release. */
  digest?: string;
  /** The bundle's signature kept beside it (NAME.sigstore.json, or what `evidence fetch` took from GitHub's API). */
  attestation?: string;
  registry?: RegistryOptions;
  trustedRoot?: string[];
  key?: string[];
  identity?: IdentityPolicy;
  now?: () => Date;
}

/**
 * `evidence cra file`: the release's technical documentation folder: its bundle verified again and extracted, the
 * bundle and the verification report beside it, and a table of contents by the points of the CRA's Annex VII. The
 * bundle is the one the index holds (its sha256 checked); from an OCI location it is pulled, otherwise read where the
 * index says, or given with `bundle`. Written whole or not at all; nothing is written when it does not verify.
 */
export async function craFile(o: CraFileOptions): Promise<{ report: VerifyCommandReport; output?: string }> {
  const target = resolve(o.cwd, o.output);
  if (!(await isEmptyOrAbsent(target)))
    throw new CraError('CRA_INPUT_INVALID', `${o.output}: already exists and is not an empty directory`);
  const store = await openIndexStore(o.db, o.cwd, { existing: true });
  const rows = await store.query({ kind: 'releases', product: o.product }).finally(() => store.close());
  const { digest, location, signature: indexed, ...verdict } = chosenRelease(rows, { ...o, index: shownDb(o.db) });
  const scratch = await mkdtemp(join(tmpdir(), 'evidence-cra-'));
  try {
    // A private copy, hashed, verified and packaged: the file at the location could change between those reads.
    const bundle = join(scratch, 'bundle.tar.gz');
    const from = o.bundle === undefined ? location : resolve(o.cwd, o.bundle);
    if (o.bundle === undefined && location.startsWith('oci://'))
      await pull({
        cwd: o.cwd,
        ...(o.env ? { env: o.env } : {}),
        reference: location,
        output: bundle,
        registry: o.registry ?? {},
      });
    else if (!existsSync(from))
      throw new CraError('CRA_BUNDLE_UNREACHABLE', `${from}: cannot be read here; fetch it, give it with --bundle`);
    else await copyFile(from, bundle);
    const got = `sha256:${(await hashFile(bundle, ['sha256'])).hex.sha256}`;
    if (got !== digest)
      throw new CraError(
        'CRA_BUNDLE_MISMATCH',
        `${from}: sha256 ${got}, but the index holds ${o.product} ${o.version} as ${digest}`,
      );
    const file = from.startsWith('oci://') ? `${o.product}-${o.version}.evidence.tar.gz` : basename(from);
    // The signature kept beside the bundle: verified from a private copy, kept in the folder as NAME.sigstore.json.
    const signature = o.attestation && (await attestationCopy(o.cwd, o.attestation, scratch));
    const named = signature && `${file.replace(/\.tar\.gz$/, '')}.sigstore.json`;
    return await writeDirectoryAtomically(target, async (staging, commit) => {
      const extracted = await extract({
        cwd: o.cwd,
        ...(o.env ? { env: o.env } : {}),
        bundle,
        ...(signature ? { attestation: signature } : {}),
        output: join(staging, 'evidence'),
        ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
        ...(o.key ? { key: o.key } : {}),
        identity: o.identity ?? {},
        ...(o.now ? { now: o.now } : {}),
        bundleName: `../bundle/${file}`,
      });
      const uri = named && extracted.output ? `bundle/${named}` : o.attestation;
      const report = withAttestationUri(extracted.report, uri);
      if (!extracted.output || !extracted.manifest) return { report, indexed };
      await mkdir(join(staging, 'bundle'));
      await copyFile(bundle, join(staging, 'bundle', file));
      if (signature && named) await copyFile(signature, join(staging, 'bundle', named));
      await writeFile(join(staging, 'verification.json'), `${JSON.stringify(report, null, 2)}\n`);
      const readme = renderAnnexViiReadme({
        ...o,
        bundle: { file, digest, location, ...(named ? { signature: named } : {}) },
        report: { ...report, indexedPolicy: verdict.policy, indexedPolicyShows: verdict.policyShows },
        entries: extracted.manifest.entries,
        generatedAt: (o.now ?? (() => new Date()))().toISOString(),
      });
      await writeFile(join(staging, 'README.md'), readme);
      await commit(staging);
      return { report, output: target };
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
