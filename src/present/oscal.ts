import { createHash } from 'node:crypto';
import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import {
  OSCAL_VERSION,
  validateOscalAssessmentResults,
  type OscalAssessmentResultsDocument,
} from '../formats/oscal.js';
import { summarizePeriod, type AuditReport, type PeriodMember, type PeriodMemberInput } from '../verifier/period.js';
import type { VerifyReport } from '../verifier/report.js';
import { releaseDate } from '../verifier/period-members.js';
import type { Manifest } from '../core/manifest.js';
import { endBound, startBound } from '../core/time.js';
import type { LoadedPolicy } from '../verifier/policy/evaluate.js';
import { lookupControl } from '../verifier/controls/index.js';
import { FormatError } from '../formats/errors.js';
import { yesNo } from './audit-changes.js';
import { periodSourceLine, standingWords } from './audit.js';

/**
 * An audit (of a period, or of one release) as an OSCAL 1.1.3 Assessment
 * Results document (docs/audit.md, "OSCAL"):
 * - one result for the period, reviewing every control the policy cites;
 * - one observation per examined release, its relevant evidence pointing at
 *   back-matter resources that name the bundle, its attestation and the
 *   blobs of the evidence kinds the controls read, each by SHA-256 (and the
 *   release's URL where known);
 * - one finding per control: satisfied only when it held in every examined
 *   release; otherwise not satisfied, with the risk that leaves;
 * - the policy as the assessment plan (import-ap points at its resource).
 * UUIDs are name-based (v5) from what they stand for, so the same audit
 * gives the same document. Every document is checked against the schema
 * (src/formats/oscal.ts) before it is returned.
 */

const NS = 'https://github.com/evidence-bundle/evidence/ns/oscal';
const UUID_NAMESPACE = 'c8f4b1de-5a0b-4c89-9f3e-2d6a1e7b9c40';

/** RFC 4122 name-based UUID, version 5 (SHA-1), from a namespace UUID and a name. */
export function uuidV5(name: string, namespace: string = UUID_NAMESPACE): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** An OSCAL token from a control id (letters, digits, `.`, `-`, `_`; not starting with a digit or punctuation). */
export function controlToken(id: string): string {
  const t = id.replace(/[^\p{L}\p{N}._-]/gu, '_');
  return /^[\p{L}_]/u.test(t) ? t : `_${t}`;
}

/** A period's end as OSCAL states it: a date from the start of its day, or to its end (core/time.ts), UTC. */
const instant = (s: string, end: boolean): string =>
  new Date((end ? endBound(s) : startBound(s)) ?? Number.NaN).toISOString();
const hex = (digest: string): string | undefined =>
  /^sha256:[0-9a-f]{64}$/.test(digest) ? digest.slice(7) : undefined;
/** A value OSCAL's string type takes: no leading or trailing white space, not empty, no controls. */
const oscalString = (value: string): string =>
  // eslint-disable-next-line no-control-regex -- control characters are what OSCAL strings may not hold
  value.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').trim() || '-';
const prop = (name: string, value: string): { name: string; value: string; ns: string } => ({
  name,
  value: oscalString(value),
  ns: NS,
});

type Doc = OscalAssessmentResultsDocument;
type Resource = NonNullable<NonNullable<Doc['assessment-results']['back-matter']>['resources']>[number];
type Observation = NonNullable<Doc['assessment-results']['results'][number]['observations']>[number];
type Finding = NonNullable<Doc['assessment-results']['results'][number]['findings']>[number];
type Risk = NonNullable<Doc['assessment-results']['results'][number]['risks']>[number];

