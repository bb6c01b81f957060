import { SHA256_HEX } from './digest.js';

/**
 * SHA256SUMS in the GNU coreutils format that `sha256sum -c` reads: one line
 * per file, `<64 hex><space><space><path>\n` (two spaces: text mode, which
 * on POSIX is the same bytes as binary mode), sorted by path.
 */
export interface SumLine {
  hex: string;
  path: string;
}

export function formatSha256Sums(lines: SumLine[]): Buffer {
  const sorted = [...lines].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return Buffer.from(sorted.map((l) => `${l.hex}  ${l.path}\n`).join(''), 'utf8');
}

export type ParseSumsResult = { ok: true; lines: SumLine[] } | { ok: false; line: number; message: string };

/** Strict: only the exact form formatSha256Sums writes is accepted. */
export function parseSha256Sums(bytes: Uint8Array): ParseSumsResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, line: 0, message: 'is not UTF-8' };
  }
  if (text.length > 0 && !text.endsWith('\n')) return { ok: false, line: 0, message: 'does not end with a newline' };
  const rows = text.length === 0 ? [] : text.slice(0, -1).split('\n');
  const lines: SumLine[] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as string;
    const m = /^([0-9a-f]{64}) {2}([^\n\r\\]+)$/.exec(row);
    if (!m || !SHA256_HEX.test(m[1] as string))
      return { ok: false, line: i + 1, message: `line ${i + 1} is not '<sha256 hex>  <path>'` };
    lines.push({ hex: m[1] as string, path: m[2] as string });
  }
  for (let i = 1; i < lines.length; i++) {
    if ((lines[i - 1] as SumLine).path >= (lines[i] as SumLine).path) {
      return { ok: false, line: i + 1, message: `line ${i + 1} is out of order or repeats a path` };
    }
  }
  return { ok: true, lines };
}
