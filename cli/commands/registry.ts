import type { Command } from 'commander';
import { registryFrom, withRegistryOptions, type CliIo, type RegistryCliOptions } from '../options.js';
import { byteProgress } from '../progress.js';

/** The commands that talk to OCI registries: push and pull. */

/** `evidence push`'s options. */
interface PushCliOptions extends RegistryCliOptions {
  subjectImage?: string;
  quiet?: boolean;
  mountFrom?: string;
  json?: boolean;
}

/** `evidence pull`'s options. */
interface PullCliOptions extends RegistryCliOptions {
  output: string;
  quiet?: boolean;
  force?: boolean;
}

/** `evidence push`: a bundle to an OCI registry. */
export function addPush(program: Command, io: CliIo): void {
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
  ).action(async (bundle: string, reference: string, o: PushCliOptions) => {
    const { push } = await import('../../src/commands/oci.js');
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
export function addPull(program: Command, io: CliIo): void {
  withRegistryOptions(
    program
      .command('pull')
      .description('pull a bundle from an OCI registry, byte for byte, checked against its digest')
      .argument('<reference>', 'oci://REGISTRY/REPOSITORY:TAG or @sha256:…')
      .requiredOption('-o, --output <file>', 'the bundle to write')
      .option('-q, --quiet', 'no progress output')
      .option('--timeout <seconds>', 'fail a network request after this long without progress (default 30)')
      .option('-f, --force', 'replace the file if it exists'),
  ).action(async (reference: string, o: PullCliOptions) => {
    const { pull } = await import('../../src/commands/oci.js');
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