export function oscalAssessmentResults(report: AuditReport): Doc {
  const s = report.summary;
  const seed = `${periodSourceLine(report)}|${s.period.since}|${s.period.until}|${report.generatedAt}|${report.policy?.digest ?? ''}`;
  const id = (what: string): string => uuidV5(`${seed}|${what}`);
  const resources: Resource[] = [];
  const resource = (
    key: string,
    title: string,
    href: string | undefined,
    sha256: string | undefined,
    mediaType?: string,
    description?: string,
  ): string => {
    const uuid = id(`resource|${key}`);
    if (!resources.some((r) => r.uuid === uuid)) {
      resources.push({
        uuid,
        title,
        ...(description ? { description } : {}),
        ...(href || sha256
          ? {
              rlinks: [
                {
                  href: href ?? `urn:sha256:${sha256}`,
                  ...(mediaType && oscalString(mediaType) === mediaType ? { 'media-type': mediaType } : {}),
                  ...(sha256 ? { hashes: [{ algorithm: 'SHA-256', value: sha256 }] } : {}),
                },
              ],
            }
          : {}),
      });
    }
    return uuid;
  };

  const planUuid = report.policy
    ? resource(
        'policy',
        `Evidence policy ${report.policy.path}`,
        encodeURI(report.policy.path.replace(/\\/g, '/')),
        hex(report.policy.digest),
        'application/yaml',
        'The assessment plan: the evidence policy every release was held to (its requirements, rules, cross-checks and the controls each evidences).',
      )
    : resource(
        'no-policy',
        'No policy: authenticity only',
        undefined,
        undefined,
        undefined,
        'No evidence policy was given; releases were checked for integrity, signature and signer only.',
      );

  const controlKinds = new Set(s.controls.flatMap((c) => c.kinds));
  const examined = s.members.filter((m) => m.sampled);
  const observations: Observation[] = examined.map((m) =>
    observationOf(m, id, resource, controlKinds, report.generatedAt),
  );
  const obsUuid = new Map(examined.map((m, i) => [m.id, (observations[i] as Observation).uuid]));
  // The CC8.1 sample: one observation per sampled change, pointing at its release's change evidence.
  for (const c of s.changeSample?.sampled ?? []) {
    const m = examined.find((x) => x.id === c.release);
    const blobs = (m?.entries ?? []).filter((e) => e.kind === 'changes' && hex(e.digest));
    const facts = `approved by another: ${yesNo(c.approvedByOther)}; by other than the head's committer: ${yesNo(c.approvedByOtherThanCommitter)}; on the merged head: ${yesNo(c.approvedOnMergedHead)}; before the merge: ${yesNo(c.approvedBeforeMerge)}; required checks passed: ${yesNo(c.checksPassed)}; pushed directly: ${yesNo(c.directPush)}; emergency: ${c.emergency ? 'yes' : 'no'}; signatures verified by git: ${c.signed ? 'yes' : 'no'}, by GitHub: ${yesNo(c.hostVerified)}`;
    observations.push({
      uuid: id(`change|${c.release}|${c.commit}`),
      title: `Change ${c.commit.slice(0, 12)} of ${c.release}: ${c.standing}`,
      description: `${c.title} (${c.pullRequest === null ? 'no pull request' : `pull request #${c.pullRequest}`}, commit ${c.commit}). ${facts}.${c.approvers.length ? ` Approved by ${c.approvers.join(', ')}.` : ''}${c.hostChecked ? '' : ' Recorded from git alone: approvals and checks were not checked.'}`,
      props: [
        prop('release', c.release),
        prop('commit', c.commit),
        prop('change-standing', c.standing),
        ...(c.pullRequest === null ? [] : [prop('pull-request', String(c.pullRequest))]),
      ],
      methods: ['EXAMINE'],
      types: ['finding'],
      ...(blobs.length
        ? {
            'relevant-evidence': blobs.map((e) => ({
              href: `#${resource(`blob|${e.digest}`, `${e.kind} blob ${e.path}`, `blobs/sha256/${hex(e.digest) as string}`, hex(e.digest), e.mediaType)}`,
              description: `${c.release}: the change evidence ${e.path}, ${e.digest}`,
            })),
          }
        : {}),
      collected: report.generatedAt,
    });
  }

  const risks: Risk[] = [];
  const findings: Finding[] = s.controls.map((c) => {
    // A release whose policy held on no evidence shows nothing of any control, whatever a waiver made of it.
    const showedNothing = examined.filter((m) => m.status === 'shows-nothing').map((m) => m.id);
    // Satisfied only where everything the control needs was shown in every examined release.
    const satisfied =
      c.failed === 0 &&
      c.notEvaluated === 0 &&
      c.partlyShown === 0 &&
      c.notShown === 0 &&
      showedNothing.length === 0 &&
      c.held + c.waived > 0;
    const token = controlToken(c.id);
    const found = lookupControl(c.id);
    const unshown = new Set([...c.missing.flatMap((x) => x.releases), ...showedNothing]);
    const failing = examined.filter(
      (m) =>
        c.failedIn.includes(m.id) ||
        unshown.has(m.id) ||
        m.status === 'not-authentic' ||
        m.status === 'unsigned' ||
        m.status === 'missing' ||
        m.status === 'unavailable',
    );
    const missing = c.missing.map((x) => `${x.what} (in ${x.releases.join(', ')})`);
    const reason = satisfied
      ? `held in all ${examined.length} examined releases${c.waived ? ` (${c.waived} by a waiver)` : ''}`
      : `held in ${c.held + c.waived} of ${examined.length} examined releases; partly shown in ${c.partlyShown}; not shown (no evidence) in ${c.notShown}; failed in ${c.failed}${c.failedIn.length ? ` (${c.failedIn.join(', ')})` : ''}; not evaluated in ${c.notEvaluated} (no authentic evidence of their own)${showedNothing.length ? `; the policy held but showed nothing in ${showedNothing.join(', ')}` : ''}${missing.length ? `. Missing: ${missing.join('; ')}` : ''}`;
    let riskUuid: string | undefined;
    if (!satisfied) {
      riskUuid = id(`risk|${c.id}`);
      risks.push({
        uuid: riskUuid,
        title: `${c.id} not shown to hold across the period`,
        description: `${c.title ?? c.id}: ${reason}.`,
        statement: `Releases ${failing.map((m) => m.id).join(', ') || '(none examined)'} carry no evidence that ${c.id} held; the changes they carry are not shown to have met ${c.citations.map((x) => `${x.type} ${x.name}`).join(', ')}${missing.length ? `, and this evidence was missing: ${missing.join('; ')}` : ''}.`,
        status: 'open',
        ...(failing.length
          ? {
              'related-observations': failing.flatMap((m) =>
                obsUuid.has(m.id) ? [{ 'observation-uuid': obsUuid.get(m.id) as string }] : [],
              ),
            }
          : {}),
      });
      if ((risks.at(-1) as Risk)['related-observations']?.length === 0)
        delete (risks.at(-1) as Record<string, unknown>)['related-observations'];
    }
    const related = examined.flatMap((m) =>
      obsUuid.has(m.id) ? [{ 'observation-uuid': obsUuid.get(m.id) as string }] : [],
    );
    return {
      uuid: id(`finding|${c.id}`),
      title: `${c.id}${c.title ? `: ${c.title}` : ''}`,
      description: `${c.id} is evidenced by ${c.citations.map((x) => `${x.type} ${x.name}`).join(', ')} (evidence kinds: ${c.kinds.join(', ') || 'none'}); ${reason}.`,
      props: [
        prop('held', String(c.held)),
        prop('waived', String(c.waived)),
        prop('partly-shown', String(c.partlyShown)),
        prop('not-shown', String(c.notShown)),
        prop('failed', String(c.failed)),
        prop('not-evaluated', String(c.notEvaluated)),
        ...(showedNothing.length ? [prop('policy-showed-nothing', String(showedNothing.length))] : []),
        ...(found.catalog ? [prop('catalog', found.catalog.id)] : []),
      ],
      // OSCAL's reasons: `fail` when evidence showed a failure, `other` when it was not shown.
      target: {
        type: 'objective-id',
        'target-id': token,
        status: {
          state: satisfied ? 'satisfied' : 'not-satisfied',
          ...(satisfied ? {} : { reason: c.failed > 0 ? 'fail' : 'other' }),
        },
      },
      ...(related.length ? { 'related-observations': related } : {}),
      ...(riskUuid ? { 'related-risks': [{ 'risk-uuid': riskUuid }] } : {}),
    };
  });

  const controls = s.controls.map((c) => ({ 'control-id': controlToken(c.id) }));
  const doc = {
    'assessment-results': {
      uuid: id('document'),
      metadata: {
        title: `Evidence audit: ${periodSourceLine(report)}, ${s.period.since} to ${s.period.until}`,
        'last-modified': report.generatedAt,
        version: '1',
        'oscal-version': OSCAL_VERSION,
        props: [
          prop('generator', `${PACKAGE_NAME} ${PACKAGE_VERSION}`),
          prop('verdict', s.verdict),
          prop('population', String(s.counts.population)),
          prop('examined', String(s.counts.examined)),
        ],
      },
      'import-ap': {
        href: `#${planUuid}`,
        remarks: 'No separate OSCAL assessment plan: the plan is the evidence policy in back-matter.',
      },
      results: [
        {
          uuid: id('result'),
          title: `Releases of ${periodSourceLine(report)} from ${s.period.since} to ${s.period.until}`,
          description: `${s.counts.population} releases in the period, ${s.counts.examined} examined${s.sample ? ` (a sample of ${s.sample.size} drawn with seed "${s.sample.seed}": ${s.sample.method})` : ''}. Each was verified offline: integrity, signature, signer${report.policy ? ', then the policy' : ''}.`,
          start: instant(s.period.since, false),
          end: instant(s.period.until, true),
          'reviewed-controls': {
            'control-selections': [controls.length ? { 'include-controls': controls } : { 'include-all': {} }],
          },
          ...(observations.length ? { observations } : {}),
          ...(risks.length ? { risks } : {}),
          ...(findings.length ? { findings } : {}),
        },
      ],
      ...(resources.length ? { 'back-matter': { resources } } : {}),
    },
  } as Doc;
  const checked = validateOscalAssessmentResults(doc);
  if (!checked.ok)
    throw new FormatError(
      'OSCAL_INVALID',
      `the OSCAL document written does not validate: ${checked.issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}`,
      { file: 'assessment-results.json', issues: checked.issues },
    );
  return doc;
}

