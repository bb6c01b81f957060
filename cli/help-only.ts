import { builtinModule } from '../src/fs/builtin.js';

/**
 * `evidence --help` (or `-h`, or `help`) alone, answered before the command line is loaded (issue 28): building the
 * 18 commands' options to print their names took as long again as starting Node. The text is what commander prints
 * when its output is not a terminal (80 columns), rendered from the real command line when the package is built
 * (scripts/build-bundles.mjs writes it beside the bundle) and compared with it by test/cli/help-only.test.ts. On a
 * terminal, commander lays help out for the terminal's width, so it runs as before; so it does when the text is absent
 * (the unbundled dist/cli/bin.js).
 */
export function helpOnly(
  argv: readonly string[],
  stdout: { write(s: string): unknown; isTTY?: boolean },
  renderedText: () => string | undefined,
): boolean {
  if (argv.length !== 1 || (argv[0] !== '--help' && argv[0] !== '-h' && argv[0] !== 'help')) return false;
  if (stdout.isTTY) return false;
  const text = renderedText();
  if (text === undefined) return false;
  stdout.write(text);
  return true;
}

/** The rendered top-level help beside the running file (`top-help.txt`), or undefined when there is none. */
export function renderedTopHelp(moduleUrl: string): string | undefined {
  const fs = builtinModule('node:fs');
  try {
    return fs.readFileSync(new URL('./top-help.txt', moduleUrl), 'utf8');
  } catch {
    return undefined;
  }
}
