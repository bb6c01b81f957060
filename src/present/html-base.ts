import { PACKAGE_NAME, PACKAGE_VERSION } from '../version.js';
import { escapeTerminal } from './terminal.js';

/**
 * The building blocks every HTML report of this package is made of: the
 * page shell, the escaping `html` template tag, status badges and key/value
 * tables (src/present/html.ts, src/present/audit-html.ts).
 */

/**
 * A whole self-contained page: no script, nothing loaded (a Content-Security-Policy says so), one inline style sheet.
 */
export function htmlDocument(title: string, css: string, body: Safe): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; form-action 'none'; base-uri 'none'">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="${esc(`${PACKAGE_NAME} ${PACKAGE_VERSION}`)}">
<title>${esc(title)}</title>
<style>${css}</style>
</head>
<body>${body.value}
</body>
</html>
`;
}

/* ------------------------------------------------------------------------ *
 * Escaping
 * ------------------------------------------------------------------------ */

/** HTML that is already safe (built by the `html` tag). */
export class Safe {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Entity-escapes &<>"' (text and attribute values alike), after making controls and bidirectional overrides visible, as
 * text and Markdown do.
 */
export function esc(s: string): string {
  return escapeTerminal(String(s)).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * What html`` interpolates: text and numbers (escaped), Safe fragments, lists of them, and nothing (null, undefined,
 * false).
 */
export type Fragment = Safe | string | number | boolean | null | undefined | readonly Fragment[];

function fragment(v: Fragment): string {
  if (v instanceof Safe) return v.value;
  if (Array.isArray(v)) return v.map(fragment).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(String(v));
}

/** Template tag: interpolated values are escaped unless they are Safe (or arrays of Safe). */
export function html(strings: TemplateStringsArray, ...values: Fragment[]): Safe {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += fragment(v) + (strings[i + 1] ?? '');
  });
  return new Safe(out);
}

/** A number for an SVG coordinate (always finite). */
export const px = (n: number): string => (Number.isFinite(n) ? String(Math.round(n * 10) / 10) : '0');

export class IdGen {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}-${this.n}`;
  }
}

/* ------------------------------------------------------------------------ *
 * Status badges: a symbol and a word, never colour alone.
 * ------------------------------------------------------------------------ */

type Tone = 'pass' | 'fail' | 'warn' | 'neutral';
const STATUS: Record<string, { tone: Tone; mark: string; word: string }> = {
  pass: { tone: 'pass', mark: '✓', word: 'Pass' },
  fail: { tone: 'fail', mark: '✗', word: 'Fail' },
  error: { tone: 'fail', mark: '✗', word: 'Error' },
  skipped: { tone: 'neutral', mark: '–', word: 'Skipped' },
  waived: { tone: 'warn', mark: '!', word: 'Waived' },
  expired: { tone: 'fail', mark: '✗', word: 'Expired' },
  active: { tone: 'pass', mark: '✓', word: 'In force' },
  'not-applicable': { tone: 'neutral', mark: '–', word: 'N/A' },
  'partly-shown': { tone: 'warn', mark: '◐', word: 'Partly shown' },
  'not-shown': { tone: 'neutral', mark: '–', word: 'Not shown (no evidence)' },
  'not-checked': { tone: 'neutral', mark: '–', word: 'Not checked' },
  none: { tone: 'neutral', mark: '–', word: 'None' },
};

export function badge(status: string, word?: string): Safe {
  const s = STATUS[status] ?? { tone: 'neutral' as Tone, mark: '?', word: status };
  return html`<span class="badge ${s.tone}"><span class="mark" aria-hidden="true">${s.mark}</span> ${word ?? s.word}</span>`;
}

export function kvTable(caption: string, rows: [string, Fragment][], cls = ''): Safe {
  return html`<table class="kv ${cls}"><caption>${caption}</caption><tbody>${rows.map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${v}</td></tr>`)}</tbody></table>`;
}

export const code = (s: string): Safe => html`<code>${s}</code>`;