function observationOf(
  m: PeriodMember,
  id: (what: string) => string,
  resource: (
    key: string,
    title: string,
    href: string | undefined,
    sha256: string | undefined,
    mediaType?: string,
    description?: string,
  ) => string,
  kinds: Set<string>,
  collected: string,
): Observation {
  const evidence: { href: string; description: string }[] = [];
  const b = m.evidence.bundle;
  const bundleHex = b ? hex(b.digest) : undefined;
  if (b)
    evidence.push({
      href: `#${resource(`bundle|${m.id}|${b.digest}`, `${m.id}: evidence bundle ${b.name}`, b.url, bundleHex, 'application/gzip')}`,
      description: `The evidence bundle of ${m.id}, ${b.digest || 'digest not listed'}`,
    });
  const a = m.evidence.attestation;
  if (a)
    evidence.push({
      href: `#${resource(`attestation|${m.id}|${a.digest}`, `${m.id}: Sigstore bundle ${a.name}`, a.url, hex(a.digest), 'application/vnd.dev.sigstore.bundle.v0.3+json')}`,
      description: `The Sigstore bundle (attestation) of ${m.id}, ${a.digest || 'digest not listed'}`,
    });
  else if (m.report?.signature && bundleHex)
    evidence.push({
      href: `#${resource(`embedded|${m.id}`, `${m.id}: attestation inside the bundle`, undefined, bundleHex, undefined, "The Sigstore bundle kept in the evidence bundle's attestations member (bundle-format §1.3), covered by the bundle's digest.")}`,
      description: `The attestation inside the evidence bundle of ${m.id}`,
    });
  for (const e of m.entries ?? []) {
    if (!kinds.has(e.kind)) continue;
    const blob = hex(e.digest);
    if (!blob) continue;
    evidence.push({
      href: `#${resource(`blob|${e.digest}`, `${e.kind} blob ${e.path}`, `blobs/sha256/${blob}`, blob, e.mediaType)}`,
      description: `${m.id}: ${e.kind} ${e.path}, ${e.digest}`,
    });
  }
  if (m.url) evidence.push({ href: m.url, description: `The release ${m.id} where it was published` });
  const a3 = m.report?.assessment;
  return {
    uuid: id(`observation|${m.id}`),
    title: `Release ${m.id}: ${standingWords(m)}`,
    description: `${m.id}, ${m.dated === 'signer' ? "dated by its signer's own created time" : m.dated === 'timestamp' ? 'signed (a verified timestamp)' : 'published'} ${m.published || '(undated)'}: ${m.reason}.${a3 ? ` Authentic: ${a3.authenticity.summary}. Policy: ${a3.policy.summary}. Evidence: ${a3.evidence.summary}.` : ''}`,
    props: [
      prop('release', m.id),
      prop('standing', m.status),
      ...(a3
        ? [
            prop('authenticity', a3.authenticity.status),
            prop('policy', a3.policy.status),
            ...(a3.policy.shows ? [prop('policy-shows', a3.policy.shows)] : []),
            prop('evidence', a3.evidence.status),
          ]
        : []),
    ],
    methods: ['TEST'],
    types: ['finding'],
    ...(evidence.length ? { 'relevant-evidence': evidence } : {}),
    collected,
  };
}

