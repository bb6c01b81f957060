import { counted } from '../src/present/text.js';
import { Command, Option } from 'commander';
import { escapeValue } from '../src/present/terminal.js';
import { PACKAGE_VERSION } from '../src/version.js';
import { byteProgress } from './progress.js';
import { addVerifyCommand } from './verify-program.js';
import {
  EXAMPLES,
  collectList,
  doraFrom,
  examplesText,
  identityFrom,
  parseSize,
  registryFrom,
  runProgram,
  signedLines,
  signingFrom,
  timeoutFrom,
  withCertificateOptions,
  withIdentityOptions,
  withRegistryOptions,
  withSigningOptions,
  withTimeout,
  type CliIo,
  type CliStream,
} from './options.js';
import { ExitCode, UsageError, exitCodeForVerdict } from './exit-codes.js';

/**
 * The command line: commander wiring only. Each action calls a library
 * function from src/commands and prints its result; errors come back here
 * and become exit codes in one place.
 */
export type { CliIo, CliStream } from './options.js';

export async function run(argv: string[], raw: CliIo): Promise<number> {
  return runProgram(buildProgram, argv, raw);
}

/**
 * The commands, their options and help. Actions set `outcome.exitCode` for a
 * verdict; errors are thrown to `run`. Tests parse documented command lines
 * with it to show that every example is one the CLI accepts.
 */
export function buildProgram(io: CliIo, outcome: { exitCode: number }): Command {
  const program = new Command('evidence')
    .description("Collect a release's proof into one content-addressed, signed evidence bundle, and verify it offline.")
    .version(PACKAGE_VERSION, '-V, --version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(run evidence --help for usage)');

  addCollect(program, io);
  addSign(program, io);
  addVerify(program, io, outcome);
  addVerifyAttestation(program, io, outcome);
  addReport(program, io, outcome);
  addDiff(program, io, outcome);
  addAttach(program, io);
  addFetch(program, io, outcome);
  addAudit(program, io, outcome);
  addPush(program, io);
  addPull(program, io);
  addTrustRoot(program, io);
  addInspect(program, io);
  addExtract(program, io, outcome);

  for (const [name, lines] of Object.entries(EXAMPLES)) {
    const cmd = program.commands.find((c) => c.name() === name);
    if (name !== 'verify') cmd?.addHelpText('after', examplesText(lines));
  }
  return program;
}

