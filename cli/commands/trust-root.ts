import type { Command } from 'commander';
import { timeoutFrom, type CliIo, type TimeoutCliOptions } from '../options.js';

/** `evidence trust-root update`'s options. */
interface TrustRootUpdateCliOptions extends TimeoutCliOptions {
  output?: string;
  mirrorUrl?: string;
  tufRoot?: string;
}

/** `evidence trust-root update`. */
export function addTrustRoot(program: Command, io: CliIo): void {
  program
    .command('trust-root')
    .description('manage the Sigstore trusted root that verify uses by default')
    .command('update')
    .description(
      "refresh the public-good trusted root and signing configs through Sigstore's TUF repository (needs the network)",
    )
    .option(
      '-o, --output <file>',
      'where to write it (default: ~/.config/evidence/trusted_root.json, which verify then uses; required with --mirror-url or --tuf-root)',
    )
    .option('--mirror-url <url>', 'TUF repository (default: https://tuf-repo-cdn.sigstore.dev)')
    .option('--tuf-root <root.json>', 'the TUF root to start from, for another mirror')
    .option('--timeout <seconds>', 'fail a network request after this long without progress (default 15)')
    .action(async (o: TrustRootUpdateCliOptions) => {
      const { trustRootUpdate } = await import('../../src/commands/trust-root-update.js');
      const r = await trustRootUpdate({
        cwd: io.cwd,
        env: io.env,
        output: o.output,
        mirrorUrl: o.mirrorUrl,
        tufRoot: o.tufRoot,
        timeoutMs: timeoutFrom(o).timeoutMs ?? 15_000,
      });
      io.stdout.write(`wrote ${r.output}${r.date ? ` (newest key from ${r.date})` : ''}\n`);
      io.stdout.write(`wrote ${r.origin} (where it came from: verify names the root by it)\n`);
      for (const f of r.signingConfigs) io.stdout.write(`wrote ${f}\n`);
      if (r.signingConfigs.length === 0) io.stdout.write('the repository publishes no signing config\n');
    });
}
