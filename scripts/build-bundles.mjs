#!/usr/bin/env node
// Builds the two one-file programs, each with every dependency inlined, that
// run with Node alone:
//   dist/evidence-verify.mjs  `evidence verify` for auditors (public-good root embedded)
//   dist/action/index.mjs     the GitHub Action's entry (action.yml)
// Both are committed, as JavaScript actions must be; test/action checks that
// they are what this script makes from the sources. It also builds the
// `evidence` command the package ships (package.json's bin), not committed:
//   dist/bin/evidence.js      cli/bin.ts with its dependencies, each command's
//                             code in chunks (dist/bin/chunks/) loaded when
//                             that command runs
//   dist/bin/top-help.txt     `evidence --help`, rendered once (at the end)
// libxml2-wasm (1 MB of WebAssembly, only used to validate XML SBOMs, loaded
// on first use) stays out.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  external: ['libxml2-wasm'],
  legalComments: 'eof',
  // CommonJS dependencies call require(); give them one in the ES module.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

// The auditor's verifier must stand alone: none of the code that talks to
// GitHub, signs, or refreshes trust over the network may be in it.
const FORBIDDEN_IN_VERIFIER = [
  /node_modules\/@octokit\//,
  /node_modules\/@sigstore\/sign\//,
  /node_modules\/@sigstore\/tuf\//,
  /node_modules\/tuf-js\//,
];
// 1 MB (10^6 bytes): what an auditor downloads and reads through is kept
// small. What makes it up is measured with `npx esbuild --analyze`
// (docs/performance.md): zod is imported as a namespace (`import * as z`)
// everywhere so that only the parts used are kept (its 40 locales and JSON
// Schema converters are not), and YAML is read by js-yaml (46 KB, where
// eemeli/yaml was 115 KB).
const MAX_VERIFIER_BYTES = 1_100_000;

// The command line as a few chunks instead of 400 modules (issue 28): `evidence collect` loaded 412 files, 95 of them
// zod's (its 48 locales among them, which bundling leaves out), and resolving and reading them was a third of a small
// collect. Dynamic imports stay chunks of their own, so each command still loads only its code. Kept out: what finds
// files of its own beside its code (WebAssembly: libxml2-wasm, node-sqlite3-wasm; playwright-core's browser
// registry), the progress bar (required from its package when drawn), and pg's optional native binding.
const binDir = new URL('../dist/bin/', import.meta.url).pathname;
rmSync(binDir, { recursive: true, force: true });

// The one-file verifier is two parts in one file (issue 28). An ES module compiles all of its text before any of it
// runs: as one 1 MB module, `--version` waited 78 ms for it. So its program (cli/verify-main.ts and everything it
// reaches) is built as the body of a CommonJS function, kept in the file as one string literal, which V8 only scans;
// the few lines of cli/verify-standalone.ts answer `--version`, and compile that body (a classic script, about half
// the module's compile time) only for any other command line. Everything the program reads of import.meta is its url,
// given to it as __evidenceFileUrl.
const program = await build({
  ...common,
  format: 'cjs',
  banner: {},
  define: { 'import.meta.url': '__evidenceFileUrl' },
  metafile: true,
  minify: true,
  charset: 'utf8',
  write: false,
  entryPoints: [new URL('../cli/verify-main.ts', import.meta.url).pathname],
});
const programText = program.outputFiles[0].text;
// cli/verify-standalone.ts imports './verify-main.js' when run from the sources; in the file, that import is this.
const embedProgram = {
  name: 'embed-verify-program',
  setup(b) {
    b.onResolve({ filter: /^\.\/verify-main\.js$/ }, () => ({ path: 'verify-main', namespace: 'embedded-program' }));
    b.onLoad({ filter: /.*/, namespace: 'embedded-program' }, () => ({
      loader: 'js',
      contents: `import { createRequire } from 'node:module';
import { compileFunction, constants } from 'node:vm';
import { fileURLToPath } from 'node:url';
const module = { exports: {} };
compileFunction(${JSON.stringify(programText)}, ['require', 'module', 'exports', '__evidenceFileUrl'], {
  filename: \`\${fileURLToPath(import.meta.url)} (its program)\`,
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
})(createRequire(import.meta.url), module, module.exports, import.meta.url);
`,
    }));
  },
};

const [verifier] = await Promise.all([
  // Minified. Error names are set by EvidenceError itself (src/core/error.ts),
  // so keeping every function's name (keepNames, 43 KB) buys nothing a user
  // sees. Non-ASCII text (…, →, §) is kept as UTF-8 rather than escaped.
  build({
    ...common,
    banner: {},
    metafile: true,
    minify: true,
    charset: 'utf8',
    plugins: [embedProgram],
    entryPoints: [new URL('../cli/verify-standalone.ts', import.meta.url).pathname],
    outfile: new URL('../dist/evidence-verify.mjs', import.meta.url).pathname,
  }),
  build({
    ...common,
    entryPoints: [new URL('../cli/action.ts', import.meta.url).pathname],
    outfile: new URL('../dist/action/index.mjs', import.meta.url).pathname,
  }),
  build({
    ...common,
    external: ['libxml2-wasm', 'node-sqlite3-wasm', 'playwright-core', 'pg-native', 'cli-progress'],
    minify: true,
    charset: 'utf8',

    splitting: true,
    entryPoints: { evidence: new URL('../cli/bin.ts', import.meta.url).pathname },
    outdir: binDir,
    chunkNames: 'chunks/[name]-[hash]',
  }),
]);

const inputs = Object.keys(program.metafile.inputs);
const forbidden = inputs.filter((i) => FORBIDDEN_IN_VERIFIER.some((re) => re.test(i)));
if (forbidden.length)
  throw new Error(
    `dist/evidence-verify.mjs must not contain ${[
      ...new Set(
        forbidden.map((f) =>
          f
            .replace(/^.*node_modules\//, '')
            .split('/')
            .slice(0, 2)
            .join('/'),
        ),
      ),
    ].join(', ')}`,
  );
const size = Object.values(verifier.metafile.outputs)[0].bytes;
if (size > MAX_VERIFIER_BYTES)
  throw new Error(
    `dist/evidence-verify.mjs is ${size} bytes; at most ${MAX_VERIFIER_BYTES} (what makes it up: npx esbuild --analyze)`,
  );

// `evidence --help` alone, as commander prints it when its output is not a terminal, rendered once here by the
// unbundled command line (compiled by tsc before this script runs) and printed by the bundle without loading
// commander (cli/help-only.ts; issue 28). test/cli/help-only.test.ts compares the two.
const help = spawnSync(process.execPath, [new URL('../dist/cli/bin.js', import.meta.url).pathname, '--help'], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'pipe'],
});
if (help.status !== 0 || !help.stdout.startsWith('Usage: evidence'))
  throw new Error(`dist/cli/bin.js --help exited ${help.status}: ${help.stderr}`);
writeFileSync(new URL('top-help.txt', new URL('../dist/bin/', import.meta.url)), help.stdout);
