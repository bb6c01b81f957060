import { Option, type Command } from 'commander';
import type { ReportFormat } from '../../src/commands/render.js';
import { counted } from '../../src/present/words.js';
import {
  UsageError,
  exitCodeForDiff,
  exitCodeForAttestationSet,
  exitCodeForOk,
  exitCodeForVerdict,
} from '../exit-codes.js';
import {
  collectList,
  identityFrom,
  parseSize,
  withIdentityOptions,
  type CliIo,
  type IdentityCliOptions,
} from '../options.js';
import { byteProgress } from '../progress.js';

/**
 * The commands that read a bundle or an attestation besides verify (cli/verify-program.ts): verify-attestation, report,
 * diff, inspect, extract.
 */

/** `evidence verify-attestation`'s options. */
interface VerifyAttestationCliOptions extends IdentityCliOptions {
  artifact?: string[];
  digest?: string;
  subjectsFile?: string;
  predicateType?: string;
  json?: boolean;
}

/** `evidence report`'s options. */
interface ReportCliOptions extends IdentityCliOptions {
  output?: string;
  format: Exclude<ReportFormat, 'oscal'>;
  integrityOnly?: boolean;
  quiet?: boolean;
  attestation?: string;
}

/** `evidence extract`'s options. */
interface ExtractCliOptions extends IdentityCliOptions {
  output: string;
  integrityOnly?: boolean;
  attestation?: string;
  maxBundleSize?: string;
  quiet?: boolean;
  json?: boolean;
}

/** `evidence verify-attestation`. */
export function addVerifyAttestation(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  withIdentityOptions(
    program
      .command('verify-attestation')
      .description('verify any Sigstore bundle (DSSE or message signature) offline against an artifact or a digest')
      .argument('<attestation>', 'the Sigstore bundle (.sigstore.json), or several as JSON lines (.sigstore.jsonl)')
      .option('--artifact <file>', 'the artifact it is about; repeatable', collectList)
      .option('--digest <alg:hex>', "the artifact's digest instead (sha256 or sha512)")
      .option('--subjects-file <file>', 'a sha256sum list (<hex>  <name> lines) of artifacts, each reported')
      .option('--predicate-type <uri>', 'only statements of this predicate type count (e.g. https://cyclonedx.org/bom)')
      .option('--json', 'print the report as JSON'),
  ).action(async (attestation: string, o: VerifyAttestationCliOptions) => {
    const artifacts: string[] = o.artifact ?? [];
    const many =
      artifacts.length > 1 ||
      o.subjectsFile !== undefined ||
      o.predicateType !== undefined ||
      /\.jsonl$/i.test(attestation);
    if (many) {
      if (o.digest) throw new UsageError('--digest names one artifact; with several, use --subjects-file');
      const { verifyAttestationSet } = await import('../../src/commands/verify-attestation.js');
      const { formatAttestationSetText } = await import('../../src/present/text.js');
      const { report } = await verifyAttestationSet({
        cwd: io.cwd,
        env: io.env,
        attestation,
        artifacts,
        subjectsFile: o.subjectsFile,
        predicateType: o.predicateType,
        trustedRoot: o.trustedRoot,
        key: o.key,
        identity: identityFrom(o),
      });
      io.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatAttestationSetText(report));
      outcome.exitCode = exitCodeForAttestationSet(report.verdict);
      return;
    }
    const { verifyAttestation } = await import('../../src/commands/verify-attestation.js');
    const { formatAttestationText } = await import('../../src/present/text.js');
    const { report } = await verifyAttestation({
      cwd: io.cwd,
      env: io.env,
      attestation,
      artifact: artifacts[0],
      digest: o.digest,
      trustedRoot: o.trustedRoot,
      key: o.key,
      identity: identityFrom(o),
    });
    io.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatAttestationText(report));
    outcome.exitCode = exitCodeForOk(report.ok);
  });
}

/** `evidence report`. */
export function addReport(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  withIdentityOptions(
    program
      .command('report')
      .description('an audit report of a bundle (verification, signer, evidence, charts), without a policy')
      .argument('<bundle>', 'the bundle (.tar.gz)')
      .option('-o, --output <file>', 'write the report to this file (default: standard output)')
      .addOption(
        new Option('--format <format>', 'report format').choices(['html', 'markdown', 'json', 'text']).default('html'),
      )
      .option('--integrity-only', 'do not check the signature (the report says so)')
      .option('-q, --quiet', 'no progress output')
      .option('--attestation <file>', 'the Sigstore bundle, when kept outside the evidence bundle'),
  ).action(async (bundle: string, o: ReportCliOptions) => {
    const { verify } = await import('../../src/commands/verify.js');
    const { renderReport, writeOutput } = await import('../../src/commands/render.js');
    const bar = byteProgress(io, { quiet: o.quiet, json: o.format === 'json' });
    const { report, manifest } = await verify({
      cwd: io.cwd,
      env: io.env,
      bundle,
      integrityOnly: o.integrityOnly,
      attestation: o.attestation,
      trustedRoot: o.trustedRoot,
      key: o.key,
      identity: identityFrom(o),
      ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
    }).finally(bar.stop);
    const rendered = renderReport(o.format, report, manifest);
    if (o.output) {
      await writeOutput(io.cwd, o.output, rendered);
      const { headline, assess } = await import('../../src/verifier/assessment.js');
      const a = report.assessment ?? assess(report, manifest?.entries);
      io.stderr.write(
        `wrote ${o.output}: ${headline(a).word} (${a.authenticity.summary}; evidence: ${a.evidence.status})\n`,
      );
    } else io.stdout.write(rendered);
    outcome.exitCode = exitCodeForVerdict(report.verdict, report.ok);
  });
}

