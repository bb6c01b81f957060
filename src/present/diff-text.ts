import { appendAll, maxOf } from '../core/objects.js';
import { escapeValue } from './terminal.js';
import {
  LEVELS,
  SEVERITIES,
  TEST_COUNTS,
  type Change,
  type DiffBundleInfo,
  type DiffComponent,
  type DiffFinding,
  type DiffResult,
} from '../diff/result.js';

/**
 * `evidence diff` for people: one section per area, `+` for what the new
 * release adds, `-` for what it drops, `~` for what changed, and every figure
 * as `old → new (delta)`, `n/a` on a side that has none of it (or none that
 * holds anything: the warnings say which). Areas neither bundle has evidence
 * for are left out.
 */
export function formatDiff(r: DiffResult): string {
  const lines: string[] = [
    `${r.old.name} ${r.old.version} → ${r.new.name} ${r.new.version}`,
    `old  ${r.old.path}  created ${r.old.created}  manifest ${r.old.manifestDigest}`,
    `     ${checkedLine(r.old.checked)}`,
    `new  ${r.new.path}  created ${r.new.created}  manifest ${r.new.manifestDigest}`,
    `     ${checkedLine(r.new.checked)}`,
  ];
  if (r.old.checked.authenticity !== 'authentic' || r.new.checked.authenticity !== 'authentic') {
    lines.push(
      'note: what follows compares what the bundles claim; a side whose signature was not verified is not shown to be authentic',
    );
  }
  const section = (title: string, body: string[]): void => {
    appendAll(lines, ['', title, ...(body.length ? body : ['  no change'])]);
  };

  // A part a side has none of, or only entries of that hold nothing, or could not read, is not compared (the warnings
  // say why): never shown as removed.
  const NOT_COMPARED = [
    '  not compared: a bundle has none, none that holds anything, or not all could be read (the warnings say which)',
  ];
  const c = r.components;
  if (c)
    section(`Components (+${c.added.length} -${c.removed.length} ~${c.changed.length})`, [
      ...c.added.map((x) => `  + ${component(x)}`),
      ...c.removed.map((x) => `  - ${component(x)}`),
      ...c.changed.map((x) => `  ~ ${x.name} ${x.from ?? '(no version)'} → ${x.to ?? '(no version)'}`),
    ]);
  else section('Components', NOT_COMPARED);
  const l = r.licenses;
  section('Licenses', l ? [...l.added.map((x) => `  + ${x}`), ...l.removed.map((x) => `  - ${x}`)] : NOT_COMPARED);

  const v = r.vulnerabilities;
  if (present(v.results)) {
    section(
      'Findings (SARIF)',
      table([
        ['results', v.results, count],
        ...SEVERITIES.map((k): Row => [`severity ${k}`, v.severities[k], count]),
        ...LEVELS.map((k): Row => [`level ${k}`, v.levels[k], count]),
      ]),
    );
  }
  if (v.rules && (v.rules.added.length || v.rules.removed.length)) {
    section(`Finding rules (+${v.rules.added.length} -${v.rules.removed.length})`, [
      ...v.rules.added.map((id) => `  + ${id}`),
      ...v.rules.removed.map((id) => `  - ${id}`),
    ]);
  } else if (!v.rules && present(v.results)) section('Finding rules', NOT_COMPARED);
  const fd = r.findings;
  if (!fd) section('Vulnerabilities', NOT_COMPARED);
  else {
    const one = (f: DiffFinding): string =>
      `${f.id} (${f.severity}) in ${f.purl ?? 'the release'}: ${f.status.replace(/_/g, ' ')}`;
    section(
      `Vulnerabilities (+${fd.added.length} -${fd.removed.length}, ${fd.dispositionChanged.length} disposition${fd.dispositionChanged.length === 1 ? '' : 's'} changed)`,
      [
        ...fd.added.map((f) => `  + ${one(f)}`),
        ...fd.removed.map((f) => `  - ${one(f)}`),
        ...fd.dispositionChanged.map(
          (f) =>
            `  ~ ${f.id} in ${f.purl ?? 'the release'}: ${f.from.replace(/_/g, ' ')} → ${f.status.replace(/_/g, ' ')}`,
        ),
      ],
    );
  }
  if (present(r.tests.tests)) section('Tests (JUnit)', table(TEST_COUNTS.map((k): Row => [k, r.tests[k], count])));
  if (present(r.coverage.lines) || present(r.coverage.branches)) {
    section(
      'Coverage',
      table([
        ['lines', r.coverage.lines, percent],
        ['branches', r.coverage.branches, percent],
      ]),
    );
  }
  const slos = Object.entries(r.slo);
  if (slos.length) {
    section(
      'SLOs',
      table(
        slos.flatMap(([name, s]): Row[] => [
          [`${name} SLI`, s.sli, percent3],
          [`${name} error budget left`, s.errorBudgetRemaining, percent],
        ]),
      ),
    );
  }
  const d = r.dora;
  if (Object.values(d).some(present)) {
    section(
      'DORA',
      table([
        ['deployments per day', d.deploymentsPerDay, decimal],
        ['lead time (median)', d.leadTimeMedianSeconds, hours],
        ['change failure rate', d.changeFailureRate, percent],
        ['time to restore (median)', d.timeToRestoreMedianSeconds, hours],
      ]),
    );
  }

  const e = r.entries;
  section(`Evidence entries (+${e.added.length} -${e.removed.length} ~${e.changed.length})`, [
    ...e.added.map((p) => `  + ${p}`),
    ...e.removed.map((p) => `  - ${p}`),
    ...e.changed.map((p) => `  ~ ${p}`),
  ]);
  section('Subjects', [
    ...r.subjects.added.map((s) => `  + ${s.name}  ${s.digest}`),
    ...r.subjects.removed.map((s) => `  - ${s.name}  ${s.digest}`),
  ]);
  if (r.warnings.length) appendAll(lines, ['', 'Warnings', ...r.warnings.map((w) => `  ! ${w}`)]);
  return `${lines.map(escapeValue).join('\n')}\n`;
}

