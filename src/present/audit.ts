import { appendAll, maxOf } from '../core/objects.js';
import type { AuditReport, MemberStatus, PeriodMember, PeriodSummary } from '../verifier/period.js';
import { isReleaseMismatchCode } from '../verifier/release-evidence.js';
import { code, table, mdText as md } from './markdown.js';
import { CHANGE_HEAD, changeRow, changeSampleLine, changeSampleText } from './audit-changes.js';
import { escapeValue } from './terminal.js';

/**
 * The period report as text and Markdown (docs/audit.md). The three answers
 * stay apart for every release: authentic (and how checked), policy, and
 * what the evidence says; the population's standing is never a plain pass
 * when a release was not examined, not authentic or missing.
 */

export const STATUS_WORDS: Record<MemberStatus, string> = {
  holds: 'holds',
  'shows-nothing': 'POLICY SHOWS NOTHING',
  'policy-failed': 'POLICY FAILED',
  'not-authentic': 'NOT AUTHENTIC',
  unsigned: 'UNSIGNED',
  missing: 'NO EVIDENCE',
  unavailable: 'UNAVAILABLE',
  'not-examined': 'not examined',
};

/**
 * A release's standing as words. A bundle whose signature verified but which is not this release's evidence (another
 * release's, or one that does not cover its image) stands as `not-authentic` in the figures, and is named for what it
 * is: calling it NOT AUTHENTIC beside an answer that says its signature verified would say more than was found.
 */
export function standingWords(m: Pick<PeriodMember, 'status' | 'report' | 'evidence'>): string {
  return foreignEvidence(m) ? STANDING_WORDS.foreign : STATUS_WORDS[m.status];
}

/** A standing as the tables name it: a status, or `foreign` (another release's authentic evidence). */
type Standing = MemberStatus | 'foreign';

const STANDING_WORDS: Record<Standing, string> = { ...STATUS_WORDS, foreign: "NOT THIS RELEASE'S EVIDENCE" };

/** The counts line's words for each standing. */
const STANDING_PHRASES: Record<Standing, string> = {
  holds: 'hold',
  'shows-nothing': 'whose policy held but showed nothing',
  'policy-failed': 'failed the policy',
  'not-authentic': 'not authentic',
  foreign: "with another release's evidence",
  unsigned: 'unsigned',
  missing: 'without evidence',
  unavailable: 'unavailable',
  'not-examined': 'not examined (outside the sample)',
};

/**
 * Whether a release stands as `not-authentic` only because its bundle, whose signature verified, is shown to be
 * another release's evidence or not to cover its image: the release, product or repository it names is not this one
 * (RELEASE_, PRODUCT_, REPOSITORY_MISMATCH, or fetch's release checks), or its subjects miss the image. Bytes other
 * than the ones the source listed (BUNDLE_DIGEST_MISMATCH) say nothing about whose evidence they are: NOT AUTHENTIC.
 */
export function foreignEvidence(m: Pick<PeriodMember, 'status' | 'report' | 'evidence'>): boolean {
  const a = m.report?.assessment;
  if (m.status !== 'not-authentic' || a?.authenticity.status !== 'authentic') return false;
  if (m.evidence.conflict) return isReleaseMismatchCode(m.evidence.code);
  return a.release !== undefined || a.coverage?.status === 'not-covered';
}

/** The period's releases by standing, in STATUS_WORDS' order, another release's evidence counted apart. */
function standingTally(s: Pick<PeriodSummary, 'counts' | 'members'>): [Standing, number][] {
  const foreign = s.members.filter(foreignEvidence).length;
  return (Object.keys(STATUS_WORDS) as MemberStatus[]).flatMap((k): [Standing, number][] =>
    k === 'not-authentic'
      ? [
          [k, s.counts[k] - foreign],
          ['foreign', foreign],
        ]
      : [[k, s.counts[k]]],
  );
}

/** The standings with releases, as the tables name them. */
export function standingCounts(s: Pick<PeriodSummary, 'counts' | 'members'>): [string, number][] {
  return standingTally(s).flatMap(([k, n]): [string, number][] => (n > 0 ? [[STANDING_WORDS[k], n]] : []));
}

