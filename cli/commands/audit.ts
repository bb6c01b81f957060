import { Option, type Command } from 'commander';
import { escapeValue } from '../../src/present/terminal.js';
import { UsageError, exitCodeForPeriod } from '../exit-codes.js';
import {
  checkOscalFormat,
  identityFrom,
  parseSize,
  registryFrom,
  timeoutFrom,
  withIdentityOptions,
  withRegistryOptions,
  type CliIo,
  type IdentityCliOptions,
  type RegistryCliOptions,
} from '../options.js';
import { stepProgress } from '../progress.js';
import { collectWhenBuffersPile } from '../buffer-collection.js';

/** `evidence audit`'s options. */
interface AuditCliOptions extends IdentityCliOptions, RegistryCliOptions {
  repo?: string;
  since: string;
  until: string;
  policy?: string;
  sample?: string;
  sampleChanges?: string;
  seed?: string;
  name?: string;
  product?: string;
  tags?: string;
  maxBundleSize?: string;
  cache?: string;
  concurrency?: string;
  policyTime: 'release' | 'now';
  apiUrl?: string;
  format: 'text' | 'json' | 'markdown' | 'html' | 'oscal';
  json?: boolean;
  output?: string;
  quiet?: boolean;
}

/** `evidence audit`: every release of a period, verified, mapped to controls. */
export function addAudit(program: Command, io: CliIo, outcome: { exitCode: number }): void {
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
        .option(
          '--sample-changes <n>',
          "draw a reproducible sample of N changes from the examined releases' change evidence (needs --seed): a CC8.1 test sheet",
        )
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
  ).action(async (repository: string | undefined, o: AuditCliOptions) => {
    const { audit } = await import('../../src/commands/audit.js');
    const { renderAuditPieces } = await import('../../src/present/render-audit.js');
    checkOscalFormat(o.json ? 'json' : o.format, o);
    if ((repository === undefined) === (o.repo === undefined))
      throw new UsageError(
        'give exactly one source: --repo OWNER/NAME (GitHub releases) or oci://REGISTRY/REPOSITORY (its tags)',
      );
    const int = (v: string | undefined, flag: string): number | undefined => {
      if (v === undefined) return undefined;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag}: '${v}' is not a positive whole number`);
      return n;
    };
    const sample = int(o.sample, '--sample');
    const sampleChanges = int(o.sampleChanges, '--sample-changes');
    const concurrency = int(o.concurrency, '--concurrency');
    const progress = (m: string): void => {
      if (!o.quiet) io.stderr.write(`${m}\n`);
    };
    const releases = stepProgress(io, { quiet: o.quiet, lines: true });
    // Release after release: the buffers of those verified are freed as they pile up, not tens of MiB later.
    const collection = collectWhenBuffersPile();
    const r = await audit({
      cwd: io.cwd,
      env: io.env,
      ...(o.repo !== undefined
        ? { repo: o.repo, apiUrl: o.apiUrl }
        : { oci: repository, registry: await registryFrom(o, io) }),
      since: o.since,
      until: o.until,
      ...(o.policy ? { policy: o.policy } : {}),
      ...(sample !== undefined ? { sample } : {}),
      ...(sampleChanges !== undefined ? { sampleChanges } : {}),
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
      onRelease: (done, total, m) =>
        releases.step(
          `[${done}/${total}] ${escapeValue(m.id)}${m.sampled ? '' : ' (listed, not in the sample)'}`,
          done === total,
        ),
    }).finally(() => {
      releases.stop();
      collection.stop();
    });
    // A report of many releases is written as it is made, a release at a time (JSON, OSCAL), never whole in memory.
    const texts = renderAuditPieces(o.json ? 'json' : o.format, r);
    if (o.output) {
      const { writeOutput } = await import('../../src/commands/render.js');
      await writeOutput(io.cwd, o.output, texts);
      progress(`wrote ${o.output}`);
    } else for (const text of texts) io.stdout.write(text);
    const v = r.summary.verdict;
    outcome.exitCode = exitCodeForPeriod(v);
    if (v === 'empty')
      progress('evidence: no release was published in the period (check --since, --until and the source)');
  });
}