/** `evidence collect`, with an action that collects and, with --sign, signs. */
function addCollect(program: Command, io: CliIo): void {
  collectCommand(program).action(async (o) => {
    const { collect } = await import('../src/commands/collect.js');
    const progress = io.stderr.isTTY && !o.quiet ? progressPrinter((io.raw ?? io).stderr) : undefined;
    const source = Object.fromEntries(
      Object.entries({ repository: o.sourceRepository, commit: o.sourceCommit, ref: o.sourceRef }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    const bytesBar = byteProgress(io, { quiet: o.quiet });
    const result = await collect({
      ...(bytesBar.onBytes ? { onBytes: bytesBar.onBytes } : {}),
      cwd: io.cwd,
      env: io.env,
      output: o.output,
      name: o.name,
      version: o.version,
      sbom: o.sbom,
      sarif: o.sarif,
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
      // collect's --source-repository sets the manifest's source, not who signed attestations.
      identity: identityFrom(o, { github: false }),
      trustedRoot: o.trustedRoot,
      attestationKey: o.attestationKey,
      ...timeoutFrom(o),
      ...(progress ? { onProgress: progress.event } : {}),
      // Signed as it is written: the bundle is written once, attestations inside.
      ...(o.sign ? { sign: signingFrom(o) } : {}),
    });
    progress?.done();
    bytesBar.stop();
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
    .option('--git <dir>', 'DORA: the git repository the deployments shipped from')
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
function addSign(program: Command, io: CliIo): void {
  withSigningOptions(
    withTimeout(program.command('sign'))
      .description(
        'sign a bundle: an in-toto statement in a DSSE envelope, as a Sigstore bundle inside it and beside it',
      )
      .argument('<bundle>', 'the bundle (.tar.gz)')
      .option('-q, --quiet', 'no progress output'),
  ).action(async (bundle: string, o) => {
    const { sign } = await import('../src/commands/sign.js');
    const bar = byteProgress(io, { quiet: o.quiet });
    const signed = await sign({
      cwd: io.cwd,
      env: io.env,
      bundle,
      ...signingFrom(o),
      ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
    }).finally(bar.stop);
    io.stdout.write(signedLines(signed));
  });
}

/** `evidence verify`, with what the full CLI adds: registries and a signed VSA. */
function addVerify(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  addVerifyCommand(program, io, outcome, {
    registry: (o) => registryFrom(o, io),
    open: async (reference, registry) =>
      (await (await import('../src/commands/oci.js')).openEvidenceStream({ env: io.env, reference, registry })).stream,
    verifyImage: async (options) => (await import('../src/commands/oci.js')).verifyImage(options),
    signVsa: async (o, bytes, payloadType) => {
      const { makeSigner } = await import('../src/commands/sign.js');
      return (await makeSigner({ cwd: io.cwd, env: io.env, ...signingFrom({ ...o, key: o.vsaKey }) }, io.env)).signDsse(
        bytes,
        payloadType,
      );
    },
  });
}

/** `evidence verify-attestation`. */
function addVerifyAttestation(program: Command, io: CliIo, outcome: { exitCode: number }): void {
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
  ).action(async (attestation: string, o) => {
    const artifacts: string[] = o.artifact ?? [];
    const many =
      artifacts.length > 1 ||
      o.subjectsFile !== undefined ||
      o.predicateType !== undefined ||
      /\.jsonl$/i.test(attestation);
    if (many) {
      if (o.digest) throw new UsageError('--digest names one artifact; with several, use --subjects-file');
      const { verifyAttestationSet } = await import('../src/commands/verify-attestation.js');
      const { formatAttestationSetText } = await import('../src/present/text.js');
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
      outcome.exitCode = report.ok ? ExitCode.Ok : ExitCode.VerificationFailed;
      return;
    }
    const { verifyAttestation } = await import('../src/commands/verify-attestation.js');
    const { formatAttestationText } = await import('../src/present/text.js');
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
    outcome.exitCode = report.ok ? ExitCode.Ok : ExitCode.VerificationFailed;
  });
}

/** `evidence report`. */
function addReport(program: Command, io: CliIo, outcome: { exitCode: number }): void {
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
  ).action(async (bundle: string, o) => {
    const { verify } = await import('../src/commands/verify.js');
    const { renderReport, writeOutput } = await import('../src/commands/render.js');
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
      const { headline, assess } = await import('../src/verifier/assessment.js');
      const a = report.assessment ?? assess(report, manifest?.entries);
      io.stderr.write(
        `wrote ${o.output}: ${headline(a).word} (${a.authenticity.summary}; evidence: ${a.evidence.status})\n`,
      );
    } else io.stdout.write(rendered);
    outcome.exitCode = exitCodeForVerdict(report.verdict, report.ok);
  });
}

/** `evidence diff`. */
function addDiff(program: Command, io: CliIo, outcome: { exitCode: number }): void {
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
      "exit 1 when the releases' evidence or subjects differ, 0 when they do not (as git diff --exit-code)",
    )
    .action(async (oldBundle: string, newBundle: string, o) => {
      const { diff } = await import('../src/commands/diff.js');
      const { formatDiff } = await import('../src/present/diff-text.js');
      const result = await diff({ cwd: io.cwd, old: oldBundle, new: newBundle });
      io.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatDiff(result));
      if (o.exitCode && result.differs) outcome.exitCode = ExitCode.VerificationFailed;
    });
}

