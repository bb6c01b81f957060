import type { Command } from 'commander';
import type { CollectProgress } from '../../src/commands/collect.js';
import { counted } from '../../src/present/words.js';
import {
  collectList,
  doraFrom,
  changesFrom,
  identityFrom,
  registryFrom,
  signedLines,
  signingFrom,
  timeoutFrom,
  withCertificateOptions,
  withRegistryOptions,
  withSigningOptions,
  withTimeout,
  type CertificateCliOptions,
  type CliIo,
  type DoraCliOptions,
  type RegistryCliOptions,
  type SigningCliOptions,
} from '../options.js';
import { byteProgress, stepProgress } from '../progress.js';

/** The commands that make a bundle: collect and sign. */

/** `evidence collect`'s options. */
interface CollectCliOptions extends CertificateCliOptions, SigningCliOptions, RegistryCliOptions, DoraCliOptions {
  output?: string;
  name?: string;
  version?: string;
  sbom?: string[];
  sarif?: string[];
  scan?: string[];
  vex?: string[];
  kev?: string[];
  product?: string[];
  junit?: string[];
  file?: string[];
  subject?: string[];
  config?: string;
  sourceRepository?: string;
  sourceCommit?: string;
  sourceRef?: string;
  force?: boolean;
  quiet?: boolean;
  coverage?: string[];
  k6?: string[];
  terraformPlan?: string[];
  migrations?: string[];
  slo?: string[];
  prometheus?: string;
  prometheusHeader?: string[];
  sloSnapshot?: string[];
  dora?: boolean;
  asOf?: string;
  sign?: boolean;
  attestation?: string[];
  trustedRoot?: string[];
  attestationKey?: string[];
  subjectImage?: string[];
  apiUrl?: string;
}

/** `evidence sign`'s options. */
interface SignCliOptions extends SigningCliOptions {
  quiet?: boolean;
  timestampOnly?: boolean;
}

/** `evidence collect`, with an action that collects and, with --sign, signs. */
export function addCollect(program: Command, io: CliIo): void {
  collectCommand(program).action(async (o: CollectCliOptions) => {
    const { collect } = await import('../../src/commands/collect.js');
    const steps = stepProgress(io, { quiet: o.quiet });
    const source = Object.fromEntries(
      Object.entries({ repository: o.sourceRepository, commit: o.sourceCommit, ref: o.sourceRef }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    const bytesBar = byteProgress(io, { quiet: o.quiet });
    const stop = (): void => {
      steps.stop();
      bytesBar.stop();
    };
    const result = await collect({
      ...(bytesBar.onBytes ? { onBytes: bytesBar.onBytes } : {}),
      cwd: io.cwd,
      env: io.env,
      output: o.output,
      name: o.name,
      version: o.version,
      sbom: o.sbom,
      sarif: o.sarif,
      scan: o.scan,
      vex: o.vex,
      kev: o.kev,
      product: o.product,
      junit: o.junit,
      coverage: o.coverage,
      k6: o.k6,
      terraformPlan: o.terraformPlan,
      migrations: o.migrations,
      file: o.file,
      subject: o.subject,
      ...(o.subjectImage ? { subjectImage: o.subjectImage, registry: await registryFrom(o, io) } : {}),
      config: o.config,
      force: o.force,
      source,
      attestation: o.attestation,
      slo: o.slo,
      prometheus: o.prometheus,
      prometheusHeader: o.prometheusHeader,
      sloSnapshot: o.sloSnapshot,
      asOf: o.asOf,
      ...(o.dora ? { dora: doraFrom(o) } : {}),
      ...(changesFrom(o) ? { changes: changesFrom(o) } : {}),
      ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}),
      ...(o.quiet ? {} : { onNotice: (m: string) => io.stderr.write(`evidence: ${m}\n`) }),
      // collect's --source-repository sets the manifest's source, not who signed attestations.
      identity: identityFrom(o, { github: false }),
      trustedRoot: o.trustedRoot,
      attestationKey: o.attestationKey,
      ...timeoutFrom(o),
      ...(steps.active
        ? {
            onProgress: (e: CollectProgress) =>
              steps.step(e.phase === 'writing' ? `writing ${e.output}` : `${e.phase} ${e.done}/${e.total}: ${e.label}`),
          }
        : {}),
      // Signed as it is written: the bundle is written once, attestations inside.
      ...(o.sign ? { sign: signingFrom(o, io.stderr) } : {}),
    }).finally(stop);
    if (!o.quiet) {
      io.stdout.write(
        `wrote ${result.output}: ${counted(result.manifest.entries.length, 'evidence entry', 'evidence entries')}, ${counted(result.manifest.subjects.length, 'subject')}\n`,
      );
      if (result.signed) io.stdout.write(signedLines(result.signed));
    }
  });
}