export const VERDICT_WORDS: Record<PeriodSummary['verdict'], string> = {
  holds: 'EVERY RELEASE HOLDS',
  'shows-nothing': 'POLICY SHOWS NOTHING',
  'not-authentic': 'RELEASES WITHOUT AUTHENTIC EVIDENCE',
  incomplete: 'AUDIT INCOMPLETE',
  'policy-failed': 'POLICY FAILED',
  empty: 'NO RELEASES IN THE PERIOD',
};

/**
 * The headline: a sample that holds is never called the whole population holding, and without a policy nothing but
 * authenticity was held to: every release is then called authentic, not holding. A policy that held on no evidence in
 * some release is said so, with how many: never EVERY RELEASE HOLDS.
 */
export function verdictWords(r: Pick<AuditReport, 'summary' | 'policy'>): string {
  const s = r.summary;
  if (s.verdict === 'shows-nothing') {
    const n = s.counts['shows-nothing'];
    return `${VERDICT_WORDS['shows-nothing']} FOR ${n} OF ${s.counts.examined} ${s.counts['not-examined'] > 0 ? 'EXAMINED ' : ''}RELEASE${s.counts.examined === 1 ? '' : 'S'}`;
  }
  const held = r.policy ? 'HOLDS' : 'IS AUTHENTIC (NO POLICY APPLIED)';
  // Releases that held with some checks reading no evidence are said with the pass, never folded into it.
  const partly = s.counts.partlyShown > 0 ? `${s.counts.partlyShown} PARTLY SHOWN: SOME CHECKS READ NO EVIDENCE` : '';
  if (s.verdict === 'holds' && s.counts['not-examined'] > 0)
    return `EVERY EXAMINED RELEASE ${held} (${s.counts.examined} of ${s.counts.population}, a sample${partly ? `; ${partly}` : ''})`;
  return s.verdict === 'holds' ? `EVERY RELEASE ${held}${partly ? ` (${partly})` : ''}` : VERDICT_WORDS[s.verdict];
}

export function periodSourceLine(r: AuditReport): string {
  const s = r.source;
  return s.type === 'github'
    ? `GitHub releases of ${s.repository}`
    : s.type === 'oci'
      ? `tags of ${s.repository}`
      : s.path;
}

/** The answers for one release, as words. */
export function answers(m: PeriodMember): { authentic: string; policy: string; evidence: string } {
  const a = m.report?.assessment;
  if (!m.sampled) return { authentic: '–', policy: '–', evidence: '–' };
  const authentic =
    m.status === 'unsigned'
      ? 'unsigned'
      : m.status === 'missing'
        ? 'no evidence'
        : m.status === 'unavailable'
          ? 'unavailable'
          : !a
            ? 'not authentic'
            : a.authenticity.status === 'authentic'
              ? `authentic (${a.authenticity.method})`
              : a.authenticity.status === 'not-checked'
                ? 'not checked'
                : 'NOT AUTHENTIC';
  const policy = !a
    ? 'not evaluated'
    : a.policy.status === 'satisfied'
      ? a.policy.shows === 'nothing'
        ? 'holds, shows nothing'
        : a.policy.shows === 'partial'
          ? 'holds, partly shown'
          : 'holds'
      : a.policy.status === 'failed'
        ? 'FAILED'
        : 'not evaluated';
  const evidence = !a
    ? 'unknown'
    : a.evidence.status === 'clean'
      ? 'clean'
      : a.evidence.status === 'nothing-to-judge'
        ? 'nothing to judge'
        : a.evidence.status === 'concerns'
          ? `${a.evidence.findings.length} concern${a.evidence.findings.length === 1 ? '' : 's'}${a.evidence.unverified ? ' (unverified)' : ''}`
          : 'unknown';
  return { authentic, policy, evidence };
}

const day = (iso: string): string => (iso ? iso.slice(0, 10) : 'undated');

function countsLine(s: Pick<PeriodSummary, 'counts' | 'members'>): string {
  // Every standing with releases; how many hold is said even when none does.
  return standingTally(s)
    .filter(([k, n]) => n > 0 || k === 'holds')
    .map(
      ([k, n]) =>
        `${n} ${STANDING_PHRASES[k]}${k === 'holds' && s.counts.partlyShown > 0 ? ` (${s.counts.partlyShown} of them partly shown: some checks read no evidence)` : ''}`,
    )
    .join(', ');
}

