import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Env } from '../core/env.js';
import { writeDirectoryAtomically } from '../fs/atomic.js';
import { isEmptyOrAbsent } from '../fs/destination.js';
import { hashFile } from '../fs/hash-file.js';
import { renderAnnexViiMarkdown } from '../present/cra.js';
import { CraError, annexViiSections, craNotificationDraft, type CraNotificationDraft } from '../release-index/cra.js';
import { entryKind } from '../core/summaries.js';
import { openIndexStore, shownDb } from '../transport/release-index-store.js';
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
  const store = await openIndexStore(o.db, o.cwd);
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
  const store = await openIndexStore(o.db, o.cwd);
  let rows: Record<string, unknown>[];
  try {
    rows = (await store.query({ kind: 'releases', product: o.product })).filter((r) => r.version === o.version);
  } finally {
    await store.close();
  }
  const row = rows.sort((a, b) => String(b.created).localeCompare(String(a.created)))[0];
  if (!row)
    throw new CraError('CRA_RELEASE_NOT_INDEXED', `${o.product} ${o.version}: no such release in ${shownDb(o.db)}`);
  const digest = String(row.bundle_digest);
  const location = String(row.location);
  const scratch = await mkdtemp(join(tmpdir(), 'evidence-cra-'));
  try {
    let bundle = o.bundle === undefined ? undefined : resolve(o.cwd, o.bundle);
    if (bundle === undefined && location.startsWith('oci://')) {
      bundle = join(scratch, 'bundle.tar.gz');
      await pull({
        cwd: o.cwd,
        ...(o.env ? { env: o.env } : {}),
        reference: location,
        output: bundle,
        registry: o.registry ?? {},
      });
    } else if (bundle === undefined) {
      if (!existsSync(location))
        throw new CraError(
          'CRA_BUNDLE_UNREACHABLE',
          `${o.product} ${o.version}: its bundle is at ${location}, which cannot be read here; fetch it and give it with --bundle`,
        );
      bundle = location;
    }
    const got = `sha256:${(await hashFile(bundle, ['sha256'])).hex.sha256}`;
    if (got !== digest)
      throw new CraError(
        'CRA_BUNDLE_MISMATCH',
        `${o.bundle ?? location}: sha256 ${got}, but the index holds ${o.product} ${o.version} as ${digest}`,
      );
    const file =
      o.bundle !== undefined || !location.startsWith('oci://')
        ? basename(bundle)
        : `${o.product}-${o.version}.evidence.tar.gz`;
    return await writeDirectoryAtomically(target, async (staging, commit) => {
      const extracted = await extract({
        cwd: o.cwd,
        ...(o.env ? { env: o.env } : {}),
        bundle,
        output: join(staging, 'evidence'),
        ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
        ...(o.key ? { key: o.key } : {}),
        identity: o.identity ?? {},
      });
      if (!extracted.output || !extracted.manifest) return { report: extracted.report };
      await mkdir(join(staging, 'bundle'));
      await copyFile(bundle, join(staging, 'bundle', file));
      await writeFile(join(staging, 'verification.json'), `${JSON.stringify(extracted.report, null, 2)}\n`);
      const { sections, other } = annexViiSections(
        extracted.manifest.entries.map((e) => ({ path: e.path, kind: entryKind(e) })),
      );
      await writeFile(
        join(staging, 'README.md'),
        renderAnnexViiMarkdown({
          product: o.product,
          version: o.version,
          bundle: { file, digest, location },
          verdict: extracted.report.verdict ?? (extracted.report.ok ? 'verified' : 'failed'),
          ...(extracted.report.signature ? { signature: extracted.report.signature } : {}),
          sections,
          other,
          generatedAt: (o.now ?? (() => new Date()))().toISOString(),
        }),
      );
      await commit(staging);
      return { report: extracted.report, output: target };
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
