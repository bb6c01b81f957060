import { EVIDENCE_PREDICATE_TYPE } from '../core/predicate.js';
import type { Check } from './report.js';
import {
  RELEASE_PREDICATE_TYPE,
  TEST_RESULT_PREDICATE_TYPE,
  VSA_PREDICATE_TYPE,
} from '../formats/standard-statements.js';

/**
 * What a verified statement's predicate says of itself, for `verify-attestation`. A signature that verifies and a
 * subject that matches say who stated something about the artifact, not what: a SLSA VSA whose verificationResult is
 * FAILED is as well signed as one that PASSED, and a bundle's evidence statement names its release, which need not be
 * the one the artifact was shipped as. So the predicate types whose claims a release gate acts on are read here, and
 * for every other type the report says its predicate was not read.
 */
export interface PredicateReading {
  /** False only when the predicate itself says the verification it summarises did not pass (a VSA not PASSED). */
  ok: boolean;
  /** Set exactly when ok is false. */
  code?: 'VSA_NOT_PASSED';
  /** What it states, in words (or that it was not read). */
  says: string;
  /** The release it is evidence of (the evidence predicate), when it names one. */
  release?: { name: string; version: string; manifestDigest?: string };
}

const VSA_PREFIX = 'https://slsa.dev/verification_summary/';

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/**
 * The failed check of a statement whose predicate says the verification it summarises did not pass (a VSA not
 * PASSED), or undefined: one rule for a single bundle and for each line of a `.jsonl`. `where` prefixes the message.
 */
export function predicateFailure(reading: PredicateReading, where = ''): Check | undefined {
  return reading.code && { id: 'predicate', ok: false, code: reading.code, message: `${where}${reading.says}` };
}

/** The predicate of a statement whose signature verified, as a gate would read it. */
export function readPredicate(predicateType: string, predicate: unknown): PredicateReading {
  const p = record(predicate) ?? {};
  // Every version of the SLSA VSA (v0.1 and v0.2 spell its result verification_result): a gate reads any of them.
  if (predicateType === VSA_PREDICATE_TYPE || predicateType.startsWith(VSA_PREFIX)) {
    const result = p.verificationResult ?? p.verification_result;
    const verifier = text(record(p.verifier)?.id) ?? 'a verifier it does not name';
    const policy = record(p.policy);
    const against = text(policy?.uri) ?? text(policy?.name) ?? 'a policy it does not name';
    const levels = Array.isArray(p.verifiedLevels) ? p.verifiedLevels.filter((l) => typeof l === 'string') : [];
    const what = `${text(p.resourceUri) ?? 'its subject'} against ${against}, by ${verifier}${text(p.timeVerified) ? ` at ${p.timeVerified as string}` : ''}`;
    if (result === 'PASSED')
      return { ok: true, says: `the VSA says PASSED: ${what}${levels.length ? ` (${levels.join(', ')})` : ''}` };
    return {
      ok: false,
      code: 'VSA_NOT_PASSED',
      says: `the VSA says ${typeof result === 'string' ? JSON.stringify(result).slice(0, 40) : 'no verificationResult'}, not PASSED: ${what}`,
    };
  }
  if (predicateType === EVIDENCE_PREDICATE_TYPE) {
    const b = record(p.bundle);
    const name = text(b?.name);
    const version = text(b?.version);
    if (name && version) {
      const manifestDigest = text(b?.manifestDigest);
      return {
        ok: true,
        says: `it is the evidence of ${name} ${version}${manifestDigest ? ` (manifest ${manifestDigest})` : ''}`,
        release: { name, version, ...(manifestDigest ? { manifestDigest } : {}) },
      };
    }
    return { ok: true, says: 'it names no release (no bundle name and version in its predicate)' };
  }
  if (predicateType === RELEASE_PREDICATE_TYPE) {
    const named = text(p.purl) ?? text(p.releaseId);
    return { ok: true, says: named ? `it is the release ${named}` : 'it names no release (no purl or releaseId)' };
  }
  if (predicateType === TEST_RESULT_PREDICATE_TYPE) {
    const result = text(p.result);
    return {
      ok: true,
      says: result ? `the test result it states is ${result.slice(0, 40)}` : 'it states no test result',
    };
  }
  return { ok: true, says: 'its predicate was not read: what it states is not checked' };
}
