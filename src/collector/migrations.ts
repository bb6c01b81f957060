import { appendAll } from '../core/objects.js';
import { type FileError, readSmallFile } from '../fs/small-file.js';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { canonicalBytes } from '../core/canonical-json.js';
import { sha256Hex } from '../core/digest.js';
import type { MigrationsSummary } from '../core/summaries.js';
import { PACKAGE_VERSION } from '../version.js';
import {
  generatedOutput,
  inputError,
  MAX_PARSED_INPUT_BYTES,
  type Collector,
  type CollectorInput,
} from './collector.js';
import { CollectError, type InputIssue } from './errors.js';

export const MIGRATIONS_MEDIA_TYPE = 'application/vnd.evidence.migrations+json';

/** The `statement` of a destructive finding is cut to this many characters. */
export const MAX_STATEMENT_CHARS = 200;

export type DestructiveStatement = MigrationsSummary['destructive'][number];

/**
 * A directory of SQL migrations (PostgreSQL dialect). Every `.sql` file below
 * it (symbolic links are not followed) is read in order of relative path, and
 * the blob stored is canonical JSON of `{files: [{path, sha256, size,
 * content}], destructive}`, so the evidence holds the migrations themselves.
 *
 * Destructive statements: any DROP statement (DROP TABLE, DROP INDEX, …),
 * ALTER TABLE … DROP [COLUMN] / DROP CONSTRAINT, TRUNCATE, and DELETE FROM
 * with no WHERE of its own (also inside a WITH). Statements are split on `;`
 * outside quoted strings ('…', E'…'), quoted identifiers ("…"), dollar quotes
 * ($$…$$, $tag$…$tag$), and `--` and (nested) block comments, so words in
 * those never count; nor do statements in a function body, which only run
 * when called. A DO block runs at once, so the statements of its
 * dollar-quoted body are looked at too. SQL built at run time (EXECUTE '…')
 * is not seen.
 */
export const migrationsCollector: Collector = {
  name: 'migrations',
  version: PACKAGE_VERSION,
  async collect(input) {
    const dir = resolve(input.file);
    let info;
    try {
      info = await stat(dir);
    } catch (e) {
      throw inputError(input, e);
    }
    if (!info.isDirectory())
      throw new CollectError(
        'MIGRATIONS_INVALID',
        `${input.label}: not a directory (give the directory of .sql migrations)`,
        { file: input.label },
      );
    const paths = (await listSql(input, dir, '')).sort(compare);
    if (paths.length === 0)
      throw new CollectError('MIGRATIONS_INVALID', `${input.label}: no .sql files in the directory`, {
        file: input.label,
      });

    const files: { path: string; sha256: string; size: number; content: string }[] = [];
    const destructive: DestructiveStatement[] = [];
    const issues: InputIssue[] = [];
    let statements = 0;
    let total = 0;
    for (const rel of paths) {
      let bytes: Buffer;
      try {
        bytes = await readSmallFile(join(dir, rel), `${input.label}/${rel}`, {
          what: 'a migration',
          max: MAX_PARSED_INPUT_BYTES,
        });
      } catch (e) {
        throw new CollectError(
          (e as FileError).code === 'FILE_TOO_LARGE' ? 'INPUT_TOO_LARGE' : 'INPUT_UNREADABLE',
          (e as Error).message,
          { file: `${input.label}/${rel}` },
        );
      }
      total += bytes.length;
      if (total > MAX_PARSED_INPUT_BYTES) {
        throw new CollectError(
          'INPUT_TOO_LARGE',
          `${input.label}: the .sql files hold more than ${MAX_PARSED_INPUT_BYTES} bytes`,
          { file: input.label },
        );
      }
      let content: string;
      try {
        content = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
      } catch {
        issues.push({ path: rel, message: 'not UTF-8 text' });
        continue;
      }
      files.push({ path: rel, sha256: sha256Hex(bytes), size: bytes.length, content });
      const found = analyzeSql(content.charCodeAt(0) === 0xfeff ? ` ${content.slice(1)}` : content);
      statements += found.statements;
      for (const f of found.destructive) destructive.push({ file: rel, ...f });
      for (const i of found.issues) issues.push({ path: `${rel} line ${i.line}`, message: i.message });
    }
    if (issues.length > 0)
      throw new CollectError('MIGRATIONS_INVALID', `${input.label}: SQL that cannot be read safely`, {
        file: input.label,
        issues,
      });

    const summary: MigrationsSummary = { files: files.length, statements, destructive };
    const bytes = canonicalBytes({ files, destructive });
    return generatedOutput(bytes, `${basename(dir) || 'migrations'}.json`, 'migrations', MIGRATIONS_MEDIA_TYPE, {
      ...summary,
    });
  },
};