const fmt = (v: number | null, digits = 0): string => (v === null ? '–' : v.toFixed(digits));
const hours = (s: number | null): string => (s === null ? '–' : `${(s / 3600).toFixed(1)} h`);
const pct = (v: number | null): string => (v === null ? '–' : `${(v * 100).toFixed(0)}%`);

/**
 * A release's date as the tables show it: a date the signer alone vouches for (its manifest's `created`, no timestamp
 * verified) is marked, since it places the release in the period and dates its waivers.
 */
function dated(m: PeriodMember): string {
  return m.dated === 'signer' && m.published ? `${day(m.published)} (signer)` : day(m.published);
}

const SIGNER_DATED =
  "(signer): dated by the bundle's own created time, which its signer wrote; no timestamp or log time vouches for it";

export function formatAuditText(r: AuditReport): string {
  const s = r.summary;
  // Lines are built from untrusted values (tags, reasons, control titles from a policy): each line is escaped whole.
  const out: string[] = [];
  out.push(`${verdictWords(r)}: ${periodSourceLine(r)}, ${s.period.since} … ${s.period.until}`);
  out.push(
    `population: ${s.counts.population} release${s.counts.population === 1 ? '' : 's'}; examined ${s.counts.examined}${s.sample ? ` (sample of ${s.sample.size}, seed ${JSON.stringify(s.sample.seed)}: ${s.sample.method})` : ''}`,
  );
  if (s.product) out.push(`product: ${productLine(s.product)}`);
  out.push(`standing: ${countsLine(s)}`);
  out.push(`policy: ${r.policy ? `${r.policy.path} (${r.policy.digest})` : 'none given: authenticity only'}`);
  out.push('');
  const rows = s.members.map((m) => {
    const a = answers(m);
    return [m.id, dated(m), standingWords(m), a.authentic, a.policy, a.evidence];
  });
  const head = ['RELEASE', 'PUBLISHED', 'STANDING', 'AUTHENTIC', 'POLICY', 'EVIDENCE'];
  const widths = head.map((h, i) => maxOf([h.length, ...rows.map((row) => (row[i] as string).length)]));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  appendAll(out, [line(head), ...rows.map(line)]);
  if (s.members.some((m) => m.dated === 'signer')) out.push(SIGNER_DATED);
  const why = s.members.filter((m) => m.status !== 'holds' && m.status !== 'not-examined');
  if (why.length) {
    out.push('', 'why:');
    for (const m of why) out.push(`  ${m.id}: ${m.reason}`);
  }
  if (s.controls.length) {
    out.push('', `controls (over ${s.counts.examined} examined release${s.counts.examined === 1 ? '' : 's'}):`);
    for (const c of s.controls) {
      out.push(`  ${c.id}${c.title ? ` — ${c.title}` : ''}`);
      out.push(
        `    ${controlTally(c)}; evidence: ${c.kinds.join(', ') || 'none named'}; by ${c.citations.map((x) => `${x.type} ${x.name}`).join(', ')}`,
      );
      for (const m of c.missing) out.push(`    missing: ${m.what} (in ${m.releases.join(', ')})`);
    }
  }
  if (s.waivers.length) {
    out.push('', 'waivers:');
    for (const w of s.waivers) {
      out.push(`  ${w.rule} until ${w.expires}${w.expiredInPeriod ? ' (EXPIRED inside the period)' : ''}: ${w.reason}`);
      out.push(
        `    waived a failure in ${w.waivedIn.length ? w.waivedIn.join(', ') : 'no release'}${w.failedAfterExpiryIn.length ? `; failed after it expired in ${w.failedAfterExpiryIn.join(', ')}` : ''}`,
      );
    }
  }
  if (s.changeSample) appendAll(out, changeSampleText(s.changeSample));
  if (s.trends.length) {
    out.push('', 'trends:');
    const trows = s.trends.map((t) => [
      t.id + (t.unverified ? '*' : ''),
      day(t.published),
      fmt(t.tests),
      fmt(t.testsFailed),
      fmt(t.findingsCritical),
      fmt(t.findingsHigh),
      fmt(t.deploymentsPerDay, 2),
      hours(t.leadTimeMedianSeconds),
      pct(t.changeFailureRate),
      pct(t.sloBudgetRemaining),
    ]);
    const th = [
      'RELEASE',
      'PUBLISHED',
      'TESTS',
      'FAILED',
      'CRITICAL',
      'HIGH',
      'DEPLOYS/DAY',
      'LEAD TIME',
      'CFR',
      'SLO BUDGET',
    ];
    const tw = th.map((h, i) => maxOf([h.length, ...trows.map((row) => (row[i] as string).length)]));
    const tl = (cells: string[]): string =>
      cells
        .map((c, i) => c.padEnd(tw[i] as number))
        .join('  ')
        .trimEnd();
    appendAll(out, [tl(th), ...trows.map(tl)]);
    if (s.trends.some((t) => t.unverified))
      out.push('* figures as the bundle claims them: its signature was not verified');
    const vrows = vulnerabilityTrendRows(s.trends);
    if (vrows.length) {
      const vh = VULNERABILITY_TREND_HEAD.map((h) => h.toUpperCase());
      const vw = vh.map((h, i) => maxOf([h.length, ...vrows.map((row) => (row[i] as string).length)]));
      appendAll(out, [
        '',
        'vulnerabilities by disposition (VEX):',
        ...[vh, ...vrows].map((cells) =>
          cells
            .map((c, i) => c.padEnd(vw[i] as number))
            .join('  ')
            .trimEnd(),
        ),
      ]);
    }
  }
  return `${out.map(escapeValue).join('\n')}\n`;
}

