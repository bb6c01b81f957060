import { MAX_ATTESTATION_BYTES } from '../core/layout.js';
import { parseJsonStrict } from '../core/strict-json.js';
import { VerifyError } from './errors.js';

/** The most bundles one file may hold. */
const MAX_BUNDLES = 10_000;
/** One Sigstore bundle, as verify reads one. */
const MAX_BUNDLE_LINE_BYTES = MAX_ATTESTATION_BYTES;

/** One document of a file of Sigstore bundles: its JSON, or why its line holds none (`unreadable`: not JSON, too long). */
export type SigstoreLine =
  { line: number; json: unknown; unreadable?: undefined } | { line: number; unreadable: string };

/**
 * A file of Sigstore bundles as gh attestation verify --bundle reads it: one
 * JSON bundle, or one per line (blank lines skipped), each strictly parsed.
 * In JSON lines, a line that is not JSON is returned as `unreadable` (its
 * report lists it, not checked) while the others are read; a file none of
 * whose lines is JSON holds no bundle at all: ATTESTATION_UNREADABLE.
 *
 * `delivered`: the file is what a source delivered, one bundle a line in its
 * order (fetch --subject-digest writes GitHub's answer so): it is read as JSON
 * lines whatever its first line looks like, and a line too long for a bundle,
 * or every line not JSON, is returned as lines that hold none (each a failed
 * verification of what the source delivered), never a file refused.
 */
export function sigstoreBundleDocuments(bytes: Buffer, label: string, delivered = false): SigstoreLine[] {
  const text = bytes.toString('utf8');
  const out: SigstoreLine[] = [];
  const parse = (chunk: string, line: number): unknown => {
    const d = sigstoreLine(chunk, line);
    if (d.unreadable === undefined) return d.json;
    throw new VerifyError('ATTESTATION_UNREADABLE', `${label}: line ${line} is ${d.unreadable}`, { path: label });
  };
  const rows = text.split('\n');
  // A pretty-printed single bundle spans lines: read it whole.
  if (!delivered && rows.filter((r) => r.trim() !== '').length > 1 && !rows[0]?.trim().endsWith('}')) {
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
  if (long && !delivered)
    throw new VerifyError(
      'ATTESTATION_UNREADABLE',
      `${label}: line ${long.line} is more than ${MAX_BUNDLE_LINE_BYTES} bytes, more than a Sigstore bundle is`,
      { path: label },
    );
  for (const r of lines) out.push(sigstoreLine(r.row, r.line));
  // Not one line of JSON: no JSON lines at all, refused as the first line that is not JSON.
  if (!delivered && out.every((d) => d.unreadable !== undefined)) parse(lines[0]?.row ?? '', lines[0]?.line ?? 1);
  return out;
}

/**
 * One line of a file of Sigstore bundles (or one bundle's text a source delivered): its JSON, strictly parsed, or why
 * it holds no bundle: longer than one Sigstore bundle is (measured before it is parsed), or not JSON.
 */
export function sigstoreLine(row: string, line: number): SigstoreLine {
  if (Buffer.byteLength(row) > MAX_BUNDLE_LINE_BYTES)
    return { line, unreadable: `more than ${MAX_BUNDLE_LINE_BYTES} bytes, more than a Sigstore bundle is` };
  try {
    return { line, json: parseJsonStrict(Buffer.from(row, 'utf8')) };
  } catch (e) {
    return { line, unreadable: `not valid JSON (${(e as Error).message})` };
  }
}