async function listSql(input: CollectorInput, root: string, rel: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(root, rel), { withFileTypes: true });
  } catch (e) {
    throw inputError({ label: rel === '' ? input.label : `${input.label}/${rel}` }, e);
  }
  const out: string[] = [];
  for (const e of entries) {
    const path = rel === '' ? e.name : `${rel}/${e.name}`;
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) appendAll(out, await listSql(input, root, path));
    else if (e.isFile() && /\.sql$/i.test(e.name)) out.push(path);
  }
  return out;
}

/* ---- SQL scanning ---- */

export interface SqlAnalysis {
  statements: number;
  destructive: { line: number; kind: string; statement: string }[];
  issues: { line: number; message: string }[];
}

/** Finds the statements of one SQL text and the destructive ones among them. */
export function analyzeSql(text: string): SqlAnalysis {
  const lines = lineStarts(text);
  const scan = scanSql(text, 0, text.length);
  const destructive: SqlAnalysis['destructive'] = [];
  const issues = scan.issues.map((i) => ({ line: lineOf(lines, i.at), message: i.message }));
  const report = (at: number, end: number, kind: string): void => {
    destructive.push({ line: lineOf(lines, at), kind, statement: oneLine(scan.code.slice(at, end)) });
  };
  // Statements and dollar-quoted bodies both come in text order: one walk pairs each DO with its bodies.
  let nextBody = 0;
  for (const s of scan.statements) {
    const tokens = tokenize(scan.masked, s.start, s.end);
    for (const f of findDestructive(tokens, 0)) report(f.at, s.end, f.kind);
    while (nextBody < scan.dollarBodies.length && (scan.dollarBodies[nextBody] as { start: number }).start < s.start)
      nextBody++;
    const bodies: Scan['dollarBodies'] = [];
    for (let b = nextBody; b < scan.dollarBodies.length; b++) {
      const body = scan.dollarBodies[b] as { start: number; end: number };
      if (body.start >= s.end) break;
      if (body.end <= s.end) bodies.push(body);
    }
    if (tokens[0]?.word !== 'DO') continue;
    // A DO block runs its body now: look at the statements in it.
    for (const body of bodies) {
      const inner = scanSql(text, body.start, body.end);
      if (inner.issues.length > 0) continue;
      for (const t of inner.statements) {
        const innerTokens = tokenize(inner.masked, t.start, t.end, body.start);
        // PL/pgSQL: a statement may follow BEGIN, THEN, ELSE or LOOP with no `;` between. Each such start that needs
        // the rest of the statement read (DELETE, WITH, ALTER) reads it: past MAX_NESTED_STARTS of them in one
        // statement, the file is refused rather than read in time that grows with their square.
        let scans = 0;
        for (let k = 0; k < innerTokens.length; k++) {
          if (k > 0 && !PLPGSQL_OPENERS.has(innerTokens[k - 1]?.word ?? '')) continue;
          if (SCANNING_STARTS.has(innerTokens[k]?.word ?? '') && ++scans > MAX_NESTED_STARTS) {
            issues.push({
              line: lineOf(lines, t.start),
              message: `more than ${MAX_NESTED_STARTS} statements that must each be read to the end in one PL/pgSQL statement: split it with ';'`,
            });
            break;
          }
          for (const f of findDestructive(innerTokens, k))
            destructive.push({
              line: lineOf(lines, f.at),
              kind: f.kind,
              statement: oneLine(inner.code.slice(f.at - body.start, t.end - body.start)),
            });
        }
      }
    }
  }
  return { statements: scan.statements.length, destructive, issues };
}

/** Statements whose check reads to the end of their statement, and how many one PL/pgSQL statement may start. */
const SCANNING_STARTS = new Set(['DELETE', 'WITH', 'ALTER']);
const MAX_NESTED_STARTS = 1000;

const PLPGSQL_OPENERS = new Set(['BEGIN', 'THEN', 'ELSE', 'LOOP', 'DECLARE']);

interface Scan {
  /** Statements: offset of the first token to the `;` (or end), in `text`. */
  statements: { start: number; end: number }[];
  /** The scanned text with comments blanked (same length; offsets from `from`). */
  code: string;
  /** As `code`, and the insides of strings, quoted identifiers and dollar quotes blanked too. */
  masked: string;
  dollarBodies: { start: number; end: number }[];
  issues: { at: number; message: string }[];
}