/** `evidence attach`: a signed bundle to a GitHub Release. */
function addAttach(program: Command, io: CliIo): void {
  program
    .command('attach')
    .description(
      'attach a signed bundle, NAME.sigstore.json and NAME.intoto.jsonl to a GitHub Release (token in GITHUB_TOKEN or GH_TOKEN)',
    )
    .argument('<bundle>', 'the signed bundle (.tar.gz), with its .sigstore.json and .intoto.jsonl beside it')
    .requiredOption('--repo <owner/name>', 'the GitHub repository')
    .requiredOption('--tag <tag>', "the release's tag")
    .option(
      '--api-url <url>',
      'GitHub API (GitHub Enterprise Server: https://HOST/api/v3; default GITHUB_API_URL, else https://api.github.com)',
    )
    .option('--create', 'create the release if the tag has none')
    .option('--clobber', 'replace assets of the same name')
    .option('-q, --quiet', 'no progress output')
    .option('--keep-draft', 'leave a draft release a draft (by default it is published once every asset is read back)')
    .option('--with-verifier', 'attach the one-file verifier, evidence-verify.mjs, too')
    .option(
      '--attestations-api',
      "also record each Sigstore bundle of NAME.sigstore.jsonl in GitHub's artifact attestations API, where gh attestation verify finds them (token needs attestations: write)",
    )
    .option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)')
    .option('--json', 'print the result as JSON')
    .action(async (bundle: string, o) => {
      const { attach } = await import('../src/commands/attach.js');
      const bar = byteProgress(io, { quiet: o.quiet, json: o.json });
      const r = await attach({
        cwd: io.cwd,
        env: io.env,
        bundle,
        repo: o.repo,
        tag: o.tag,
        apiUrl: o.apiUrl,
        create: o.create,
        clobber: o.clobber,
        keepDraft: o.keepDraft,
        withVerifier: o.withVerifier,
        ...(o.attestationsApi ? { attestationsApi: true } : {}),
        ...timeoutFrom(o),
        ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
        onProgress: (m) => (o.quiet ? undefined : io.stderr.write(`${m}\n`)),
      }).finally(bar.stop);
      if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        io.stdout.write(
          `${r.release.created ? 'created' : 'release'} ${r.release.url}${r.release.draft ? ' (a draft: not published)' : ''}\n`,
        );
        for (const a of r.assets)
          io.stdout.write(`${a.action} ${a.name} (${a.size} bytes, sha256:${a.sha256}), read back and checked\n`);
        if (r.release.published)
          io.stdout.write(
            `published ${r.release.tag}${r.release.immutable ? ': immutable, its assets and tag can no longer change' : ''}\n`,
          );
        for (const a of r.attestations ?? [])
          io.stdout.write(
            `recorded attestation ${a.id}${a.predicateType ? ` (${a.predicateType})` : ''} in GitHub's attestations API\n`,
          );
      }
    });
}