export function formatAuditMarkdown(r: AuditReport): string {
  const s = r.summary;
  const out: string[] = [];
  out.push(`# Audit of ${md(periodSourceLine(r))}, ${md(s.period.since)} to ${md(s.period.until)}`, '');
  out.push(`**${md(verdictWords(r))}.** ${md(countsLine(s))}.`, '');
  out.push(
    `- Population: ${s.counts.population} releases; examined: ${s.counts.examined}${s.sample ? ` (a sample of ${s.sample.size}, seed ${code(s.sample.seed)}; ${md(s.sample.method)})` : ''}`,
  );
  if (s.product) out.push(`- Product: ${md(productLine(s.product))}`);
  out.push(
    `- Policy: ${r.policy ? `${code(r.policy.path)} (${code(r.policy.digest)})` : 'none given: authenticity only'}`,
  );
  out.push(`- Generated: ${md(r.generatedAt)}`, '');
  out.push('## Releases', '');
  out.push(
    table(
      ['Release', 'Published', 'Standing', 'Authentic', 'Policy', 'Evidence', 'Bundle'],
      s.members.map((m) => {
        const a = answers(m);
        return [
          code(m.id),
          md(dated(m)),
          md(standingWords(m)),
          md(a.authentic),
          md(a.policy),
          md(a.evidence),
          m.evidence.bundle?.digest ? code(m.evidence.bundle.digest) : '–',
        ];
      }),
    ),
    '',
  );
  if (s.members.some((m) => m.dated === 'signer')) out.push(md(SIGNER_DATED), '');
  const why = s.members.filter((m) => m.status !== 'holds' && m.status !== 'not-examined');
  if (why.length) {
    out.push('### Releases that do not hold, or whose policy showed nothing', '');
    for (const m of why) out.push(`- ${code(m.id)}: ${md(m.reason)}`);
    out.push('');
  }
  if (s.controls.length) {
    out.push('## Controls', '');
    out.push(
      table(
        [
          'Control',
          'Title',
          'Held',
          'Partly shown',
          'Not shown',
          'Failed',
          'Not evaluated',
          'Evidence',
          'Failed in',
          'Missing',
        ],
        s.controls.map((c) => [
          code(c.id),
          md(c.title ?? "(the policy's own)"),
          `${c.held + c.waived}${c.waived ? ` (${c.waived} waived)` : ''}`,
          String(c.partlyShown),
          String(c.notShown),
          String(c.failed),
          String(c.notEvaluated),
          md(c.kinds.join(', ') || '–'),
          md(c.failedIn.join(', ') || '–'),
          md(c.missing.map((m) => `${m.what} (in ${m.releases.length} of ${s.counts.examined})`).join('; ') || '–'),
        ]),
      ),
      '',
    );
  }
  if (s.changeSample) {
    const cs = s.changeSample;
    out.push('## Changes (CC8.1 sample)', '', md(changeSampleLine(cs)), '');
    if (cs.sampled.length)
      out.push(
        table(
          CHANGE_HEAD.map((h) => h[0] + h.slice(1).toLowerCase()),
          cs.sampled.map((c) => changeRow(c).map((v, i) => (i <= 1 ? code(v) : md(v)))),
        ),
        '',
      );
    for (const [title, list] of [
      ['Emergency changes (every one, sampled or not)', cs.emergencies],
      ['Direct pushes (every one, sampled or not)', cs.directPushes],
    ] as const) {
      out.push(`### ${title}`, '');
      appendAll(out, [
        ...(list.length
          ? list.map((c) => `- ${code(c.release)} ${code(c.commit.slice(0, 12))} ${md(c.title)} (${md(c.standing)})`)
          : ['None.']),
        '',
      ]);
    }
  }
  if (s.waivers.length) {
    out.push('## Waivers', '');
    out.push(
      table(
        ['Rule', 'Expires', 'Expired in the period', 'Waived in', 'Failed after expiry in', 'Reason'],
        s.waivers.map((w) => [
          code(w.rule),
          md(w.expires),
          w.expiredInPeriod ? '**yes**' : 'no',
          md(w.waivedIn.join(', ') || '–'),
          md(w.failedAfterExpiryIn.join(', ') || '–'),
          md(w.reason),
        ]),
      ),
      '',
    );
  }
  if (s.trends.length) {
    out.push('## Trends', '');
    out.push(
      table(
        [
          'Release',
          'Published',
          'Tests',
          'Failed',
          'Critical',
          'High',
          'Deploys/day',
          'Lead time (median)',
          'Change failure rate',
          'Least SLO budget left',
        ],
        s.trends.map((t) => [
          code(t.id) + (t.unverified ? ' (unverified)' : ''),
          md(day(t.published)),
          fmt(t.tests),
          fmt(t.testsFailed),
          fmt(t.findingsCritical),
          fmt(t.findingsHigh),
          fmt(t.deploymentsPerDay, 2),
          hours(t.leadTimeMedianSeconds),
          pct(t.changeFailureRate),
          pct(t.sloBudgetRemaining),
        ]),
      ),
      '',
    );
    const vrows = vulnerabilityTrendRows(s.trends);
    if (vrows.length)
      out.push(
        '## Vulnerabilities by disposition',
        '',
        table(
          VULNERABILITY_TREND_HEAD.map((h) => h[0]?.toUpperCase() + h.slice(1)),
          vrows.map(([id, ...rest]) => [code(id ?? ''), ...rest]),
        ),
        '',
      );
  }
  return `${out.join('\n')}\n`;
}

