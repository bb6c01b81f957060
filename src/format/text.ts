import type { InspectResult } from '../commands/inspect.js';
import type { VerifyReport } from '../verifier/report.js';

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** One line that says what a typed summary holds. */
export function describeSummary(kind: string, s: Record<string, unknown>): string {
  const n = (k: string): number => Number((s as Record<string, number>)[k] ?? 0);
  switch (kind) {
    case 'sbom':
      return `${String(s.format)} ${String(s.specVersion)}: ${n('components')} components, ${(s.licenses as string[]).length} licenses, ${n('unlicensed')} unlicensed`;
    case 'sarif': {
      const l = s.levels as Record<string, number>;
      const v = s.severities as Record<string, number>;
      return `${(s.tools as string[]).join(', ') || 'no tool'}: ${n('results')} results (${l.error} error, ${l.warning} warning, ${l.note} note); security: ${v.critical} critical, ${v.high} high, ${v.medium} medium, ${v.low} low`;
    }
    case 'junit':
      return `${n('tests')} tests: ${n('passed')} passed, ${n('failed')} failed, ${n('errored')} errored, ${n('skipped')} skipped in ${n('durationSeconds')} s`;
    default:
      return '';
  }
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

const short = (digest: string): string => `${digest.slice(0, 19)}…`;

export function formatInspect(r: InspectResult): string {
  const src = r.source;
  const lines = [
    `${r.name} ${r.version}`,
    `created  ${r.created}`,
    `source   ${[src.repository, src.commit && `@ ${src.commit}`, src.ref && `(${src.ref})`].filter(Boolean).join(' ') || 'unknown'}`,
    '',
    `Evidence (${r.entries.length})`,
    table([['PATH', 'KIND', 'SIZE', 'DIGEST', 'SUMMARY'], ...r.entries.map((e) => [e.path, e.kind, formatBytes(e.size), short(e.digest), describeSummary(e.kind, e.summary)])]),
    '',
    `Subjects (${r.subjects.length})`,
    r.subjects.length ? table([['NAME', 'SIZE', 'DIGEST'], ...r.subjects.map((s) => [s.name, formatBytes(s.size), s.digest])]) : '  none',
  ];
  return `${lines.join('\n')}\n`;
}

export function formatVerifyText(report: VerifyReport & { bundle: { path?: string } }): string {
  const b = report.bundle;
  const lines = [
    `${report.ok ? 'VERIFIED' : 'FAILED'}: ${b.path ?? 'bundle'}${b.name ? ` (${b.name} ${b.version})` : ''}`,
    report.mode === 'integrity-only' ? 'mode: integrity only (signature not checked)' : 'mode: signature required',
  ];
  if (b.digest) lines.push(`bundle digest:   ${b.digest}`);
  if (b.manifestDigest) lines.push(`manifest digest: ${b.manifestDigest}`);
  lines.push('');
  for (const c of report.checks) {
    const mark = c.skipped ? 'SKIP' : c.ok ? 'ok  ' : 'FAIL';
    lines.push(`${mark} ${c.id.padEnd(10)} ${c.code && !c.ok ? `[${c.code}] ` : ''}${c.message}`);
    if (!c.ok && !c.skipped && (c.expected || c.found)) lines.push(`     ${''.padEnd(10)} expected ${c.expected ?? '-'}, found ${c.found ?? '-'}`);
  }
  const failed = report.checks.filter((c) => !c.ok && !c.skipped).length;
  lines.push('', report.ok ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`);
  return `${lines.join('\n')}\n`;
}
