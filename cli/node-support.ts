/**
 * The Node.js lines evidence is built and tested for, as package.json's
 * `engines` states them: 22, 24, and 26 onwards. On any other line the CLI
 * still runs, but says once on standard error that its results are untested
 * there (never on standard output, where `--version` and JSON reports go).
 */
export const SUPPORTED_NODE_LINES = '22, 24, 26';

/**
 * The warning for a Node version (`process.versions.node`, with or without a `v`), or undefined on a supported line.
 */
export function nodeVersionWarning(version: string): string | undefined {
  const major = Number(/^v?(\d+)(?:\.|$)/.exec(version.trim())?.[1] ?? NaN);
  if (major === 22 || major === 24 || major >= 26) return undefined;
  return `evidence: Node ${Number.isNaN(major) ? version : major} is not supported (${SUPPORTED_NODE_LINES}); results are untested here\n`;
}

/** Writes the warning, unless EVIDENCE_NO_NODE_WARNING is set (to anything but 0 or the empty string). */
export function warnOnUnsupportedNode(
  version: string,
  env: Record<string, string | undefined>,
  stderr: { write(s: string): unknown },
): void {
  const quiet = env.EVIDENCE_NO_NODE_WARNING;
  if (quiet !== undefined && quiet !== '' && quiet !== '0') return;
  const warning = nodeVersionWarning(version);
  if (warning) stderr.write(warning);
}