/**
 * A control's standing over the examined releases, in words: held only counts releases where everything it needs was
 * shown.
 */
export function controlTally(c: PeriodSummary['controls'][number]): string {
  const parts = [`held in ${c.held + c.waived}${c.waived ? ` (${c.waived} by waiver)` : ''}`];
  if (c.partlyShown) parts.push(`partly shown in ${c.partlyShown}`);
  if (c.notShown) parts.push(`not shown (no evidence) in ${c.notShown}`);
  parts.push(`failed in ${c.failed}${c.failedIn.length ? ` (${c.failedIn.join(', ')})` : ''}`);
  parts.push(`not evaluated in ${c.notEvaluated}`);
  return parts.join(', ');
}

/** Which product the releases were held to, and how it was known. */
export function productLine(p: NonNullable<PeriodSummary['product']>): string {
  if (p.pinned) return `${p.name ?? ''} (given)`;
  if (p.name !== undefined) return `${p.name} (the one product the examined bundles name)`;
  return p.names.length ? `none shown: the bundles name ${p.names.join(', ')}` : 'none named (no authentic bundle)';
}

const VULNERABILITY_TREND_HEAD = [
  'release',
  'findings',
  'not affected',
  'fixed',
  'affected',
  'under investigation',
  'no statement',
  'open critical',
  'known exploited open',
];

/** One row per release with a vulnerabilities document: its findings by VEX disposition. */
function vulnerabilityTrendRows(trends: PeriodSummary['trends']): string[][] {
  return trends.flatMap((t) => {
    const v = t.vulnerabilities;
    return v
      ? [
          [
            t.id + (t.unverified ? '*' : ''),
            ...[v.findings, v.notAffected, v.fixed, v.affected, v.underInvestigation, v.none, v.openCritical].map(
              String,
            ),
            String(v.knownExploitedOpen),
          ],
        ]
      : [];
  });
}