/** `evidence diff`. */
export function addDiff(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  program
    .command('diff')
    .description(
      "what changed between two releases' bundles: components, licenses, findings, tests, coverage, SLOs, DORA",
    )
    .argument('<old>', 'the earlier bundle')
    .argument('<new>', 'the later bundle')
    .option('--json', 'print the differences as JSON')
    .option(
      '--exit-code',
      "exit 4 when the releases' evidence or subjects differ, 0 when they do not (git diff --exit-code says 1, which here is a bundle that failed its integrity check)",
    )
    .action(async (oldBundle: string, newBundle: string, o: { json?: boolean; exitCode?: boolean }) => {
      const { diff } = await import('../../src/commands/diff.js');
      const { formatDiff } = await import('../../src/present/diff-text.js');
      const result = await diff({ cwd: io.cwd, old: oldBundle, new: newBundle });
      io.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatDiff(result));
      if (o.exitCode) outcome.exitCode = exitCodeForDiff(result.differs);
    });
}

/** `evidence inspect`. */
export function addInspect(program: Command, io: CliIo): void {
  program
    .command('inspect')
    .description("show a bundle's manifest (without verifying it)")
    .argument('<bundle>', 'the bundle (.tar.gz)')
    .option('--json', 'print the manifest summary as JSON')
    .action(async (bundle: string, o: { json?: boolean }) => {
      const { inspect } = await import('../../src/commands/inspect.js');
      const { formatInspect } = await import('../../src/present/text.js');
      const result = await inspect({ cwd: io.cwd, bundle });
      io.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatInspect(result));
    });
}

/** `evidence extract`. */
export function addExtract(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  withIdentityOptions(
    program
      .command('extract')
      .description(
        'verify a bundle as verify does (signature and signer, or --integrity-only), then write its entries under their logical paths',
      )
      .argument('<bundle>', 'the bundle (.tar.gz)')
      .addOption(new Option('-o, --output <dir>', 'directory to create (absent or empty)').makeOptionMandatory())
      .option('--integrity-only', 'check the content only, not the signature (the output says so)')
      .option('--attestation <file>', 'the Sigstore bundle, when kept outside the evidence bundle')
      .option('--max-bundle-size <size>', "as verify's (default 8GiB)")
      .option('-q, --quiet', 'no progress output')
      .option('--json', 'print the verification report as JSON'),
  ).action(async (bundle: string, o: ExtractCliOptions) => {
    const { extract } = await import('../../src/commands/extract.js');
    const { formatVerifyText } = await import('../../src/present/text.js');
    const bar = byteProgress(io, { quiet: o.quiet, json: o.json });
    const result = await extract({
      cwd: io.cwd,
      env: io.env,
      bundle,
      output: o.output,
      integrityOnly: o.integrityOnly,
      attestation: o.attestation,
      trustedRoot: o.trustedRoot,
      key: o.key,
      identity: identityFrom(o),
      ...(o.maxBundleSize !== undefined ? { maxBundleSize: parseSize(o.maxBundleSize, '--max-bundle-size') } : {}),
      ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
    }).finally(bar.stop);
    const how =
      result.report.mode === 'integrity-only'
        ? 'integrity only: the signature was NOT checked'
        : `signature verified${result.report.signature?.identity ? `, signed by ${result.report.signature.identity}` : result.report.signature?.key ? `, key ${result.report.signature.key}` : ''}`;
    if (o.json)
      io.stdout.write(
        `${JSON.stringify({ ...result.report, output: result.output ?? null, files: result.files, record: result.record ?? null }, null, 2)}\n`,
      );
    else if (result.output)
      io.stdout.write(
        `extracted ${counted(result.files.length, 'entry', 'entries')} to ${result.output} (${how}); how it was checked: ${result.record}\n`,
      );
    else io.stdout.write(formatVerifyText(result.report));
    outcome.exitCode = exitCodeForVerdict(result.report.verdict, result.report.ok);
  });
}
