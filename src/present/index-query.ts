/**
 * `evidence query`'s answers as people and tools read them: text (one line per answer, the release first, the bundle
 * last), CSV (RFC 4180's quoting, a header row, every column of every answer; lines end in LF, as the terminal-safe
 * output passes no carriage return) and JSON. Every answer names the release
 * (product, version) and the bundle behind it (its sha256 and where it lives), and the signature that verified it when
 * that was kept outside the bundle, so it can be fetched and verified again.
 */
import { escapeValue } from './terminal.js';

export type QueryFormat = 'text' | 'json' | 'csv';

/** The store gives text, numbers and nulls only. */
const csvCell = (v: unknown): string => {
  const raw = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
  // A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is prefixed with ' (OWASP's advice).
  const s = typeof v === 'string' && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The answers to a question in a format. */
export function renderQueryAnswers(
  format: QueryFormat,
  answer: { question: Record<string, unknown>; rows: Record<string, unknown>[] },
): string {
  if (format === 'json') return `${JSON.stringify({ question: answer.question, answers: answer.rows }, null, 2)}\n`;
  const columns = [...new Set(answer.rows.flatMap((r) => Object.keys(r)))];
  if (format === 'csv')
    return [columns, ...answer.rows.map((r) => columns.map((c) => r[c]))]
      .map((row) => row.map(csvCell).join(','))
      .join('\n')
      .concat('\n');
  if (answer.rows.length === 0) return 'no release in the index answers this\n';
  const release = new Set([
    ...['product', 'version', 'bundle_digest', 'location', 'created', 'signed_at', 'policy'],
    ...['signature_location', 'signature_digest'],
  ]);
  // A release verified by a signature kept outside its bundle names it too: the bundle alone does not verify.
  const signature = (r: Record<string, unknown>) =>
    typeof r.signature_digest === 'string'
      ? `; signature ${r.signature_digest} at ${escapeValue(String(r.signature_location))}`
      : '';
  const lines = answer.rows.map((r) => {
    const detail = columns
      .filter((c) => !release.has(c) && r[c] !== null && r[c] !== '')
      .map((c) => `${c}=${escapeValue(String(r[c]))}`)
      .join(' ');
    return `${escapeValue(String(r.product))} ${escapeValue(String(r.version))}${detail ? `: ${detail}` : ''} (bundle ${String(r.bundle_digest)} at ${escapeValue(String(r.location))}${signature(r)})`;
  });
  return `${lines.join('\n')}\n${answer.rows.length} answer${answer.rows.length === 1 ? '' : 's'}\n`;
}
