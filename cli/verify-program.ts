import { Command, Option } from 'commander';
import type { Readable } from 'node:stream';
import type { SerializedBundle } from '@sigstore/bundle';
import type { RegistryOptions, VerifyImageOptions, VerifyImageResult } from '../src/commands/oci.js';
import type { ReportFormat } from '../src/commands/render.js';
import type { VerifyResult } from '../src/commands/verify.js';
import { UsageError, exitCodeForVerdict } from './exit-codes.js';
import {
  EXAMPLES,
  collectList,
  examplesText,
  identityFrom,
  parseSize,
  checkOscalFormat,
  policyLimitsFrom,
  withIdentityOptions,
  withRegistryOptions,
  withTimeout,
  type CliIo,
  type IdentityCliOptions,
  type PolicyLimitCliOptions,
  type RegistryCliOptions,
} from './options.js';
import { byteProgress } from './progress.js';

/** `evidence verify`'s options (those of registries and VSA signing only with the full CLI). */
export interface VerifyCliOptions extends IdentityCliOptions, RegistryCliOptions, PolicyLimitCliOptions {
  image?: string;
  integrityOnly?: boolean;
  quiet?: boolean;
  subject?: string[];
  subjectsFile?: string;
  attestation?: string;
  timestamps?: string;
  policy?: string;
  maxBundleSize?: string;
  format: ReportFormat;
  output?: string;
  json?: boolean;
  vsa?: string;
  vsaSign?: boolean;
  vsaKey?: string;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  /** False with --no-tsa. */
  tsa?: boolean;
}

/**
 * What `verify` needs beyond files: a registry (oci://, --image) and a signer
 * for --vsa-sign. The full CLI provides them; the one-file verifier for
 * auditors does not, so none of that code (OCI, Octokit, Fulcio, TUF) is
 * reachable from here, and esbuild leaves it out of evidence-verify.mjs.
 */
export interface RemoteVerification {
  registry(o: RegistryCliOptions): Promise<RegistryOptions>;
  open(reference: string, registry: RegistryOptions): Promise<Readable>;
  verifyImage(options: VerifyImageOptions): Promise<VerifyImageResult>;
  signVsa(o: VerifyCliOptions, bytes: Buffer, payloadType: string): Promise<SerializedBundle>;
}

/**
 * How the one-file verifier is invoked: `verify` is its only command and is
 * never typed, so its help shows `<invocation> [options] <bundle>` and
 * examples that run as shown.
 */
export interface StandaloneUsage {
  /** How the file is run, e.g. `node evidence-verify.mjs`. */
  invocation: string;
}

