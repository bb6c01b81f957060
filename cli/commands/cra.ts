import { Option, type Command } from 'commander';
import { escapeValue } from '../../src/present/terminal.js';
import { exitCodeForVerdict } from '../exit-codes.js';
import {
  identityFrom,
  registryFrom,
  withIdentityOptions,
  withRegistryOptions,
  withTimeout,
  type CliIo,
  type IdentityCliOptions,
  type RegistryCliOptions,
} from '../options.js';

interface NotifyCliOptions {
  db: string;
  product?: string;
  format: 'markdown' | 'json';
  json?: boolean;
  output?: string;
}

interface FileCliOptions extends IdentityCliOptions, RegistryCliOptions {
  db: string;
  output: string;
  bundle?: string;
  digest?: string;
  attestation?: string;
}

/** `evidence cra notify` and `evidence cra file`: drafts for the EU Cyber Resilience Act, from the evidence index. */
export function addCra(program: Command, io: CliIo, outcome: { exitCode: number }): void {
  const cra = program
    .command('cra')
    .description(
      'drafts for the EU Cyber Resilience Act from the evidence index (drafts to complete; not legal advice)',
    );

  cra
    .command('notify')
    .description(
      'draft the data of an Article 14 early warning and notification for a vulnerability: the indexed releases, their standing, fixed versions, VEX statements and the evidence behind each',
    )
    .argument('<vulnerability>', 'the vulnerability id (CVE-…, GHSA-…): any of its ids or aliases')
    .requiredOption('--db <file|url>', 'the evidence index: a SQLite file or postgres://…')
    .option('--product <name>', 'only releases of this product')
    .addOption(new Option('--format <format>', 'draft format').choices(['markdown', 'json']).default('markdown'))
    .option('--json', 'same as --format json')
    .option('-o, --output <file>', 'write the draft to this file (whole, or not at all) instead of standard output')
    .action(async (vulnerability: string, o: NotifyCliOptions) => {
      const { craNotify } = await import('../../src/commands/cra.js');
      const { renderCraNotificationMarkdown } = await import('../../src/present/cra.js');
      const draft = await craNotify({
        cwd: io.cwd,
        db: o.db,
        vulnerability,
        ...(o.product !== undefined ? { product: o.product } : {}),
      });
      const text =
        o.json || o.format === 'json' ? `${JSON.stringify(draft, null, 2)}\n` : renderCraNotificationMarkdown(draft);
      if (o.output) {
        const { writeOutput } = await import('../../src/commands/render.js');
        await writeOutput(io.cwd, o.output, text);
        io.stderr.write(`wrote ${o.output} (a draft to complete; not legal advice)\n`);
      } else io.stdout.write(text);
    });

  withTimeout(
    withRegistryOptions(
      withIdentityOptions(
        cra
          .command('file')
          .description(
            "assemble a release's technical documentation (Annex VII) as a folder: its bundle verified again and extracted, the verification report, and a table of contents by the points of Annex VII",
          )
          .argument('<product>', 'the product, as the index names it')
          .argument('<version>', 'the release')
          .requiredOption('--db <file|url>', 'the evidence index: a SQLite file or postgres://…')
          .requiredOption('-o, --output <dir>', 'the folder to create (it must not exist or be empty)')
          .option(
            '--bundle <file>',
            'the bundle, where the index location cannot be read from here (checked against the index)',
          )
          .option('--digest <sha256>', 'which indexed bundle, when the index holds several of the release')
          .option(
            '--attestation <file>',
            "the bundle's signature where it is kept beside the bundle (NAME.sigstore.json, or the file evidence fetch saved from GitHub's attestations API)",
          ),
      ),
    ),
  ).action(async (product: string, version: string, o: FileCliOptions) => {
    const { craFile } = await import('../../src/commands/cra.js');
    const r = await craFile({
      cwd: io.cwd,
      env: io.env,
      db: o.db,
      product,
      version,
      output: o.output,
      ...(o.bundle ? { bundle: o.bundle } : {}),
      ...(o.digest ? { digest: o.digest } : {}),
      ...(o.attestation ? { attestation: o.attestation } : {}),
      registry: await registryFrom(o, io),
      identity: identityFrom(o),
      ...(o.key ? { key: o.key } : {}),
      ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
    });
    if (r.output)
      io.stdout.write(
        `${r.output}: the technical documentation of ${product} ${version} (a draft to complete; not legal advice)\n`,
      );
    else {
      // The index verified it with a signature kept outside the bundle: said where, for --attestation, whatever failed.
      const indexed = (r as { indexed?: { digest: string; location: string } }).indexed;
      const unsigned = r.report.checks.some((c) => c.code === 'SIGNATURE_MISSING');
      const hint = o.attestation
        ? ''
        : indexed
          ? ` (the index verified it with a signature kept outside the bundle, ${escapeValue(indexed.digest)} from ${escapeValue(indexed.location)}: give it with --attestation; evidence fetch reads one the attestations API holds)`
          : unsigned
            ? ' (it carries no signature: one kept beside it is given with --attestation)'
            : '';
      io.stderr.write(`evidence: ${product} ${version}: the bundle did not verify; nothing written${hint}\n`);
    }
    outcome.exitCode = exitCodeForVerdict(r.report.verdict, r.report.ok);
  });
}
