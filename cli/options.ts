import { Command, CommanderError } from 'commander';
import { escapeTerminal } from '../src/present/terminal.js';
import type { CollectOptions } from '../src/commands/collect.js';
import type { RegistryOptions } from '../src/commands/oci.js';
import type { SignOptions, SignResult } from '../src/commands/sign.js';
import type { IdentityPolicy } from '../src/verifier/identity-policy.js';
import type { PolicyLimits } from '../src/verifier/policy/evaluate.js';
import { ExitCode, UsageError, errorCode, exitCodeFor } from './exit-codes.js';

/**
 * What the commands share: the I/O they are given, and the options several of
 * them take, with their parsing. Nothing here imports a command's code, so
 * the one-file verifier (cli/verify-program.ts) can use it alone.
 */
export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  cwd: string;
  /** All of standard input (for --registry-password-stdin). */
  readStdin?: () => Promise<string>;
  /** The streams as given, unescaped: only for the progress line's own control sequences. */
  raw?: Pick<CliIo, 'stdout' | 'stderr'>;
}

export function safeStream(stream: CliStream): CliStream {
  return { isTTY: stream.isTTY, write: (chunk: string) => stream.write(escapeTerminal(String(chunk))) };
}

export const collectList = (value: string, previous: string[] = []): string[] => [...previous, value];

/*
 * The options as commander hands them to an action, typed: strings for
 * values, booleans for flags (false for a `--no-…` given), string lists for
 * repeatable options. Each command's own interface extends these.
 */

/** withCertificateOptions. */
export interface CertificateCliOptions {
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  signerWorkflow?: string;
}

/** withIdentityOptions. */
export interface IdentityCliOptions extends CertificateCliOptions {
  sourceRepository?: string;
  sourceRef?: string;
  trustedRoot?: string[];
  key?: string[];
}

/** withTimeout, and commands that take --timeout themselves. */
export interface TimeoutCliOptions {
  timeout?: string;
}

/** withRegistryOptions (with --timeout, which every registry command takes). */
export interface RegistryCliOptions extends TimeoutCliOptions {
  plainHttp?: boolean;
  registryUsername?: string;
  registryPasswordStdin?: boolean;
}

/** withSigningOptions (with --timeout, which every signing command takes). */
export interface SigningCliOptions extends TimeoutCliOptions {
  key?: string;
  identityToken?: string;
  identityTokenFile?: string;
  oidcDevice?: boolean;
  oidcIssuer?: string;
  oidcClientId?: string;
  signingConfig?: string;
  rekorV2?: boolean;
  fulcioUrl?: string;
  rekorUrl?: string;
  tsaUrl?: string;
  /** False with --no-tsa. */
  tsa?: boolean;
  /** False with --no-standard-attestations. */
  standardAttestations?: boolean;
}

/** collect's DORA options. */
export interface DoraCliOptions {
  git?: string;
  /** `--changes RANGE`, with --git (default: the working directory). */
  changes?: string;
  allowedSigners?: string;
  emergencyTrailer?: string[];
  githubRepo?: string;
  githubBranch?: string;
  emergencyLabel?: string[];
  deployments?: string;
  incidents?: string;
  environment?: string;
  window?: string;
  incidentLabel?: string;
}

/** --policy-max-cost and --policy-timeout. */
export interface PolicyLimitCliOptions {
  policyMaxCost?: string;
  policyTimeout?: string;
}

/** Who may have signed a certificate: cosign's option names, and the GitHub workflow. */
export function withCertificateOptions(cmd: Command, whose = 'the signer'): Command {
  return cmd
    .option('--certificate-identity <identity>', `${whose}: the exact identity (certificate SAN)`)
    .option('--certificate-identity-regexp <re>', `${whose}: a regular expression the whole identity must match`)
    .option('--certificate-oidc-issuer <url>', `${whose}: the exact OIDC issuer`)
    .option('--certificate-oidc-issuer-regexp <re>', `${whose}: a regular expression the whole issuer must match`)
    .option(
      '--signer-workflow <workflow>',
      `${whose}: the pipeline definition that signed: GitHub OWNER/REPO/.github/workflows/FILE.yml, or its URL (GitLab: https://gitlab.com/GROUP/PROJECT//.gitlab-ci.yml)`,
    );
}

/** Who may have signed, with GitHub's source claims, and the trust material to check it with. */
export function withIdentityOptions(cmd: Command): Command {
  return withCertificateOptions(cmd)
    .option(
      '--source-repository <repo>',
      'the repository the signing run built from: GitHub OWNER/REPO, or its URL (GitLab: https://gitlab.com/GROUP/PROJECT)',
    )
    .option('--source-ref <ref>', 'the ref the signing run built (e.g. refs/tags/v1.2.3; GitLab writes the same form)')
    .option(
      '--trusted-root <file>',
      'Sigstore trusted_root.json (default: public-good, embedded); repeatable',
      collectList,
    )
    .option('--key <pub.pem>', 'public key for key-signed bundles; repeatable', collectList);
}