/** `evidence verify`, added to `program`; with `remote`, also from registries and with a signed VSA. */
export function addVerifyCommand(
  program: Command,
  io: CliIo,
  outcome: { exitCode: number },
  remote?: RemoteVerification,
  standalone?: StandaloneUsage,
): Command {
  let cmd = program.command('verify');
  if (remote) cmd = withRegistryOptions(withTimeout(cmd));
  cmd = withIdentityOptions(cmd)
    .description(
      remote
        ? 'verify a bundle offline: integrity, then signature and signer; or straight from an OCI registry'
        : 'verify a bundle offline: integrity, then signature and signer',
    )
    .argument(
      remote ? '[bundle]' : '<bundle>',
      remote ? 'the bundle (.tar.gz), or oci://REGISTRY/REPOSITORY:TAG|@sha256:…' : 'the bundle (.tar.gz)',
    );
  if (remote)
    cmd.option(
      '--image <oci-ref>',
      'verify the newest evidence bundle that refers to this container image (and that its statement covers the image)',
    );
  cmd
    .option('--integrity-only', 'check the content only, not the signature (the report says so)')
    .option('-q, --quiet', 'no progress output')
    .option('--subject <file>', 'release artifact to re-hash and find among the subjects; repeatable', collectList)
    .option(
      '--subjects-file <file>',
      'a sha256sum list (<hex>  <name> lines) of release artifacts, each found among the subjects and reported',
    )
    .option('--attestation <file>', 'the Sigstore bundle, when kept outside the evidence bundle')
    .option(
      '--timestamps <file>',
      'archive timestamps renewing the signature (NAME.timestamps.json from sign --timestamp-only): each is verified',
    )
    .option('--policy <file>', 'a policy (YAML or JSON) to evaluate over the evidence; failing it exits 3')
    .option(
      '--max-bundle-size <size>',
      'refuse a bundle whose manifest declares more than this in blobs, before reading them (e.g. 20GiB; default 8GiB)',
    )
    .option(
      '--policy-max-cost <elements>',
      'list elements one policy rule may visit before it stops as an error (default 1000000)',
    )
    .option('--policy-timeout <seconds>', 'time the whole policy may take; rules left then are errors (default 10)')
    .addOption(
      new Option('--format <format>', 'report format (oscal: OSCAL 1.1.3 assessment results, controls from the policy)')
        .choices(['text', 'json', 'markdown', 'html', 'oscal'])
        .default('text'),
    )
    .option('-o, --output <file>', 'write the report to this file (default: standard output)')
    .option('--json', 'same as --format json')
    .option('--vsa <file>', 'also write a SLSA verification summary attestation (in-toto statement)');
  if (remote) {
    cmd
      .option('--vsa-sign', 'sign the VSA as evidence sign would (FILE.sigstore.json beside it)')
      .option('--vsa-key <key.pem>', 'sign the VSA with this private key instead of keylessly')
      .option(
        '--identity-token <jwt>',
        'VSA keyless signing: OIDC token (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)',
      )
      .option('--fulcio-url <url>', 'VSA keyless signing: Fulcio')
      .option('--rekor-url <url>', 'VSA signing: Rekor')
      .option('--tsa-url <url>', 'VSA signing: timestamp authority')
      .option('--no-tsa', 'VSA signing: no RFC 3161 timestamp');
  }
  const examples = EXAMPLES.verify ?? [];
  if (standalone) {
    cmd.configureHelp({ commandUsage: () => `${standalone.invocation} [options] <bundle>` });
    cmd.addHelpText(
      'after',
      examplesText(examples.map((e) => e.replace(/^evidence verify /, `${standalone.invocation} `))),
    );
  } else cmd.addHelpText('after', examplesText(examples));
  return cmd.action(async (given: string | undefined, o: VerifyCliOptions) => {
    const { verify } = await import('../src/commands/verify.js');
    const { renderReport, appendStepSummary, writeOutput } = await import('../src/commands/render.js');
    if (given && o.image) throw new UsageError('give a bundle or --image, not both');
    if (!given && !o.image) throw new UsageError('give a bundle (a file or oci://…) or --image oci://…');
    checkOscalFormat(o.json ? 'json' : o.format, o);
    // A VSA states that the bundle passed verification; integrity alone is not that (its verdict is integrity-only).
    if (o.vsa && o.integrityOnly)
      throw new UsageError(
        '--vsa states that the bundle passed verification, and --integrity-only checks no signature: give one of them',
      );
    let bundle = given as string;
    const fromRegistry = Boolean(o.image) || bundle.startsWith('oci://');
    if (fromRegistry && !remote)
      throw new UsageError(
        'this verifier reads bundle files only; download the bundle first (evidence pull, or from the release)',
      );
    const registry = fromRegistry && remote ? await remote.registry(o) : {};
    const common = {
      cwd: io.cwd,
      env: io.env,
      integrityOnly: o.integrityOnly,
      subject: o.subject,
      ...(o.subjectsFile ? { subjectsFile: o.subjectsFile } : {}),
      attestation: o.attestation,
      ...(o.timestamps ? { timestamps: o.timestamps } : {}),
      trustedRoot: o.trustedRoot,
      key: o.key,
      identity: identityFrom(o),
      policy: o.policy,
      policyLimits: policyLimitsFrom(o),
      ...(o.maxBundleSize !== undefined ? { maxBundleSize: parseSize(o.maxBundleSize, '--max-bundle-size') } : {}),
    };
    let result: VerifyResult;
    if (o.image && remote) {
      const r = await remote.verifyImage({ ...common, image: o.image, registry });
      if (!o.quiet)
        io.stderr.write(
          `evidence for ${r.image.reference}: ${r.evidence}${r.candidates.length > 1 ? ` (the newest authentic of ${r.candidates.length}: ${r.candidates.map((c) => `${c.reference.split('@')[1]?.slice(7, 19)} ${c.verdict}${c.created ? ` ${c.created}` : ''}`).join(', ')})` : ''}${r.more ? `; ${r.more} more not read` : ''}\n`,
        );
      result = r;
      bundle = r.evidence;
    } else {
      const ref = bundle;
      const open = fromRegistry && remote ? { open: () => remote.open(ref, registry) } : {};
      const bar = byteProgress(io, { quiet: o.quiet, json: o.json || o.format === 'json' });
      result = await verify({ ...common, bundle, ...open, ...(bar.onBytes ? { onBytes: bar.onBytes } : {}) }).finally(
        bar.stop,
      );
    }
    const { report, manifest } = result;
    const format = o.json ? 'json' : o.format;
    if (format === 'text' && !report.bundle.manifestDigest) {
      const { notABundle } = await import('../src/verifier/errors.js');
      throw notABundle(
        bundle,
        report.checks.filter((c) => !c.ok && !c.skipped).map((c) => c.message),
      );
    }
    const { loadPolicyFile } = await import('../src/load/policy.js');
    const text = renderReport(
      format,
      report,
      manifest,
      format === 'oscal' && o.policy ? await loadPolicyFile(io.cwd, o.policy) : undefined,
    );
    if (o.output) await writeOutput(io.cwd, o.output, text);
    else io.stdout.write(text);
    await appendStepSummary(io.env, io.cwd, report, manifest);
    if (o.vsa) {
      const { writeVsa } = await import('../src/commands/vsa.js');
      const sign =
        o.vsaSign && remote ? (bytes: Buffer, payloadType: string) => remote.signVsa(o, bytes, payloadType) : undefined;
      const written = await writeVsa({
        cwd: io.cwd,
        env: io.env,
        output: o.vsa,
        bundle,
        result,
        policy: o.policy,
        identity: identityFrom(o),
        ...(sign ? { sign } : {}),
      });
      if (!o.quiet)
        io.stderr.write(
          `wrote ${written.files.join(', ')}${written.notPassed ? ` (the VSA says FAILED: ${written.notPassed})` : ''}\n`,
        );
    }
    outcome.exitCode = exitCodeForVerdict(report.verdict, report.ok);
  });
}