/**
 * Splits text[from, to) into statements. `code` and `masked` are indexed from
 * `from`: position p of text is code[p - from].
 */
function scanSql(text: string, from: number, to: number): Scan {
  const code: string[] = [];
  const masked: string[] = [];
  const statements: Scan['statements'] = [];
  const dollarBodies: Scan['dollarBodies'] = [];
  const issues: Scan['issues'] = [];
  let start = -1;
  let run = from;
  let i = from;
  const flushRun = (): void => {
    if (run < i) {
      const s = text.slice(run, i);
      code.push(s);
      masked.push(s);
    }
  };
  /** Emits text[i, j) with its inside blanked in `masked` (and in `code` too for comments). */
  const blank = (j: number, keep: number, comment: boolean): void => {
    flushRun();
    const s = text.slice(i, j);
    const inner = s.length - 2 * keep;
    const mask = inner > 0 ? s.slice(0, keep) + ' '.repeat(inner) + s.slice(s.length - keep) : s;
    code.push(comment ? ' '.repeat(s.length) : s);
    masked.push(comment ? ' '.repeat(s.length) : mask);
    i = j;
    run = j;
  };
  while (i < to) {
    const c = text[i] as string;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i);
      blank(nl === -1 || nl > to ? to : nl, 0, true);
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      let j = i + 2;
      while (j < to && depth > 0) {
        if (text[j] === '/' && text[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (text[j] === '*' && text[j + 1] === '/') {
          depth--;
          j += 2;
        } else j++;
      }
      if (depth > 0) {
        issues.push({ at: i, message: 'unterminated /* comment' });
        blank(to, 0, true);
        break;
      }
      blank(j, 0, true);
      continue;
    }
    if (c === ';') {
      if (start >= 0) statements.push({ start, end: i });
      start = -1;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (start < 0) start = i;
    if (c === "'") {
      // E'…' strings take backslash escapes; standard strings only ''.
      const escapes = /[eE]/.test(text[i - 1] ?? '') && !/[A-Za-z0-9_$]/.test(text[i - 2] ?? '');
      let j = i + 1;
      for (;;) {
        if (j >= to) break;
        const d = text[j];
        if (escapes && d === '\\') j += 2;
        else if (d === "'" && text[j + 1] === "'") j += 2;
        else if (d === "'") break;
        else j++;
      }
      if (j >= to) {
        issues.push({ at: i, message: 'unterminated quoted string' });
        break;
      }
      blank(j + 1, 1, false);
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      for (;;) {
        if (j >= to) break;
        if (text[j] === '"' && text[j + 1] === '"') j += 2;
        else if (text[j] === '"') break;
        else j++;
      }
      if (j >= to) {
        issues.push({ at: i, message: 'unterminated quoted identifier' });
        break;
      }
      blank(j + 1, 1, false);
      continue;
    }
    if (c === '$' && !/[A-Za-z0-9_$]/.test(text[i - 1] ?? '')) {
      const tag = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(
        text.slice(i, Math.min(to, i + 130)),
      )?.[0];
      if (tag !== undefined) {
        const close = text.indexOf(tag, i + tag.length);
        if (close === -1 || close + tag.length > to) {
          issues.push({ at: i, message: `unterminated dollar-quoted string ${tag}` });
          break;
        }
        dollarBodies.push({ start: i + tag.length, end: close });
        blank(close + tag.length, 1, false);
        continue;
      }
    }
    i++;
  }
  i = Math.min(i, to);
  flushRun();
  if (start >= 0 && issues.length === 0) statements.push({ start, end: to });
  return { statements, code: code.join(''), masked: masked.join(''), dollarBodies, issues };
}

interface Token {
  /** Upper-cased word, or the punctuation / placeholder text. */
  word: string;
  /** Offset in the scanned text. */
  at: number;
}

/** Tokens of masked[start, end), offsets as in the original text (`masked` starts at `base`). */
function tokenize(masked: string, start: number, end: number, base = 0): Token[] {
  const out: Token[] = [];
  const re = /'[^']*'|"[^"]*"|\$ *\$|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*|\d+(?:\.\d+)?|\S/g;
  re.lastIndex = start - base;
  for (let m = re.exec(masked); m !== null && m.index < end - base; m = re.exec(masked)) {
    out.push({ word: /^[A-Za-z_]/.test(m[0]) ? m[0].toUpperCase() : m[0], at: m.index + base });
  }
  return out;
}

