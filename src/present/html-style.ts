/**
 * The one inline style sheet the HTML reports share (release and period).
 */

/* ------------------------------------------------------------------------ *
 * Styles: readable on screen, on paper without backgrounds, and in
 * high-contrast modes. Text colours meet 4.5:1 on their backgrounds.
 * ------------------------------------------------------------------------ */

export const CSS = `
:root { color-scheme: light; --text: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --pass-fg: #116329; --pass-bg: #dafbe1; --fail-fg: #a40e26; --fail-bg: #ffebe9; --warn-fg: #7d4e00; --warn-bg: #fff8c5; --neutral-fg: #424a53; --neutral-bg: #eaeef2; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #ffffff; color: var(--text); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
header.masthead, main, footer { width: calc(100% - 64px); max-width: 1056px; margin: 0 auto; }
header.masthead { padding: 32px 0 16px; border-bottom: 1px solid var(--line); }
.eyebrow { margin: 0; font-size: 13px; letter-spacing: .06em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
h1 { margin: 4px 0 4px; font-size: 30px; line-height: 1.2; }
h2 { font-size: 21px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); display: flex; align-items: center; gap: 10px; }
h3 { font-size: 17px; margin: 26px 0 10px; }
.meta { margin: 0; color: var(--muted); font-size: 14px; }
code { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .86em; overflow-wrap: anywhere; word-break: break-word; }
.verdict { display: flex; gap: 20px; align-items: flex-start; margin: 24px 0 8px; padding: 20px 24px; border: 2px solid; border-left-width: 10px; border-radius: 8px; }
.verdict.pass { border-color: var(--pass-fg); background: var(--pass-bg); }
.verdict.fail { border-color: var(--fail-fg); background: var(--fail-bg); }
.verdict.warn { border-color: var(--warn-fg); background: var(--warn-bg); }
.verdict.warn .verdict-mark { background: var(--warn-fg); }
.verdict.warn .verdict-word { color: var(--warn-fg); }
table.answers { border-collapse: collapse; margin: 4px 0 10px; font-size: 15px; }
table.answers caption { text-align: left; font-size: 13px; color: var(--muted); }
table.answers th { text-align: left; padding: 4px 16px 4px 0; vertical-align: top; white-space: nowrap; }
table.answers td { padding: 4px 0; vertical-align: top; }
ul.findings { margin: 6px 0 0; padding-left: 20px; }
.code { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); }
.verdict-mark { flex: none; width: 56px; height: 56px; border-radius: 50%; display: flex; align-items: center; justify-content: center; font-size: 32px; font-weight: 700; color: #ffffff; }
.verdict.pass .verdict-mark { background: var(--pass-fg); }
.verdict.fail .verdict-mark { background: var(--fail-fg); }
.verdict h2 { margin: 0; padding: 0; border: 0; font-size: 24px; }
.verdict.pass .verdict-word { color: var(--pass-fg); }
.verdict.fail .verdict-word { color: var(--fail-fg); }
.verdict-detail { margin: 4px 0 8px; font-size: 16px; }
.verdict-stats { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 24px; font-size: 14px; }
.two-col { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0 32px; }
table { width: 100%; border-collapse: collapse; margin: 0 0 16px; font-size: 14px; }
caption { caption-side: top; text-align: left; font-size: 12px; font-weight: 600; letter-spacing: .04em; text-transform: uppercase; color: var(--muted); padding: 0 0 6px; }
th, td { text-align: left; vertical-align: top; padding: 7px 10px; border-bottom: 1px solid var(--line); }
thead th { background: var(--soft); border-bottom: 2px solid var(--line); font-size: 13px; white-space: nowrap; }
tbody th { font-weight: 600; }
table.kv th { width: 34%; color: var(--muted); font-weight: 600; }
table.kv td { overflow-wrap: anywhere; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.w-badge { width: 1%; white-space: nowrap; }
td.code code { white-space: nowrap; overflow-wrap: normal; word-break: normal; }
table.controls tbody { border-top: 2px solid var(--line); }
ul.missing { margin: 6px 0 0; padding-left: 16px; font-size: 12px; color: var(--warn-fg); }
table.controls th[scope="rowgroup"] { width: 22%; }
table.evidence { table-layout: fixed; }
table.evidence .c-path { width: 31%; } table.evidence .c-kind { width: 21%; } table.evidence .c-size { width: 9%; }
table.evidence td, table.evidence th { overflow-wrap: anywhere; }
table.controls tbody th[scope="rowgroup"] { background: var(--soft); }
tr.row-fail td, tr.row-fail th, tr.row-error td, tr.row-error th { background: #fff5f5; }
.badge { display: inline-block; white-space: nowrap; padding: 1px 9px; border-radius: 999px; font-size: 12.5px; font-weight: 700; border: 1px solid; line-height: 1.6; }
.badge.pass { color: var(--pass-fg); background: var(--pass-bg); border-color: #8fd3a0; }
.badge.fail { color: var(--fail-fg); background: var(--fail-bg); border-color: #f5a8ae; }
.badge.warn { color: var(--warn-fg); background: var(--warn-bg); border-color: #e6cc66; }
.badge.neutral { color: var(--neutral-fg); background: var(--neutral-bg); border-color: #c3cbd3; }
h2 .badge { font-size: 13px; }
.tag { display: inline-block; white-space: nowrap; padding: 0 7px; margin: 1px 0; border-radius: 4px; background: var(--neutral-bg); color: var(--neutral-fg); font-size: 12.5px; font-weight: 600; }
.sub { color: var(--muted); font-size: 12.5px; }
.digest { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; overflow-wrap: anywhere; word-break: break-all; font-weight: 400; }
code.expr { color: var(--muted); font-size: 12px; font-weight: 400; }
.muted { color: var(--muted); }
.note { color: var(--muted); font-style: italic; margin: 6px 0 16px; }
figure.chart { margin: 0 0 24px; display: grid; grid-template-columns: minmax(0, 3fr) minmax(260px, 2fr); gap: 12px 28px; align-items: center; padding: 16px; border: 1px solid var(--line); border-radius: 8px; }
figure.chart figcaption { grid-column: 1 / -1; font-size: 13px; color: var(--muted); }
.chart-svg { display: block; width: 100%; height: auto; max-width: 560px; margin-bottom: 8px; }
.chart-title { margin: 0 0 8px; font-weight: 700; }
table.data { font-size: 13px; }
table.data th, table.data td { padding: 4px 8px; }
table.data th { white-space: nowrap; }
table.data tbody th { white-space: normal; overflow-wrap: anywhere; }
table.data td.num { white-space: normal; }
footer { margin-top: 40px; padding-top: 16px; padding-bottom: 40px; border-top: 1px solid var(--line); color: var(--muted); font-size: 13px; }
@media (max-width: 820px) { .two-col, figure.chart { grid-template-columns: minmax(0, 1fr); } header.masthead, main, footer { width: calc(100% - 32px); } }
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 10pt; background: none; }
  header.masthead, main, footer { width: auto; max-width: none; }
  h1 { font-size: 20pt; }
  h2 { font-size: 14pt; margin-top: 18pt; break-after: avoid; page-break-after: avoid; }
  h3 { font-size: 12pt; break-after: avoid; page-break-after: avoid; }
  .verdict, .verdict.pass, .verdict.fail, .verdict.warn { background: none; break-inside: avoid; }
  .verdict.warn .verdict-mark { color: var(--warn-fg); background: none; }
  .verdict-mark { border: 2px solid currentColor; }
  .verdict.pass .verdict-mark { color: var(--pass-fg); background: none; }
  .verdict.fail .verdict-mark { color: var(--fail-fg); background: none; }
  .badge, .tag, thead th, tr.row-fail td, tr.row-fail th, tr.row-error td, tr.row-error th, table.controls tbody th[scope="rowgroup"] { background: none !important; }
  .two-col { display: block; }
  table { page-break-inside: auto; }
  tr, figure.chart, .card { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  caption { break-after: avoid; }
  figure.chart { grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); border-color: #999999; }
  table.data th { white-space: normal; }
  a { color: inherit; text-decoration: none; }
}
@media (forced-colors: active) { .badge, .verdict, figure.chart { border: 1px solid CanvasText; } }
`;
