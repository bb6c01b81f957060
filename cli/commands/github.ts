import { Option, type Command } from 'commander';
import type { ReportFormat } from '../../src/commands/render.js';
import { UsageError, exitCodeForFetch, exitCodeForOk } from '../exit-codes.js';
import {
  checkOscalFormat,
  identityFrom,
  timeoutFrom,
  withIdentityOptions,
  type CliIo,
  type IdentityCliOptions,
} from '../options.js';
import { byteProgress } from '../progress.js';

/** The commands that talk to GitHub Releases: attach and fetch. */

/** `evidence attach`'s options. */
interface AttachCliOptions {
  repo: string;
  tag: string;
  apiUrl?: string;
  create?: boolean;
  clobber?: boolean;
  quiet?: boolean;
  keepDraft?: boolean;
  allowUnsigned?: boolean;
  withVerifier?: boolean;
  attestationsApi?: boolean;
  timeout?: string;
  json?: boolean;
}

/** `evidence fetch`'s options. */
interface FetchCliOptions extends IdentityCliOptions {
  repo: string;
  tag?: string;
  subjectDigest?: string;
  output?: string;
  name?: string;
  apiUrl?: string;
  force?: boolean;
  integrityOnly?: boolean;
  downloadOnly?: boolean;
  quiet?: boolean;
  timeout?: string;
  policy?: string;
  format: ReportFormat;
  json?: boolean;
}

/** `evidence attach`: a signed bundle to a GitHub Release. */
export function addAttach(program: Command, io: CliIo): void {
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
      '--allow-unsigned',
      'attach a bundle that holds no attestation, alone (refused otherwise); the output says it is UNSIGNED',
    )
    .option(
      '--attestations-api',
      "also record each Sigstore bundle of NAME.sigstore.jsonl in GitHub's artifact attestations API, where gh attestation verify finds them (token needs attestations: write)",
    )
    .option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)')
    .option('--json', 'print the result as JSON')
    .action(async (bundle: string, o: AttachCliOptions) => {
      const { attach } = await import('../../src/commands/attach.js');
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
        ...(o.allowUnsigned ? { allowUnsigned: true } : {}),
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
        if (!r.signed)
          io.stdout.write(
            'attached an UNSIGNED bundle (--allow-unsigned): it holds no attestation, so nothing vouches for who made it\n',
          );
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
export function addFetch(program: Command, io: CliIo, outcome: { exitCode: number }): void {
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
  ).action(async (o: FetchCliOptions) => {
    const { fetchRelease, fetchAttestations } = await import('../../src/commands/fetch.js');
    const { renderReport } = await import('../../src/commands/render.js');
    const identity = identityFrom(o);
    checkOscalFormat(o.json ? 'json' : o.format, o);
    const verifying = o.integrityOnly || o.policy || (o.key?.length ?? 0) > 0 || Object.keys(identity).length > 0;
    if ((o.tag === undefined) === (o.subjectDigest === undefined))
      throw new UsageError(
        "give exactly one of --tag (a release) or --subject-digest (GitHub's attestations for an artifact)",
      );
    if (o.subjectDigest !== undefined) {
      if (o.integrityOnly || o.policy)
        throw new UsageError('--subject-digest fetches attestations: --integrity-only and --policy apply to bundles');
      const { formatAttestationSetText } = await import('../../src/present/text.js');
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
      outcome.exitCode = exitCodeForOk(!a.verification || a.verification.ok);
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
      `release ${r.release.tag}: ${r.release.draft ? 'a draft, not published (GitHub shows it only to those who may edit it); ' : ''}${r.release.immutable === true ? 'immutable (GitHub: its assets and tag cannot have changed since publication)' : r.release.immutable === false ? 'not immutable (its assets could have been replaced after publication; the signature is what vouches for them)' : 'GitHub does not say whether it is immutable'}\n`,
    );
    for (const p of r.problems) io.stderr.write(`evidence: ${p.message} [${p.code}]\n`);
    if (r.verification) {
      const { report, manifest } = r.verification;
      const { loadPolicyFile } = await import('../../src/load/policy.js');
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
    outcome.exitCode = exitCodeForFetch(r.verdict);
  });
}