/** How one side was checked, never more than that: integrity only, verified (by whom), or failed. */
function checkedLine(c: DiffBundleInfo['checked']): string {
  if (c.authenticity === 'authentic') return `signed and verified: ${c.summary}`;
  if (c.authenticity === 'failed') return `NOT AUTHENTIC: ${c.summary}`;
  return 'integrity only: signature not checked';
}

function component(c: DiffComponent): string {
  return `${c.name} ${c.version ?? '(no version)'}${c.purl ? `  ${c.purl}` : ''}`;
}

const present = (c: Change): boolean => c.old !== null || c.new !== null;

/** How a figure reads, and how its delta reads (with its sign). */
interface Unit {
  value(x: number): string;
  delta(x: number): string;
}

const signed = (x: number, s: string): string => (x > 0 ? `+${s}` : x < 0 ? `-${s}` : `±${s}`);

const count: Unit = { value: (x) => String(x), delta: (x) => signed(x, String(Math.abs(x))) };
const decimal: Unit = { value: (x) => x.toFixed(2), delta: (x) => signed(x, Math.abs(x).toFixed(2)) };
const percent: Unit = {
  value: (x) => `${(x * 100).toFixed(1)}%`,
  delta: (x) => signed(x, `${(Math.abs(x) * 100).toFixed(1)} pp`),
};
const percent3: Unit = {
  value: (x) => `${(x * 100).toFixed(3)}%`,
  delta: (x) => signed(x, `${(Math.abs(x) * 100).toFixed(3)} pp`),
};
const hours: Unit = {
  value: (x) => `${(x / 3600).toFixed(1)} h`,
  delta: (x) => signed(x, `${(Math.abs(x) / 3600).toFixed(1)} h`),
};

type Row = [string, Change, Unit];

function table(rows: Row[]): string[] {
  const cells = rows.map(([label, c, unit]) => [
    label,
    c.old === null ? 'n/a' : unit.value(c.old),
    c.new === null ? 'n/a' : unit.value(c.new),
    c.delta === null ? '' : `(${unit.delta(c.delta)})`,
  ]);
  const width = (i: number): number => maxOf([...cells.map((r) => (r[i] ?? '').length)]);
  const [w0, w1, w2] = [width(0), width(1), width(2)];
  return cells.map(([label = '', o = '', n = '', d = '']) =>
    `  ${label.padEnd(w0)}  ${o.padStart(w1)} → ${n.padStart(w2)}  ${d}`.trimEnd(),
  );
}