/** `evidence fetch`: a release's bundle from GitHub, verified. */
function addFetch(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  withIdentityOptions(
    program
      .command('fetch')
      .description(
        "download a release's evidence bundle and attestation from GitHub (no token needed for public repositories), and verify them with the identity flags",
      )
      .requiredOption('--repo <owner/name>', 'the GitHub repository')
      .option('--tag <tag>', "the release's tag")
      .option(
        '--subject-digest <sha256:hex>',
        "instead of a release: the attestations GitHub's attestations API keeps for this artifact digest, written as sha256-HEX.sigstore.jsonl and verified against it",
      )
      .option('-o, --output <dir>', 'directory to download into (default: the current one)')
      .option('--name <asset>', 'the bundle asset, when the release has several')
      .option('--api-url <url>', 'GitHub API (default GITHUB_API_URL, else https://api.github.com)')
      .option('-f, --force', 'replace files already there')
      .option('--integrity-only', 'verify the content only, not the signature')
      .option('--download-only', 'download without verifying (otherwise a signer must be named)')
      .option('-q, --quiet', 'no progress output')
      .option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)')
      .option('--policy <file>', 'a policy to evaluate over the evidence; failing it exits 3')
      .addOption(
        new Option('--format <format>', 'report format')
          .choices(['text', 'json', 'markdown', 'html', 'oscal'])
          .default('text'),
      )
      .option('--json', 'same as --format json'),
  ).action(async (o) => {
    const { fetchRelease, fetchAttestations } = await import('../src/commands/fetch.js');
    const { renderReport } = await import('../src/commands/render.js');
    const identity = identityFrom(o);
    const verifying = o.integrityOnly || o.policy || (o.key?.length ?? 0) > 0 || Object.keys(identity).length > 0;
    if ((o.tag === undefined) === (o.subjectDigest === undefined))
      throw new UsageError(
        "give exactly one of --tag (a release) or --subject-digest (GitHub's attestations for an artifact)",
      );
    if (o.subjectDigest !== undefined) {
      if (o.integrityOnly || o.policy)
        throw new UsageError('--subject-digest fetches attestations: --integrity-only and --policy apply to bundles');
      const { formatAttestationSetText } = await import('../src/present/text.js');
      const a = await fetchAttestations({
        ...timeoutFrom(o),
        cwd: io.cwd,
        env: io.env,
        repo: o.repo,
        subjectDigest: o.subjectDigest,
        output: o.output,
        apiUrl: o.apiUrl,
        force: o.force,
        onProgress: (m) => (o.quiet ? undefined : io.stderr.write(`${m}\n`)),
        ...(o.downloadOnly
          ? { downloadOnly: true }
          : verifying
            ? { verify: { trustedRoot: o.trustedRoot, key: o.key, identity } }
            : {}),
      });
      io.stderr.write(
        `downloaded ${a.file.path} (${a.count} attestation${a.count === 1 ? '' : 's'}, sha256:${a.file.sha256})\n`,
      );
      if (a.verification)
        io.stdout.write(
          o.json || o.format === 'json'
            ? `${JSON.stringify(a.verification, null, 2)}\n`
            : formatAttestationSetText(a.verification),
        );
      outcome.exitCode = !a.verification || a.verification.ok ? ExitCode.Ok : ExitCode.VerificationFailed;
      return;
    }
    const bar = byteProgress(io, { quiet: o.quiet, json: o.json || o.format === 'json' });
    const r = await fetchRelease({
      ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
      ...timeoutFrom(o),
      cwd: io.cwd,
      env: io.env,
      repo: o.repo,
      tag: o.tag as string,
      output: o.output,
      name: o.name,
      apiUrl: o.apiUrl,
      force: o.force,
      onProgress: (m) => (o.quiet ? undefined : io.stderr.write(`${m}\n`)),
      ...(o.downloadOnly ? { downloadOnly: true } : {}),
      ...(verifying
        ? {
            verify: {
              integrityOnly: o.integrityOnly,
              trustedRoot: o.trustedRoot,
              key: o.key,
              identity,
              policy: o.policy,
            },
          }
        : {}),
    }).finally(bar.stop);
    for (const f of [r.bundle, r.sigstoreBundle, r.intotoJsonl, r.sigstoreJsonl])
      if (f) io.stderr.write(`downloaded ${f.path} (${f.size} bytes, sha256:${f.sha256})\n`);
    io.stderr.write(
      `release ${r.release.tag}: ${r.release.immutable === true ? 'immutable (GitHub: its assets and tag cannot have changed since publication)' : r.release.immutable === false ? 'not immutable (its assets could have been replaced after publication; the signature is what vouches for them)' : 'GitHub does not say whether it is immutable'}\n`,
    );
    for (const p of r.problems) io.stderr.write(`evidence: ${p.message} [${p.code}]\n`);
    if (r.verification) {
      const { report, manifest } = r.verification;
      const { loadPolicyFile } = await import('../src/commands/verify.js');
      io.stdout.write(
        renderReport(
          o.json ? 'json' : o.format,
          report,
          manifest,
          o.format === 'oscal' && o.policy ? await loadPolicyFile(io.cwd, o.policy) : undefined,
        ),
      );
    } else if (!r.intotoJsonl) io.stderr.write('note: the release has no .intoto.jsonl\n');
    // The library's verdict: a mismatch or verification failure (1) outranks a policy failure (3).
    outcome.exitCode =
      r.verdict === 'failed'
        ? ExitCode.VerificationFailed
        : r.verdict === 'policy-failed'
          ? ExitCode.PolicyFailed
          : ExitCode.Ok;
  });
}