/** `evidence collect` and its options, without its action. */
function collectCommand(program: Command): Command {
  program
    .command('collect')
    .description('validate and summarise evidence, hash release subjects, and write a bundle')
    .option('-o, --output <file>', 'the bundle to write (.tar.gz)')
    .option('--name <name>', 'what is released (e.g. the package or service)')
    .option('--version <version>', 'the release version')
    .option(
      '--sbom <file>',
      'CycloneDX (JSON/XML 1.2–1.7) or SPDX 2.3 (JSON/tag-value) SBOM; repeatable, globs allowed',
      collectList,
    )
    .option('--sarif <file>', 'SARIF 2.1.0 log; repeatable, globs allowed', collectList)
    .option(
      '--scan <file>',
      "a scanner's own JSON report: Grype, Trivy, OSV-Scanner, npm audit --json, OWASP ZAP (recognised from the content); repeatable, globs allowed",
      collectList,
    )
    .option(
      '--vex <file>',
      'a VEX document applied to the scans: OpenVEX 0.2.0, CSAF 2.0 VEX, CycloneDX VEX; repeatable, globs allowed',
      collectList,
    )
    .option(
      '--kev <file>',
      "CISA's Known Exploited Vulnerabilities catalog (its JSON, saved to a file): marks findings known exploited",
      collectList,
    )
    .option(
      '--product <purl>',
      'a purl the release is known as, that VEX statements name as their product (besides pkg:generic/NAME@VERSION); repeatable',
      collectList,
    )
    .option('--junit <file>', 'JUnit XML report; repeatable, globs allowed', collectList)
    .option('--file <file[=kind]>', 'any file, stored as the kind named (default "file"); repeatable', collectList)
    .option(
      '--subject <file>',
      'release artifact the evidence is about (hashed, not stored); repeatable, globs allowed',
      collectList,
    )
    .option('-c, --config <file>', 'evidence.yaml declaring the same; flags add to it')
    .option('--source-repository <url>', 'override the detected source repository')
    .option('--source-commit <sha>', 'override the detected source commit')
    .option('--source-ref <ref>', 'override the detected source ref')
    .option('-f, --force', 'replace the output file if it exists')
    .option('-q, --quiet', 'no progress output')
    .option(
      '--coverage <file>',
      'coverage report: lcov, Cobertura XML or istanbul json-summary; repeatable',
      collectList,
    )
    .option('--k6 <file>', 'k6 summary (--summary-export or handleSummary JSON); repeatable', collectList)
    .option('--terraform-plan <file>', '`terraform show -json` of a plan; repeatable', collectList)
    .option(
      '--migrations <dir>',
      'directory of SQL migrations, checked for destructive statements; repeatable',
      collectList,
    )
    .option('--slo <file>', 'SLO definitions (Sloth prometheus/v1 or OpenSLO v1) to evaluate; repeatable', collectList)
    .option('--prometheus <url>', 'Prometheus to evaluate --slo against')
    .option(
      '--prometheus-header <header>',
      '"Name: value" sent to Prometheus (e.g. auth); never stored; repeatable',
      collectList,
    )
    .option(
      '--slo-snapshot <file>',
      'a saved SLO snapshot, for jobs that cannot reach Prometheus; repeatable',
      collectList,
    )
    .option('--dora', 'take a DORA snapshot (needs --git and --deployments)')
    .option('--git <dir>', 'DORA and --changes: the git repository (for --changes, default the working directory)')
    .option(
      '--changes <range>',
      'record every change of FROM..TO (tags or commits), or auto (the previous tag up to HEAD): commits, authors, trailers, signatures (docs/changes.md)',
    )
    .option('--allowed-signers <file>', '--changes: an SSH allowed-signers file, so SSH-signed commits can be verified')
    .option(
      '--github-repo <owner/name>',
      "--changes: ask GitHub how each change landed (pull request, approvals, checks, branch rules); 'remote' for the repository origin points at; token from GITHUB_TOKEN or GH_TOKEN",
    )
    .option(
      '--github-branch <name>',
      "--changes with --github-repo: the branch whose rules are read (default: the repository's default branch)",
    )
    .option(
      '--api-url <url>',
      'GitHub Enterprise Server: https://HOST/api/v3 (default GITHUB_API_URL, else api.github.com)',
    )
    .option(
      '--emergency-label <name>',
      '--changes with --github-repo: a pull request label that marks an emergency change; repeatable',
      collectList,
    )
    .option(
      '--emergency-trailer <name>',
      '--changes: a commit trailer that marks an emergency change (e.g. Emergency); repeatable',
      collectList,
    )
    .option('--deployments <file>', 'DORA: deployments, JSON Lines or GitHub Deployments API JSON')
    .option('--incidents <file>', 'DORA: incidents, JSON Lines or GitHub issues JSON')
    .option('--environment <name>', 'DORA: the environment counted (default production)')
    .option('--window <duration>', 'DORA: the window before --as-of (default 30d)')
    .option('--incident-label <label>', 'DORA: the label that marks GitHub issues as incidents (default incident)')
    .option('--as-of <time>', 'the instant snapshots are evaluated at (RFC 3339; default SOURCE_DATE_EPOCH, else now)')
    .option('--sign', 'sign the bundle once written (see evidence sign)')
    .option(
      '--attestation <file>',
      'an existing Sigstore bundle (e.g. SLSA provenance) to take in, verified first; repeatable',
      collectList,
    )
    .option(
      '--trusted-root <file>',
      'trusted root for --attestation files (default: public-good, embedded); repeatable',
      collectList,
    )
    .option('--attestation-key <pub.pem>', 'public key for key-signed --attestation files; repeatable', collectList)
    .option(
      '--subject-image <oci-ref>',
      'a container image released with this bundle (oci://REGISTRY/REPO:TAG or @sha256:…): its digest becomes a subject; repeatable',
      collectList,
    );
  withRegistryOptions(program.commands.at(-1) as Command);
  withTimeout(program.commands.at(-1) as Command);
  withCertificateOptions(program.commands.at(-1) as Command, '--attestation files');
  return withSigningOptions(program.commands.at(-1) as Command);
}