const DROP_TYPES_3 = [
  'FOREIGN DATA WRAPPER',
  'TEXT SEARCH CONFIGURATION',
  'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH PARSER',
  'TEXT SEARCH TEMPLATE',
];
const DROP_TYPES_2 = [
  'MATERIALIZED VIEW',
  'FOREIGN TABLE',
  'EVENT TRIGGER',
  'ACCESS METHOD',
  'OPERATOR CLASS',
  'OPERATOR FAMILY',
  'USER MAPPING',
  'PROCEDURAL LANGUAGE',
  'OWNED BY',
  'TEMPORARY TABLE',
];

/**
 * Destructive actions in one statement's tokens, each with the offset it
 * is reported at (the statement's first token).
 */
/** The destructive statement starting at `tokens[from]` (the rest of the tokens, read in place: no copy). */
function findDestructive(tokens: Token[], from: number): { at: number; kind: string }[] {
  const w = (k: number): string => tokens[from + k]?.word ?? '';
  const first = tokens[from];
  if (!first) return [];
  const at = first.at;
  if (w(0) === 'DROP') {
    const words = [w(1), w(2), w(3)];
    const three = words.join(' ');
    const two = words.slice(0, 2).join(' ');
    const type = DROP_TYPES_3.includes(three)
      ? three
      : DROP_TYPES_2.includes(two)
        ? two
        : /^[A-Z]+$/.test(w(1)) && w(1) !== 'IF'
          ? w(1)
          : '';
    return [{ at, kind: type ? `DROP ${type}` : 'DROP' }];
  }
  if (w(0) === 'TRUNCATE') return [{ at, kind: 'TRUNCATE' }];
  if (w(0) === 'ALTER' && w(1) === 'TABLE') return alterTableDrops(tokens, from).map((kind) => ({ at, kind }));
  // DELETE FROM with no WHERE at its own depth, as a statement or in a WITH.
  if (w(0) === 'DELETE' || w(0) === 'WITH') {
    let depth = 0;
    const open: { depth: number; where: boolean }[] = [];
    let bare = false;
    for (let k = 0; from + k < tokens.length; k++) {
      const t = w(k);
      if (t === '(') depth++;
      else if (t === ')') {
        // A DELETE in parentheses (a WITH query) ends here.
        for (let x = open.length - 1; x >= 0; x--) {
          const o = open[x] as { depth: number; where: boolean };
          if (o.depth !== depth) continue;
          bare ||= !o.where;
          open.splice(x, 1);
        }
        depth--;
      } else if (t === 'DELETE' && w(k + 1) === 'FROM' && w(k - 1) !== 'ON' && w(k - 1) !== 'OR')
        open.push({ depth, where: false });
      else if (t === 'WHERE') for (const o of open) if (o.depth === depth) o.where = true;
    }
    for (const o of open) bare ||= !o.where;
    if (bare) return [{ at, kind: 'DELETE WITHOUT WHERE' }];
  }
  return [];
}

/** The DROP actions of an ALTER TABLE statement: `ALTER TABLE [IF EXISTS] [ONLY] name [*] action [, …]`. */
function alterTableDrops(tokens: Token[], from: number): string[] {
  const w = (k: number): string => tokens[from + k]?.word ?? '';
  let k = 2;
  if (w(k) === 'IF' && w(k + 1) === 'EXISTS') k += 2;
  if (w(k) === 'ONLY') k++;
  k++;
  while (w(k) === '.') k += 2;
  if (w(k) === '*') k++;
  const kinds = new Set<string>();
  let depth = 0;
  let actionStart = k;
  for (; from + k <= tokens.length; k++) {
    if (k === actionStart && w(k) === 'DROP') {
      const what = w(k + 1);
      if (
        what === 'CONSTRAINT' ||
        what === 'CHECK' ||
        ((what === 'PRIMARY' || what === 'FOREIGN') && w(k + 2) === 'KEY')
      )
        kinds.add('ALTER TABLE DROP CONSTRAINT');
      else if (what === 'INDEX' || what === 'KEY') kinds.add('ALTER TABLE DROP INDEX');
      else if (what === 'PARTITION') kinds.add('ALTER TABLE DROP PARTITION');
      else if (what !== 'DEFAULT' && what !== 'NOT' && what !== 'IDENTITY' && what !== 'EXPRESSION')
        kinds.add('ALTER TABLE DROP COLUMN');
    }
    const t = w(k);
    if (t === '(') depth++;
    else if (t === ')') depth--;
    else if (t === ',' && depth === 0) actionStart = k + 1;
  }
  return [...kinds];
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_STATEMENT_CHARS ? flat : `${flat.slice(0, MAX_STATEMENT_CHARS - 1)}…`;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line of an offset. */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