export function identityFrom(
  o: CertificateCliOptions & Pick<IdentityCliOptions, 'sourceRepository' | 'sourceRef'>,
  options: { github: boolean } = { github: true },
): IdentityPolicy {
  const certificate = [
    'certificateIdentity',
    'certificateIdentityRegexp',
    'certificateOidcIssuer',
    'certificateOidcIssuerRegexp',
    'signerWorkflow',
  ] as const;
  const keys: readonly (keyof IdentityPolicy & keyof typeof o)[] = options.github
    ? [...certificate, 'sourceRepository', 'sourceRef']
    : certificate;
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

export function doraFrom(o: DoraCliOptions): NonNullable<CollectOptions['dora']> {
  if (!o.git || !o.deployments) throw new UsageError('--dora needs --git DIR and --deployments FILE');
  const out: NonNullable<CollectOptions['dora']> = {
    git: o.git,
    deployments: o.deployments,
  };
  for (const k of ['incidents', 'environment', 'window', 'incidentLabel'] as const)
    if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function changesFrom(o: DoraCliOptions): NonNullable<CollectOptions['changes']> | undefined {
  if (o.changes === undefined) {
    if (
      [o.allowedSigners, o.emergencyTrailer, o.githubRepo, o.githubBranch, o.emergencyLabel].some(
        (x) => x !== undefined,
      )
    )
      throw new UsageError(
        '--allowed-signers, --emergency-trailer, --github-repo, --github-branch and --emergency-label go with --changes RANGE',
      );
    return undefined;
  }
  return {
    git: o.git ?? '.',
    range: o.changes,
    ...(o.allowedSigners !== undefined ? { allowedSigners: o.allowedSigners } : {}),
    ...(o.emergencyTrailer !== undefined ? { emergencyTrailer: o.emergencyTrailer } : {}),
    ...(o.githubRepo !== undefined ? { githubRepo: o.githubRepo } : {}),
    ...(o.githubBranch !== undefined ? { githubBranch: o.githubBranch } : {}),
    ...(o.emergencyLabel !== undefined ? { emergencyLabel: o.emergencyLabel } : {}),
  };
}

/** How long a server may say nothing before a request fails (connect, answer, or between two chunks). */
export function withTimeout(cmd: Command): Command {
  return cmd.option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)');
}

export function timeoutFrom(o: TimeoutCliOptions): { timeoutMs?: number } {
  if (o.timeout === undefined) return {};
  const n = Number(o.timeout);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400)
    throw new UsageError(`--timeout: '${o.timeout}' is not a number of seconds (0 < s ≤ 86400)`);
  return { timeoutMs: Math.round(n * 1000) };
}

/** How to reach an OCI registry. Passwords come on stdin only, never as arguments. */
export function withRegistryOptions(cmd: Command): Command {
  return cmd
    .option('--plain-http', 'talk HTTP, not HTTPS, to the registry (a local registry only)')
    .option('--registry-username <user>', 'registry user (else ~/.docker/config.json, else anonymous)')
    .option('--registry-password-stdin', 'read the registry password (or token) from standard input');
}

export async function registryFrom(o: RegistryCliOptions, io: CliIo): Promise<RegistryOptions> {
  const out: RegistryOptions = { ...timeoutFrom(o) };
  if (o.plainHttp) out.plainHttp = true;
  if (o.registryPasswordStdin && typeof o.registryUsername !== 'string')
    throw new UsageError('--registry-password-stdin needs --registry-username');
  if (typeof o.registryUsername === 'string') {
    if (!o.registryPasswordStdin)
      throw new UsageError(
        '--registry-username needs --registry-password-stdin (the password is never taken as an argument)',
      );
    if (!io.readStdin) throw new UsageError('--registry-password-stdin: no standard input here');
    const password = (await io.readStdin()).replace(/\r?\n$/, '');
    if (!password) throw new UsageError('--registry-password-stdin: standard input was empty');
    out.credentials = { username: o.registryUsername, password };
  }
  return out;
}