/**
 * One release as an audit of itself: the period is the bundle's creation
 * instant, the population that one bundle, its controls from the policy.
 */
export function oscalForRelease(input: {
  report: VerifyReport & { bundle: { path?: string } };
  manifest?: Manifest;
  policy?: LoadedPolicy;
  generatedAt: string;
}): Doc {
  const { report, manifest } = input;
  const created = manifest?.created ?? input.generatedAt;
  const path = report.bundle.path ?? report.bundle.name ?? 'bundle';
  // Dated as an audit dates a release: by what vouches for the time; a bundle that is not authentic is undated.
  const dated = manifest ? releaseDate({ report, manifest }) : undefined;
  const member: PeriodMemberInput = {
    id: manifest ? `${manifest.name}@${manifest.version}` : path,
    published: dated?.at ?? '',
    ...(dated ? { dated: dated.by } : {}),
    sampled: true,
    evidence: {
      state: 'found',
      ...(report.bundle.digest
        ? { bundle: { name: path, digest: report.bundle.digest, size: report.bundle.size } }
        : {}),
    },
    report,
    // Only an authentic bundle's entries are evidence.
    ...(manifest && report.assessment?.authenticity.status === 'authentic' ? { entries: manifest.entries } : {}),
  };
  // Its period is the release's date as the observation gives it; an undated (not authentic) one, the bundle's claim.
  const at = dated?.at ?? created;
  const summary = summarizePeriod({
    since: at,
    until: at,
    members: [member],
    ...(input.policy ? { policy: input.policy } : {}),
  });
  return oscalAssessmentResults({
    kind: 'evidence-audit',
    version: 1,
    source: { type: 'file', path },
    generatedAt: input.generatedAt,
    ...(input.policy ? { policy: { path: input.policy.path, digest: input.policy.digest } } : {}),
    identity: {},
    summary,
  });
}
