import { FormatError } from './errors.js';

/**
 * A list of artifacts by digest as `sha256sum` writes it (GNU coreutils):
 * `<64 hex><space><space or *><name>` per line, in any order; blank lines are
 * skipped, hex is taken in either case. What `verify --subjects-file` and
 * `verify-attestation --subjects-file` read to check many artifacts at once.
 */
export interface ChecksumLine {
  name: string;
  /** `sha256:<lowercase hex>`. */
  digest: string;
}

/** At most this many artifacts in one list. */
export const MAX_CHECKSUM_LINES = 100_000;

export function parseChecksumList(text: string, label: string): ChecksumLine[] {
  const out: ChecksumLine[] = [];
  const seen = new Set<string>();
  const rows = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as string;
    if (row.trim() === '') continue;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(row);
    if (!m)
      throw new FormatError(
        'CHECKSUMS_INVALID',
        `${label}: line ${i + 1} is not '<sha256 hex>  <name>' (as sha256sum writes)`,
        { file: label },
      );
    const name = m[2] as string;
    if (seen.has(name))
      throw new FormatError('CHECKSUMS_INVALID', `${label}: line ${i + 1} names ${name} again`, { file: label });
    seen.add(name);
    out.push({ name, digest: `sha256:${(m[1] as string).toLowerCase()}` });
    if (out.length > MAX_CHECKSUM_LINES)
      throw new FormatError('CHECKSUMS_INVALID', `${label}: more than ${MAX_CHECKSUM_LINES} artifacts`, {
        file: label,
      });
  }
  if (out.length === 0) throw new FormatError('CHECKSUMS_INVALID', `${label}: lists no artifact`, { file: label });
  return out;
}