/** How to sign: keyless through Sigstore (default public-good) or with a key. */
export function withSigningOptions(cmd: Command): Command {
  return cmd
    .option('--key <key.pem>', 'sign with this PKCS#8 private key (ECDSA P-256 or Ed25519) instead of keylessly')
    .option(
      '--identity-token <jwt>',
      'OIDC token for keyless signing (else SIGSTORE_ID_TOKEN, else GitHub Actions OIDC)',
    )
    .option('--identity-token-file <file>', 'read the OIDC token for keyless signing from this file')
    .option(
      '--oidc-device',
      "sign in interactively for keyless signing (a code to enter in a browser), at the signing config's OpenID provider",
    )
    .option('--oidc-issuer <url>', "the OpenID provider for --oidc-device (default: the signing config's)")
    .option('--oidc-client-id <id>', 'the client id for --oidc-device (default: sigstore)')
    .option(
      '--signing-config <file>',
      "a Sigstore signing config naming the CA, logs and timestamp authorities (default for keyless: public-good's, as trust-root update keeps it)",
    )
    .option(
      '--rekor-v2',
      "sign through public-good's Rekor v2 signing config, which trust-root update fetches (a timestamp is then required)",
    )
    .option('--fulcio-url <url>', 'Fulcio (default: public-good)')
    .option('--rekor-url <url>', 'Rekor (default: public-good for keyless; none for --key unless given)')
    .option(
      '--tsa-url <url>',
      'RFC 3161 timestamp authority (default: public-good for keyless; none for --key unless given)',
    )
    .option('--no-tsa', 'no RFC 3161 timestamp')
    .option(
      '--no-standard-attestations',
      'sign only the evidence statement, not the standard SBOM, test-result, vulns and release statements beside it (docs/interop.md)',
    );
}

export function signingFrom(o: SigningCliOptions, stderr?: CliStream): Omit<SignOptions, 'cwd' | 'bundle'> {
  const out: Omit<SignOptions, 'cwd' | 'bundle'> = { ...timeoutFrom(o) };
  if (o.oidcDevice) {
    out.oidcDevice = true;
    if (stderr) out.onDeviceCode = (m) => stderr.write(`${m}\n`);
  }
  for (const k of [
    'oidcIssuer',
    'oidcClientId',
    'key',
    'identityToken',
    'identityTokenFile',
    'signingConfig',
    'fulcioUrl',
    'rekorUrl',
    'tsaUrl',
  ] as const) {
    const v = o[k];
    if (typeof v === 'string') out[k] = v;
  }
  if (o.tsa === false) out.noTsa = true;
  if (o.rekorV2) out.rekorV2 = true;
  if (o.standardAttestations === false) out.noStandard = true;
  return out;
}

/** `1073741824`, `500MB`, `8GiB`: a size in bytes. */
export function parseSize(value: unknown, option: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i.exec(String(value).trim());
  const unit = (m?.[2] ?? 'B').toLowerCase();
  const factor: Record<string, number> = {
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 2 ** 10,
    mib: 2 ** 20,
    gib: 2 ** 30,
    tib: 2 ** 40,
  };
  const bytes = m ? Math.floor(Number(m[1]) * (factor[unit] ?? Number.NaN)) : Number.NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1)
    throw new UsageError(`${option}: '${String(value)}' is not a size (bytes, or e.g. 500MB, 8GiB)`);
  return bytes;
}

/** --policy-max-cost and --policy-timeout, checked. */
export function policyLimitsFrom(o: PolicyLimitCliOptions): PolicyLimits {
  const out: PolicyLimits = {};
  if (o.policyMaxCost !== undefined) {
    const n = Number(o.policyMaxCost);
    if (!Number.isSafeInteger(n) || n < 1)
      throw new UsageError(`--policy-max-cost: '${o.policyMaxCost}' is not a positive whole number`);
    out.ruleCost = n;
  }
  if (o.policyTimeout !== undefined) {
    const n = Number(o.policyTimeout);
    if (!Number.isFinite(n) || n <= 0)
      throw new UsageError(`--policy-timeout: '${o.policyTimeout}' is not a positive number of seconds`);
    out.timeMs = n * 1000;
  }
  return out;
}

/**
 * Runs a program built by `build` over argv: every string printed is
 * escaped for the terminal, and errors become exit codes in one place.
 */
export async function runProgram(
  build: (io: CliIo, outcome: { exitCode: number }) => Command,
  argv: string[],
  raw: CliIo,
): Promise<number> {
  const outcome = { exitCode: ExitCode.Ok as number };
  // Everything printed passes through escapeTerminal: bundle, attestation,
  // registry and API strings never reach a terminal with their controls.
  // Only the progress line (our own sequences) is written raw.
  const io: CliIo = { ...raw, stdout: safeStream(raw.stdout), stderr: safeStream(raw.stderr), raw };
  const program = build(io, outcome);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help asked for is success; help shown because no command or subcommand was given (`evidence`, `evidence
      // cra`, `evidence help bogus`: commander's exit code 1) is a usage error.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.Ok;
      if (e.code === 'commander.help') return e.exitCode === 0 ? ExitCode.Ok : ExitCode.InvalidInput;
      return ExitCode.InvalidInput;
    }
    io.stderr.write(`evidence: ${(e as Error).message ?? String(e)} [${errorCode(e)}]\n`);
    return exitCodeFor(e);
  }
  return outcome.exitCode;
}