/** `evidence audit`: every release of a period, verified, mapped to controls. */
function addAudit(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  withRegistryOptions(
    withIdentityOptions(
      program
        .command('audit')
        .description(
          'audit every release of a period: GitHub releases (--repo) or the tags of an OCI repository, each fetched, verified against the signer and the policy; the population, a sample, controls, waivers and trends',
        )
        .argument('[oci-repository]', 'oci://REGISTRY/REPOSITORY whose tags are the releases (instead of --repo)')
        .option('--repo <owner/name>', 'the GitHub repository whose releases are audited')
        .requiredOption('--since <date>', "the period's first day (2026-01-01) or instant (RFC 3339)")
        .requiredOption('--until <date>', "the period's last day (to its end, UTC) or instant")
        .option('--policy <file>', 'the policy each release is held to; a release failing it exits 3')
        .option('--sample <n>', 'examine a reproducible sample of N releases (needs --seed)')
        .option('--seed <text>', "the sample's seed: the same seed and population draw the same releases")
        .option('--name <asset>', 'the bundle asset, when releases have several')
        .option(
          '--product <name>',
          "the product audited: each release's bundle must name it (default: the one product the bundles name; several is a failure)",
        )
        .option(
          '--tags <regexp>',
          'OCI: only tags this regular expression matches (the whole tag) are releases (default: every tag)',
        )
        .option(
          '--max-bundle-size <size>',
          'do not download a bundle larger than this (e.g. 20GiB; default 8GiB): its release is not shown authentic',
        )
        .option(
          '--cache <dir>',
          'download cache, keyed by digest: an interrupted audit resumes from it (default .evidence-audit-cache)',
        )
        .option('--concurrency <n>', 'releases read at once (default 4)')
        .addOption(
          new Option('--policy-time <when>', "evaluate each release's policy (waivers) as of its publication or now")
            .choices(['release', 'now'])
            .default('release'),
        )
        .option('--api-url <url>', 'GitHub API (default GITHUB_API_URL, else https://api.github.com)')
        .option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)')
        .addOption(
          new Option('--format <format>', 'report format')
            .choices(['text', 'json', 'markdown', 'html', 'oscal'])
            .default('text'),
        )
        .option('--json', 'same as --format json')
        .option(
          '-o, --output <file>',
          'write the report to this file (whole, or not at all) instead of standard output',
        )
        .option('-q, --quiet', 'no progress output'),
    ),
  ).action(async (repository: string | undefined, o) => {
    const { audit } = await import('../src/commands/audit.js');
    const { renderAudit } = await import('../src/commands/render-audit.js');
    if ((repository === undefined) === (o.repo === undefined))
      throw new UsageError(
        'give exactly one source: --repo OWNER/NAME (GitHub releases) or oci://REGISTRY/REPOSITORY (its tags)',
      );
    const int = (v: unknown, flag: string): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 1)
        throw new UsageError(`${flag}: '${String(v)}' is not a positive whole number`);
      return n;
    };
    const sample = int(o.sample, '--sample');
    const concurrency = int(o.concurrency, '--concurrency');
    const progress = (m: string): void => {
      if (!o.quiet) io.stderr.write(`${m}\n`);
    };
    const tty = (io.raw ?? io).stderr.isTTY === true && !o.quiet;
    const r = await audit({
      cwd: io.cwd,
      env: io.env,
      ...(o.repo !== undefined
        ? { repo: o.repo, apiUrl: o.apiUrl }
        : { oci: repository as string, registry: await registryFrom(o, io) }),
      since: o.since,
      until: o.until,
      ...(o.policy ? { policy: o.policy } : {}),
      ...(sample !== undefined ? { sample } : {}),
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.name ? { name: o.name } : {}),
      ...(o.product !== undefined ? { product: o.product } : {}),
      ...(o.tags !== undefined ? { tags: o.tags } : {}),
      ...(o.maxBundleSize !== undefined ? { maxBundleSize: parseSize(o.maxBundleSize, '--max-bundle-size') } : {}),
      ...(o.cache ? { cache: o.cache } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      policyTime: o.policyTime,
      identity: identityFrom(o),
      ...(o.key ? { key: o.key } : {}),
      ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
      ...timeoutFrom(o),
      onProgress: progress,
      onRelease: (done, total, m) => {
        if (o.quiet) return;
        const line = `[${done}/${total}] ${escapeValue(m.id)}${m.sampled ? '' : ' (listed, not in the sample)'}`;
        if (tty) (io.raw ?? io).stderr.write(`\r\x1b[K${line}${done === total ? '\n' : ''}`);
        else io.stderr.write(`${line}\n`);
      },
    });
    const text = renderAudit(o.json ? 'json' : o.format, r);
    if (o.output) {
      const { writeOutput } = await import('../src/commands/render.js');
      await writeOutput(io.cwd, o.output, text);
      progress(`wrote ${o.output}`);
    } else io.stdout.write(text);
    const v = r.summary.verdict;
    // The worst standing decides: not authentic (1), then an audit that could not read a release or had none to read (2), then the policy (3).
    outcome.exitCode =
      v === 'holds'
        ? ExitCode.Ok
        : v === 'not-authentic'
          ? ExitCode.VerificationFailed
          : v === 'incomplete' || v === 'empty'
            ? ExitCode.InvalidInput
            : ExitCode.PolicyFailed;
    if (v === 'empty')
      progress('evidence: no release was published in the period (check --since, --until and the source)');
  });
}

