import { Option, type Command } from 'commander';
import type { QueryOptions } from '../../src/fs/release-index-sqlite.js';
import {
  identityFrom,
  parseSize,
  registryFrom,
  timeoutFrom,
  withIdentityOptions,
  withRegistryOptions,
  withTimeout,
  type CliIo,
  type IdentityCliOptions,
  type RegistryCliOptions,
} from '../options.js';
import { UsageError } from '../exit-codes.js';
import { collectWhenBuffersPile } from '../buffer-collection.js';
import { escapeValue } from '../../src/present/terminal.js';

/** `evidence index`'s options. */
interface IndexCliOptions extends IdentityCliOptions, RegistryCliOptions {
  db: string;
  apiUrl?: string;
  tags?: string;
  name?: string;
  maxBundleSize?: string;
  cache?: string;
  concurrency?: string;
  policy?: string;
  rebuild?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** `evidence query`'s options: the question's (release-index/query.ts), the index and the format. */
interface QueryCliOptions extends QueryOptions {
  db: string;
  format: 'text' | 'json' | 'csv';
  json?: boolean;
}

/** `evidence index` and `evidence query`: the evidence index (docs/index.md). */
export function addIndex(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  withTimeout(
    withRegistryOptions(
      withIdentityOptions(
        program
          .command('index')
          .description(
            'index the releases of OCI repositories, GitHub repositories and folders of bundles: each verified (the signer required, the policy applied), only what verified stored; incremental by bundle digest',
          )
          .argument(
            '<source...>',
            'oci://REGISTRY/REPOSITORY (its tags and image referrers), github:OWNER/REPO (its releases), folders of bundles (every *.tar.gz under them) or bundle files',
          )
          .requiredOption('--db <file|url>', 'the index: a SQLite file (created if missing) or postgres://… (shared)')
          .option('--policy <file>', 'the policy each release is held to (its verdict is stored)')
          .option('--rebuild', 'drop every row first and index the sources again')
          .option('--api-url <url>', 'GitHub sources: the REST API (default GITHUB_API_URL, else api.github.com)')
          .option('--tags <regex>', 'OCI sources: only tags this regular expression matches (whole tag) are releases')
          .option('--name <asset>', 'GitHub sources: the bundle asset, when releases have several')
          .option('--max-bundle-size <size>', 'the largest bundle downloaded (default 8GiB)')
          .option('--cache <dir>', 'the download cache (default .evidence-audit-cache)')
          .option('--concurrency <n>', 'releases read at once (default 4)')
          .option('--json', 'print the result as JSON')
          .option('-q, --quiet', 'no progress output'),
      ),
    ),
  ).action(async (sources: string[], o: IndexCliOptions) => {
    const { indexReleases } = await import('../../src/commands/release-index.js');
    const concurrency = o.concurrency === undefined ? undefined : Number(o.concurrency);
    if (concurrency !== undefined && (!Number.isSafeInteger(concurrency) || concurrency < 1))
      throw new UsageError(`--concurrency: '${o.concurrency}' is not a positive whole number`);
    // Bundle after bundle: the buffers of those verified are freed as they pile up, not tens of MiB later.
    const collection = collectWhenBuffersPile();
    const r = await indexReleases({
      cwd: io.cwd,
      env: io.env,
      db: o.db,
      sources,
      ...(sources.some((s) => s.startsWith('oci://')) ? { registry: await registryFrom(o, io) } : {}),
      ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}),
      ...(o.tags ? { tags: o.tags } : {}),
      ...(o.name ? { name: o.name } : {}),
      ...(o.maxBundleSize !== undefined ? { maxBundleSize: parseSize(o.maxBundleSize, '--max-bundle-size') } : {}),
      ...(o.cache ? { cache: o.cache } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...timeoutFrom(o),
      ...(o.rebuild ? { rebuild: true } : {}),
      ...(o.policy ? { policy: o.policy } : {}),
      identity: identityFrom(o),
      ...(o.key ? { key: o.key } : {}),
      ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
      onProgress: (m) => {
        if (!o.quiet) io.stderr.write(`${m}\n`);
      },
    }).finally(() => collection.stop());
    if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else
      io.stdout.write(
        `${r.index} (${r.engine}): ${r.indexed} indexed, ${r.unchanged} already indexed, ${r.rejected.length} not indexed (did not verify), ${r.unavailable.length} not fetched (run again)\n` +
          r.rejected.map((x) => `  not indexed: ${escapeValue(x.location)}: ${escapeValue(x.reason)}\n`).join('') +
          r.unavailable.map((x) => `  not fetched: ${escapeValue(x.location)}: ${escapeValue(x.reason)}\n`).join('') +
          r.incomplete
            .map((x) => `  indexed without ${escapeValue(x.missing)}: ${escapeValue(x.location)}\n`)
            .join('') +
          (r.withoutEvidence.length
            ? `  ${r.withoutEvidence.length} release(s) without evidence in the source\n`
            : '') +
          r.foreign
            .map(
              (x) =>
                `  ${escapeValue(x.release)}: not its evidence (indexed as the release it names): ${escapeValue(x.location)}: ${escapeValue(x.reason)}\n`,
            )
            .join('') +
          (r.swept ? '  --rebuild: releases the sources no longer hold were dropped\n' : ''),
      );
    // A bundle that did not verify is a verification failure of the run, though the rest is indexed; evidence that
    // could not be fetched leaves the index incomplete (a source problem: run again).
    if (r.rejected.length) outcome.exitCode = 1;
    else if (r.unavailable.length) outcome.exitCode = 2;
  });

  program
    .command('query')
    .description('ask the evidence index one question; every answer names the release and the bundle behind it')
    .requiredOption('--db <file|url>', 'the index: a SQLite file or postgres://…')
    .option('--purl <purl>', 'releases that ship this component (without a version: every version of the package)')
    .option('--cve <id>', 'releases with findings of this vulnerability (any of its ids), with their dispositions')
    .option('--digest <sha256>', 'the release whose subject (or bundle) has this digest')
    .option('--license <spdx-id>', 'releases that ship a component under this licence')
    .option('--missing <kind>', 'releases without evidence of this kind (junit, sbom, changes, …)')
    .option('--control <id>', "the control's results in each release (with --since and --until)")
    .option(
      '--since <date>',
      "with --control: releases signed from this day or instant (the verified signing time; else the manifest's created)",
    )
    .option('--until <date>', 'with --control: releases signed until this day (to its end) or instant (as --since)')
    .option('--product <name>', 'only releases of this product')
    .addOption(new Option('--format <format>', 'answer format').choices(['text', 'json', 'csv']).default('text'))
    .option('--json', 'same as --format json')
    .action(async (o: QueryCliOptions) => {
      const { queryReleases } = await import('../../src/commands/release-index.js');
      const { renderQueryAnswers } = await import('../../src/present/index-query.js');
      const { format, json, db, ...question } = o;
      const answer = await queryReleases(db, io.cwd, question);
      io.stdout.write(renderQueryAnswers(json ? 'json' : format, answer));
    });
}