/** Shown after each command's --help; test/cli/examples.test.ts parses every one of them. */
export const EXAMPLES: Record<string, string[]> = {
  collect: [
    'evidence collect --config evidence.yaml -o acme-web-1.4.2.evidence.tar.gz',
    "evidence collect -o rel.tar.gz --name acme-web --version 1.4.2 --sbom sbom.cdx.json --junit 'reports/**/junit.xml' --subject dist/acme-web-1.4.2.tgz --sign",
  ],
  sign: ['evidence sign rel.tar.gz', 'evidence sign rel.tar.gz --key release-key.pem'],
  verify: [
    'evidence verify rel.tar.gz --certificate-identity https://github.com/acme/web/.github/workflows/release.yml@refs/tags/v1.4.2 --certificate-oidc-issuer https://token.actions.githubusercontent.com',
    'evidence verify rel.tar.gz --signer-workflow acme/web/.github/workflows/release.yml --certificate-oidc-issuer https://token.actions.githubusercontent.com --source-repository acme/web --policy policy.yaml --format html -o report.html',
    'evidence verify rel.tar.gz --key release-key.pub.pem --subject dist/acme-web-1.4.2.tgz --json',
    'evidence verify rel.tar.gz --integrity-only',
  ],
  report: [
    'evidence report rel.tar.gz --signer-workflow acme/web/.github/workflows/release.yml --certificate-oidc-issuer https://token.actions.githubusercontent.com -o report.html',
    'evidence report rel.tar.gz --integrity-only --format markdown',
  ],
  extract: [
    'evidence extract rel.tar.gz -o evidence/ --signer-workflow acme/web/.github/workflows/release.yml --certificate-oidc-issuer https://token.actions.githubusercontent.com',
    'evidence extract rel.tar.gz -o evidence/ --integrity-only',
  ],
  inspect: ['evidence inspect rel.tar.gz', 'evidence inspect rel.tar.gz --json'],
  diff: [
    'evidence diff acme-web-1.4.1.evidence.tar.gz acme-web-1.4.2.evidence.tar.gz',
    'evidence diff old.tar.gz new.tar.gz --exit-code --json',
  ],
  'verify-attestation': [
    'evidence verify-attestation rel.sigstore.json --artifact dist/acme-web-1.4.2.tgz --signer-workflow acme/web/.github/workflows/release.yml --certificate-oidc-issuer https://token.actions.githubusercontent.com',
  ],
  attach: ['evidence attach rel.tar.gz --repo acme/web --tag v1.4.2 --with-verifier'],
  fetch: [
    'evidence fetch --repo acme/web --tag v1.4.2 -o evidence/ --signer-workflow acme/web/.github/workflows/release.yml --certificate-oidc-issuer https://token.actions.githubusercontent.com',
  ],
  push: ['evidence push rel.tar.gz oci://ghcr.io/acme/web-evidence:1.4.2'],
  pull: ['evidence pull oci://ghcr.io/acme/web-evidence:1.4.2 -o rel.tar.gz'],
  audit: [
    'evidence audit --repo acme/web --since 2026-01-01 --until 2026-06-30 --signer-workflow acme/web/.github/workflows/release.yml --certificate-oidc-issuer https://token.actions.githubusercontent.com --policy examples/policies/soc2-cc8.1.yaml --format html -o audit.html',
    'evidence audit oci://ghcr.io/acme/web-evidence --since 2026-01-01 --until 2026-06-30 --key release-key.pub.pem --sample 25 --seed Q2-2026 --format oscal -o assessment-results.json',
  ],
};

export function examplesText(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/** What sign wrote: the bundle, the detached assets, and each standard statement (or why an entry has none). */
export function signedLines(signed: SignResult): string {
  return (
    [
      `signed ${signed.bundle}`,
      `wrote ${signed.sigstoreBundle}`,
      `wrote ${signed.intotoJsonl}`,
      `wrote ${signed.sigstoreJsonl}`,
      ...signed.standard.map((s) => `  with ${s.label} (${s.predicateType})`),
      ...signed.standardSkipped.map((s) => `  no standard statement for ${s.path}: ${s.reason}`),
    ].join('\n') + '\n'
  );
}

/**
 * `--format oscal` writes assessment results: how the controls a policy cites fared on authentic evidence. Without a
 * policy no control is assessed (its results would read as every control reviewed), and with --integrity-only no
 * evidence is authentic: both are refused before any work.
 */
export function checkOscalFormat(
  format: string,
  o: { policy?: string | undefined; integrityOnly?: boolean | undefined },
): void {
  if (format !== 'oscal') return;
  if (!o.policy) throw new UsageError('--format oscal assesses the controls a policy cites: give --policy');
  if (o.integrityOnly)
    throw new UsageError(
      '--format oscal assesses controls on authentic evidence, and --integrity-only checks no signature: give a key or signer instead',
    );
}
