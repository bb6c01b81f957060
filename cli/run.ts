import { Command } from 'commander';
import { PACKAGE_VERSION } from '../src/version.js';
import { addAudit } from './commands/audit.js';
import { addIndex } from './commands/index.js';
import { addCra } from './commands/cra.js';
import { addDiff, addExtract, addInspect, addReport, addVerifyAttestation } from './commands/check.js';
import { addAttach, addFetch } from './commands/github.js';
import { addCollect, addSign } from './commands/make.js';
import { addPull, addPush } from './commands/registry.js';
import { addTrustRoot } from './commands/trust-root.js';
import { EXAMPLES, examplesText, registryFrom, runProgram, signingFrom, timeoutFrom, type CliIo } from './options.js';
import { addVerifyCommand } from './verify-program.js';

/**
 * The command line: commander wiring only. Each action (cli/commands/, by
 * group) calls a library function from src/commands and prints its result;
 * errors come back here and become exit codes in one place
 * (cli/exit-codes.ts).
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
    .showHelpAfterError('(run evidence --help for usage)')
    // --timeout is read only where a command goes to the network: a bad value is refused whatever the command then
    // does (a local `verify --timeout abc` exited 0).
    .hook('preAction', (_program, action) => void timeoutFrom(action.opts<{ timeout?: string }>()));

  addCollect(program, io);
  addSign(program, io);
  addVerify(program, io, outcome);
  addVerifyAttestation(program, io, outcome);
  addReport(program, io, outcome);
  addDiff(program, io, outcome);
  addAttach(program, io);
  addFetch(program, io, outcome);
  addAudit(program, io, outcome);
  addIndex(program, io, outcome);
  addCra(program, io, outcome);
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

export { EXAMPLES };