/** `evidence sign`. */
export function addSign(program: Command, io: CliIo): void {
  withSigningOptions(
    withTimeout(program.command('sign'))
      .description(
        'sign a bundle: an in-toto statement in a DSSE envelope, as a Sigstore bundle inside it and beside it',
      )
      .argument('<bundle>', 'the bundle (.tar.gz); with --timestamp-only, it or its NAME.sigstore.json')
      .option('-q, --quiet', 'no progress output')
      .option(
        '--timestamp-only',
        'sign nothing: add an RFC 3161 archive timestamp over the existing signature to NAME.timestamps.json, to renew an archive before its timestamp authorities expire (docs/signing.md)',
      ),
  ).action(async (bundle: string, o: SignCliOptions) => {
    const { renewArchive, sign } = await import('../../src/commands/sign.js');
    if (o.timestampOnly) {
      const r = await renewArchive({ cwd: io.cwd, env: io.env, bundle, ...signingFrom(o, io.stderr) });
      io.stdout.write(
        `renewed: ${r.file} (${r.renewals} archive timestamp${r.renewals === 1 ? '' : 's'}; the last by ${r.tsa})\n` +
          // It timestamps the signature's bytes as they are: whether that signature verifies is verify's to say.
          'not checked here: the signature it timestamps (evidence verify --timestamps checks both)\n',
      );
      return;
    }
    const bar = byteProgress(io, { quiet: o.quiet });
    const signed = await sign({
      cwd: io.cwd,
      env: io.env,
      bundle,
      ...signingFrom(o, io.stderr),
      ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
    }).finally(bar.stop);
    io.stdout.write(signedLines(signed));
    if (signed.replaced) {
      const { describeReplaced } = await import('../../src/verifier/stated-signer.js');
      io.stderr.write(`evidence: ${bundle}: ${describeReplaced(signed.replaced)}\n`);
    }
  });
}