/** `evidence push`: a bundle to an OCI registry. */
function addPush(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('push')
      .description('push a bundle to an OCI registry as an artifact, with its Sigstore bundle as a referrer')
      .argument('<bundle>', 'the bundle (.tar.gz)')
      .argument('<reference>', 'oci://REGISTRY/REPOSITORY:TAG')
      .option(
        '--subject-image <oci-ref>',
        'make the evidence a referrer of this release image (REF@sha256:…, same repository; collected with --subject-image)',
      )
      .option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)')
      .option('-q, --quiet', 'no progress output')
      .option(
        '--mount-from <repository>',
        'a repository of the same registry that may have the bundle already: mount it instead of uploading',
      )
      .option('--json', 'print the result as JSON'),
  ).action(async (bundle: string, reference: string, o) => {
    const { push } = await import('../src/commands/oci.js');
    const bar = byteProgress(io, { quiet: o.quiet, json: o.json });
    const r = await push({
      cwd: io.cwd,
      env: io.env,
      bundle,
      reference,
      subjectImage: o.subjectImage,
      mountFrom: o.mountFrom,
      registry: await registryFrom(o, io),
      ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
      onProgress: (m) => (o.quiet ? undefined : io.stderr.write(`${m}\n`)),
    }).finally(bar.stop);
    if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else {
      io.stdout.write(
        `pushed ${r.reference}@${r.digest} (bundle ${r.bundleDigest}, ${r.size} bytes, blob ${r.blob})\n`,
      );
      io.stdout.write(
        r.checked === 'integrity-only-unsigned'
          ? 'checked: integrity only, unsigned\n'
          : 'checked: integrity, and the signed statement is about this manifest (the signer is not checked: verify does that)\n',
      );
      if (r.signature) io.stdout.write(`signature referrer ${r.signature.digest}\n`);
      if (r.subject) io.stdout.write(`referrer of ${r.subject.reference}\n`);
      if (r.fallbackTag) io.stdout.write('the registry has no referrers API: the OCI 1.1 fallback tag was updated\n');
    }
  });
}

