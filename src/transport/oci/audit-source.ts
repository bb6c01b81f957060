import { DEFAULT_MAX_DECLARED_BYTES } from '../../core/bundle-reader.js';
import type { Env } from '../../core/env.js';
import { pool } from '../../core/pool.js';
import {
  auditedRepository,
  cachedBlob,
  candidateBundle,
  releaseEvidence,
  releaseTags,
  tagsEvidence,
  type BlobCache,
  type TagEvidence,
} from './audit-listing.js';
import { registryClient } from './connect.js';
import { imageEvidence, resolveEvidence } from './evidence-registry.js';
import { formatReference } from './reference.js';
import {
  attempt,
  audited,
  candidateOf,
  chosenMember,
  releaseTagPattern,
  unexamined,
  withoutCandidates,
  type TriedCandidate,
} from '../../verifier/period-members.js';
import type { AuditReport, PeriodMemberInput } from '../../verifier/period.js';
import { releaseGroups } from '../../verifier/release-evidence.js';
import type { Listed, SourceOptions, VerifyOne } from '../audit-source.js';

/**
 * `evidence audit oci://…`: a repository's tags, tags of one version as one
 * release, every candidate verified before the period is drawn (a release is
 * dated by what it signs); listing and downloading through
 * src/transport/oci/audit-listing.ts.
 */
export async function listOci(
  options: SourceOptions,
  env: Env,
  cache: BlobCache,
  verifyOne: VerifyOne,
): Promise<{ source: AuditReport['source']; items: Listed[]; reported: boolean }> {
  const ref = auditedRepository(options.oci as string);
  const pattern = releaseTagPattern(options.tags);
  const client = await registryClient(ref, options.registry ?? {}, env);
  const tags = await releaseTags(client, ref, pattern);
  const source = { type: 'oci' as const, repository: formatReference(ref) };
  const readers = { resolveEvidence, imageEvidence };
  const found = await tagsEvidence(client, ref, tags, options.concurrency ?? 4, readers);
  // Tags of one version (an image's 1.4.2 and its 1.4.2-evidence) are one release. Every candidate is
  // verified before the period is drawn: a release is dated by its signed manifest, never by an annotation.
  const groups = releaseGroups(tags);
  options.onProgress?.(
    `${groups.length} release${groups.length === 1 ? '' : 's'} in ${tags.length} tag${tags.length === 1 ? '' : 's'}; each verified to date it`,
  );
  const members = await pool(groups, options.concurrency ?? 4, async (g, _i, done) => {
    const member = await readOciRelease(g);
    options.onRelease?.(done(), groups.length, member);
    return member;
  });
  async function readOciRelease(g: { id: string; tags: string[] }): Promise<PeriodMemberInput> {
    const label = formatReference({ ...ref, tag: g.id });
    const base = { id: g.id, published: '', url: label, ...(g.tags.length > 1 ? { tags: g.tags } : {}) };
    const { images, candidates, problem } = releaseEvidence(g.tags.map((t) => found.get(t) as TagEvidence));
    if (candidates.length === 0) return withoutCandidates(base, problem);
    const tried: TriedCandidate[] = [];
    for (const c of candidates) {
      const url = formatReference({ ...ref, digest: c.manifestDigest });
      if (await options.known?.(c.layer.digest)) continue;
      const bundle = candidateBundle(c, g.id, url);
      const member: PeriodMemberInput = { ...base, url, sampled: true, evidence: { state: 'found', bundle } };
      const result = await attempt(member, label, async () => {
        const max = options.maxBundleSize ?? DEFAULT_MAX_DECLARED_BYTES;
        const path = await cachedBlob(client, cache, ref.repository, c.layer, max, label);
        const subjects = images.map((i) => ({ file: i.reference, digest: i.digest }));
        const verified = await verifyOne(
          { bundle: path, location: url, ...(images.length ? { subjectDigests: subjects } : {}) },
          '',
        );
        return { ...verified, expectedDigest: c.layer.digest };
      });
      tried.push(candidateOf(result, url, label, audited(g.tags, options)));
    }
    return tried.length > 0 ? chosenMember(tried) : withoutCandidates(base, undefined);
  }
  // Outside the sample, a release is listed, never judged: what was verified to date it is dropped.
  const items = members.map((m): Listed => ({
    id: m.id,
    published: m.published,
    ...(m.url ? { url: m.url } : {}),
    read: (examine) => Promise.resolve(examine ? m : unexamined(m)),
  }));
  return { source, items, reported: true };
}
