import { describe, expect, it } from 'vitest';
import { CommanderError } from 'commander';
import { GitHubError } from '../../src/transport/github/errors.js';
import { OciError } from '../../src/transport/oci/errors.js';
import { SignError } from '../../src/signer/errors.js';
import { VerifyError } from '../../src/verifier/errors.js';
import {
  ExitCode,
  exitCodeFor,
  exitCodeForAttestationSet,
  exitCodeForDiff,
  exitCodeForFetch,
  exitCodeForOk,
  exitCodeForPeriod,
  exitCodeForVerdict,
} from '../../cli/exit-codes.js';

/** Every verdict of every command maps to its exit code in cli/exit-codes.ts, and nowhere else. */
describe('verdicts to exit codes', () => {
  it("a verification report's verdict: 0, 1, or 3 for the policy alone", () => {
    expect(exitCodeForVerdict('verified', true)).toBe(ExitCode.Ok);
    expect(exitCodeForVerdict('failed', false)).toBe(ExitCode.VerificationFailed);
    expect(exitCodeForVerdict('policy-failed', false)).toBe(ExitCode.PolicyFailed);
    // A report without a verdict (none given) is decided by ok.
    expect(exitCodeForVerdict(undefined, true)).toBe(ExitCode.Ok);
    expect(exitCodeForVerdict(undefined, false)).toBe(ExitCode.VerificationFailed);
  });

  it('an answer without a policy (verify-attestation): 0 or 1', () => {
    expect(exitCodeForOk(true)).toBe(ExitCode.Ok);
    expect(exitCodeForOk(false)).toBe(ExitCode.VerificationFailed);
  });

  it('diff --exit-code: 4 when the releases differ, never 1, which is a bundle that failed its integrity check', () => {
    expect(exitCodeForDiff(true)).toBe(4);
    expect(exitCodeForDiff(false)).toBe(ExitCode.Ok);
  });

  it("fetch's verdict: failed 1, policy-failed 3, verified and downloaded 0", () => {
    expect(exitCodeForFetch('failed')).toBe(ExitCode.VerificationFailed);
    expect(exitCodeForFetch('policy-failed')).toBe(ExitCode.PolicyFailed);
    expect(exitCodeForFetch('verified')).toBe(ExitCode.Ok);
    expect(exitCodeForFetch('downloaded')).toBe(ExitCode.Ok);
  });

  it("an audit period's verdict: not authentic 1, incomplete or empty 2, policy 3, holds 0", () => {
    expect(exitCodeForPeriod('holds')).toBe(ExitCode.Ok);
    expect(exitCodeForPeriod('not-authentic')).toBe(ExitCode.VerificationFailed);
    expect(exitCodeForPeriod('incomplete')).toBe(ExitCode.InvalidInput);
    expect(exitCodeForPeriod('empty')).toBe(ExitCode.InvalidInput);
    expect(exitCodeForPeriod('policy-failed')).toBe(ExitCode.PolicyFailed);
  });

  it('verify-attestation over JSON lines: verified 0, a failed bundle 1, a malformed line alone 2', () => {
    expect(exitCodeForAttestationSet('verified')).toBe(ExitCode.Ok);
    expect(exitCodeForAttestationSet('failed')).toBe(ExitCode.VerificationFailed);
    expect(exitCodeForAttestationSet('incomplete')).toBe(ExitCode.InvalidInput);
  });

  it('the codes are the documented numbers', () => {
    expect(ExitCode).toEqual({ Ok: 0, VerificationFailed: 1, InvalidInput: 2, PolicyFailed: 3, Differs: 4 });
  });
});

describe('errors to exit codes', () => {
  it('a verdict on bytes is 1: a registry digest, a release asset, no bundle, a signed output that does not verify', () => {
    expect(exitCodeFor(new OciError('DIGEST_MISMATCH', 'x'))).toBe(ExitCode.VerificationFailed);
    expect(exitCodeFor(new GitHubError('ASSET_MISMATCH', 'x'))).toBe(ExitCode.VerificationFailed);
    expect(exitCodeFor(new VerifyError('BUNDLE_INVALID', 'x'))).toBe(ExitCode.VerificationFailed);
    expect(exitCodeFor(new SignError('SIGNED_OUTPUT_INVALID', 'x'))).toBe(ExitCode.VerificationFailed);
  });

  it("every other error, ours, commander's or a bug, is 2", () => {
    expect(exitCodeFor(new OciError('REFERENCE_INVALID', 'x'))).toBe(ExitCode.InvalidInput);
    expect(exitCodeFor(new GitHubError('ATTACH_INPUT_MISSING', 'x'))).toBe(ExitCode.InvalidInput);
    expect(exitCodeFor(new VerifyError('BUNDLE_NOT_FOUND', 'x'))).toBe(ExitCode.InvalidInput);
    // inspect's file that is no bundle, and verify-attestation's JSON that is no Sigstore bundle: input, not a verdict.
    expect(exitCodeFor(new VerifyError('BUNDLE_UNREADABLE', 'x'))).toBe(ExitCode.InvalidInput);
    expect(exitCodeFor(new VerifyError('ATTESTATION_MALFORMED', 'x'))).toBe(ExitCode.InvalidInput);
    expect(exitCodeFor(new CommanderError(1, 'commander.unknownOption', 'x'))).toBe(ExitCode.InvalidInput);
    expect(exitCodeFor(new Error('bug'))).toBe(ExitCode.InvalidInput);
    // Another area's error that happens to share a code is not the registry's verdict.
    expect(exitCodeFor(Object.assign(new Error('x'), { code: 'DIGEST_MISMATCH' }))).toBe(ExitCode.InvalidInput);
  });
});

describe('help and usage through the command line', () => {
  const sink = () => {
    const s = { text: '', isTTY: false, write: (c: string) => ((s.text += c), true) };
    return s;
  };
  it('help asked for is 0; help shown for a missing command, subcommand or an unknown topic is a usage error, 2', async () => {
    const { run } = await import('../../cli/run.js');
    const cases: [string[], number][] = [
      [['--help'], 0],
      [['help'], 0],
      [['help', 'verify'], 0],
      [['cra', '--help'], 0],
      [['--version'], 0],
      [[], 2],
      [['cra'], 2],
      [['trust-root'], 2],
      [['help', 'bogus'], 2],
      [['bogus'], 2],
      // --timeout is refused whatever the command then does with the network.
      [['verify', 'nothing.tar.gz', '--timeout', 'abc'], 2],
    ];
    for (const [argv, code] of cases) {
      const stdout = sink();
      const stderr = sink();
      expect(await run(argv, { stdout, stderr, env: {}, cwd: process.cwd() }), argv.join(' ')).toBe(code);
      if (argv[3] === '--timeout') expect(stderr.text).toContain("--timeout: 'abc'");
    }
  });
});
