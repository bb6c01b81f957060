import { MAX_ATTESTATION_BYTES } from '../core/layout.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { VerifyError } from './errors.js';

/** The most bundles one file may hold. */
const MAX_BUNDLES = 10_000;
/** One Sigstore bundle, as verify reads one. */
const MAX_BUNDLE_LINE_BYTES = MAX_ATTESTATION_BYTES;

/**
 * A file of Sigstore bundles as gh attestation verify --bundle reads it: one
 * JSON bundle, or one per line (blank lines skipped), each strictly parsed.
 */
export function sigstoreBundleDocuments(bytes: Buffer, label: string): { line: number; json: unknown }[] {
  const text = bytes.toString('utf8');
  const out: { line: number; json: unknown }[] = [];
  const parse = (chunk: string, line: number): unknown => {
    try {
      return parseJsonStrict(Buffer.from(chunk, 'utf8'));
    } catch (e) {
      throw new VerifyError(
        'ATTESTATION_UNREADABLE',
        `${label}: line ${line} is not valid JSON (${(e as Error).message})`,
        { path: label },
      );
    }
  };
  const rows = text.split('\n');
  // A pretty-printed single bundle spans lines: read it whole.
  if (rows.filter((r) => r.trim() !== '').length > 1 && !rows[0]?.trim().endsWith('}')) {
    if (bytes.length > MAX_BUNDLE_LINE_BYTES)
      throw new VerifyError(
        'ATTESTATION_UNREADABLE',
        `${label}: more than ${MAX_BUNDLE_LINE_BYTES} bytes for one Sigstore bundle`,
        { path: label },
      );
    return [{ line: 1, json: parse(text, 1) }];
  }
  // Counted and measured before any is parsed: a parse tree is many times its text.
  const lines = rows.map((row, i) => ({ row, line: i + 1 })).filter((r) => r.row.trim() !== '');
  if (lines.length === 0)
    throw new VerifyError('ATTESTATION_UNREADABLE', `${label}: holds no Sigstore bundle`, { path: label });
  if (lines.length > MAX_BUNDLES)
    throw new VerifyError('ATTESTATION_UNREADABLE', `${label}: more than ${MAX_BUNDLES} bundles`, { path: label });
  const long = lines.find((r) => Buffer.byteLength(r.row) > MAX_BUNDLE_LINE_BYTES);
  if (long)
    throw new VerifyError(
      'ATTESTATION_UNREADABLE',
      `${label}: line ${long.line} is more than ${MAX_BUNDLE_LINE_BYTES} bytes, more than a Sigstore bundle is`,
      { path: label },
    );
  for (const r of lines) out.push({ line: r.line, json: parse(r.row, r.line) });
  return out;
}
