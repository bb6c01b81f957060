import { canonicalBytes } from '../core/canonical-json.js';
import { sha256Hex } from '../core/digest.js';
import type { Manifest } from '../core/manifest.js';
import {
  EVIDENCE_PREDICATE_TYPE,
  MANIFEST_SUBJECT_NAME,
  type CiContext,
  type EvidencePredicate,
  type SigningContext,
} from '../core/predicate.js';
import { IN_TOTO_STATEMENT_V1, releaseSubjects, type Statement } from '../formats/intoto.js';

/**
 * The in-toto Statement v1 that signs a bundle. Its subjects are the exact
 * bytes of manifest.json and every release subject, so a consumer holding an
 * artifact can check that this attestation covers it; the predicate repeats
 * what the manifest says about each entry for readers of the attestation alone.
 */
export function toStatement(
  manifest: Manifest,
  manifestBytes: Uint8Array,
  ci?: CiContext,
  signing?: SigningContext,
): Statement {
  const manifestHex = sha256Hex(manifestBytes);
  const predicate: EvidencePredicate = {
    bundle: {
      name: manifest.name,
      version: manifest.version,
      created: manifest.created,
      manifestDigest: `sha256:${manifestHex}`,
    },
    source: manifest.source,
    entries: manifest.entries.map((e) => ({ path: e.path, kind: e.kind, digest: e.digest, summary: e.summary })),
    ...(ci ? { ci } : {}),
    ...(signing ? { signing } : {}),
  };
  return {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [
      // Members in canonical order (digest, then name), so that canonical JSON writes them without a sorted copy of
      // each: a release of 100,000 subjects.
      { digest: { sha256: manifestHex }, name: MANIFEST_SUBJECT_NAME },
      ...releaseSubjects(manifest.subjects),
    ],
    predicateType: EVIDENCE_PREDICATE_TYPE,
    predicate,
  };
}

/** The DSSE payload: the statement as canonical JSON, so signing is reproducible. */
export function statementBytes(statement: Statement): Buffer {
  return canonicalBytes(statement);
}

/** The CI run that signs, from its environment (GitHub Actions, GitLab CI). */
export function ciContext(env: Record<string, string | undefined>): CiContext | undefined {
  if (env.GITHUB_ACTIONS === 'true') {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    return strip({
      provider: 'github-actions',
      runUrl:
        env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID
          ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
          : undefined,
      workflowRef: env.GITHUB_WORKFLOW_REF,
      eventName: env.GITHUB_EVENT_NAME,
      runnerEnvironment: env.RUNNER_ENVIRONMENT,
      runAttempt: env.GITHUB_RUN_ATTEMPT,
    });
  }
  if (env.GITLAB_CI === 'true') {
    return strip({
      provider: 'gitlab-ci',
      runUrl: env.CI_PIPELINE_URL ?? env.CI_JOB_URL,
      eventName: env.CI_PIPELINE_SOURCE,
    });
  }
  return undefined;
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