/** `evidence pull`: a bundle from an OCI registry. */
function addPull(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('pull')
      .description('pull a bundle from an OCI registry, byte for byte, checked against its digest')
      .argument('<reference>', 'oci://REGISTRY/REPOSITORY:TAG or @sha256:…')
      .requiredOption('-o, --output <file>', 'the bundle to write')
      .option('-q, --quiet', 'no progress output')
      .option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)')
      .option('-f, --force', 'replace the file if it exists'),
  ).action(async (reference: string, o) => {
    const { pull } = await import('../src/commands/oci.js');
    const bar = byteProgress(io, { quiet: o.quiet });
    const r = await pull({
      cwd: io.cwd,
      env: io.env,
      reference,
      output: o.output,
      force: o.force,
      registry: await registryFrom(o, io),
      ...(bar.onBytes ? { onBytes: bar.onBytes } : {}),
    }).finally(bar.stop);
    io.stdout.write(`pulled ${r.output} (${r.size} bytes, ${r.bundleDigest}) from manifest ${r.manifestDigest}\n`);
  });
}

/** `evidence trust-root update`. */
function addTrustRoot(program: Command, io: CliIo): void {
  program
    .command('trust-root')
    .description('manage the Sigstore trusted root that verify uses by default')
    .command('update')
    .description("refresh the public-good trusted root through Sigstore's TUF repository (needs the network)")
    .option(
      '-o, --output <file>',
      'where to write it (default: ~/.config/evidence/trusted_root.json, which verify then uses)',
    )
    .option('--mirror-url <url>', 'TUF repository (default: https://tuf-repo-cdn.sigstore.dev)')
    .option('--tuf-root <root.json>', 'the TUF root to start from, for another mirror')
    .option('--timeout <seconds>', 'fail a network request after this long without progress (default 15)')
    .action(async (o) => {
      const { trustRootUpdate } = await import('../src/commands/trust-root-update.js');
      const r = await trustRootUpdate({
        cwd: io.cwd,
        env: io.env,
        output: o.output,
        mirrorUrl: o.mirrorUrl,
        tufRoot: o.tufRoot,
        timeoutMs: timeoutFrom(o).timeoutMs ?? 15_000,
      });
      io.stdout.write(`wrote ${r.output}${r.date ? ` (newest key from ${r.date})` : ''}\n`);
    });
}

/** `evidence inspect`. */
function addInspect(program: Command, io: CliIo): void {
  program
    .command('inspect')
    .description("show a bundle's manifest (without verifying it)")
    .argument('<bundle>', 'the bundle (.tar.gz)')
    .option('--json', 'print the manifest summary as JSON')
    .action(async (bundle: string, o) => {
      const { inspect } = await import('../src/commands/inspect.js');
      const { formatInspect } = await import('../src/present/text.js');
      const result = await inspect({ cwd: io.cwd, bundle });
      io.stdout.write(o.json ? `${JSON.stringify(result, null, 2)}\n` : formatInspect(result));
    });
}

/** `evidence extract`. */
function addExtract(program: Command, io: CliIo, outcome: { exitCode: number }): void {
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
  ).action(async (bundle: string, o) => {
    const { extract } = await import('../src/commands/extract.js');
    const { formatVerifyText } = await import('../src/present/text.js');
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
        `${JSON.stringify({ ...result.report, output: result.output ?? null, files: result.files }, null, 2)}\n`,
      );
    else if (result.output)
      io.stdout.write(`extracted ${counted(result.files.length, 'entry', 'entries')} to ${result.output} (${how})\n`);
    else io.stdout.write(formatVerifyText(result.report));
    outcome.exitCode = exitCodeForVerdict(result.report.verdict, result.report.ok);
  });
}

function progressPrinter(out: CliStream): {
  event: (e: import('../src/commands/collect.js').CollectProgress) => void;
  done: () => void;
} {
  let shown = false;
  return {
    event: (e) => {
      const line = escapeValue(
        e.phase === 'writing' ? `writing ${e.output}` : `${e.phase} ${e.done}/${e.total}: ${e.label}`,
      );
      out.write(`\r\x1b[2K${line.slice(0, 120)}`);
      shown = true;
    },
    done: () => {
      if (shown) out.write('\r\x1b[2K');
    },
  };
}

export { EXAMPLES };
