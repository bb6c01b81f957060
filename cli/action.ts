// The GitHub Action's entry (action.yml, runs: node20). Inputs arrive as the
// runner sets them (INPUT_* variables); outputs go to $GITHUB_OUTPUT and the
// report to $GITHUB_STEP_SUMMARY, through @actions/core. Bundled with every
// dependency into dist/action/index.mjs by scripts/build-bundles.mjs.
import { escapeValue } from '../src/present/terminal.js';
import * as core from '@actions/core';
import { releaseJob } from '../src/commands/release-job.js';
import type { IdentityPolicy } from '../src/verifier/identity-policy.js';
import { verdictOf } from '../src/verifier/report.js';
import { POLICY_SHOWS_NOTHING, reportHeadline, type PolicyShowsNothing } from '../src/verifier/release-gate.js';
import { ExitCode, UsageError, errorCode, exitCodeFor, exitCodeForVerdict } from './exit-codes.js';

const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

function input(name: string): string | undefined {
  const value = core.getInput(name);
  return value === '' ? undefined : value;
}

function flag(name: string, fallback: boolean): boolean {
  return input(name) === undefined ? fallback : core.getBooleanInput(name);
}

async function main(): Promise<void> {
  const env = process.env;
  const token = input('token');
  if (token) core.setSecret(token);
  const cwd = input('working-directory') ?? process.cwd();
  const tag = input('tag') ?? (env.GITHUB_REF_TYPE === 'tag' ? env.GITHUB_REF_NAME : undefined);
  const attachTo = flag('attach', false);
  if (attachTo && !tag) throw new UsageError('attach: needs a tag (the `tag` input, or a workflow run for a tag push)');

  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const identity: IdentityPolicy = {};
  const who =
    input('certificate-identity') ?? (env.GITHUB_WORKFLOW_REF ? `${server}/${env.GITHUB_WORKFLOW_REF}` : undefined);
  if (who) identity.certificateIdentity = who;
  identity.certificateOidcIssuer = input('certificate-oidc-issuer') ?? GITHUB_ISSUER;

  const signing = flag('sign', true);
  const trustedRoot = input('trusted-root');
  const policy = input('policy');
  const onNothing = (input('policy-shows-nothing') ?? 'fail') as PolicyShowsNothing;
  if (!POLICY_SHOWS_NOTHING.includes(onNothing))
    throw new UsageError(`policy-shows-nothing: ${onNothing} is neither fail nor warn`);
  const result = await releaseJob({
    cwd,
    // Our own token is GITHUB_TOKEN for attach; nothing else of the job's environment changes.
    env: { ...env, ...(token ? { GITHUB_TOKEN: token } : {}) },
    ...(input('config') ? { config: input('config') } : {}),
    ...(input('output') ? { output: input('output') } : {}),
    ...(input('name') ? { name: input('name') } : {}),
    ...(input('version') ? { version: input('version') } : {}),
    ...(signing
      ? {
          sign: {
            signingConfig: input('signing-config'),
            fulcioUrl: input('fulcio-url'),
            rekorUrl: input('rekor-url'),
            tsaUrl: input('tsa-url'),
          },
        }
      : {}),
    ...(flag('verify', true)
      ? {
          verify: {
            identity,
            ...(trustedRoot ? { trustedRoot: [trustedRoot] } : {}),
            ...(policy ? { policy } : {}),
            onNothing,
          },
        }
      : {}),
    ...(attachTo && tag
      ? {
          attach: {
            repo: input('repository') ?? env.GITHUB_REPOSITORY ?? '',
            tag,
            ...(input('api-url') ? { apiUrl: input('api-url') as string } : {}),
            create: flag('create-release', false),
            clobber: flag('clobber', false),
            withVerifier: flag('with-verifier', true),
            attestationsApi: flag('attestations-api', false),
          },
        }
      : {}),
    onProgress: (m) => core.info(m),
  });

  core.setOutput('bundle-path', result.bundle);
  core.setOutput('bundle-digest', result.bundleDigest);
  if (result.sigstoreBundle) core.setOutput('sigstore-bundle-path', result.sigstoreBundle);
  if (result.intotoJsonl) core.setOutput('intoto-path', result.intotoJsonl);
  if (result.sigstoreJsonl) core.setOutput('sigstore-jsonl-path', result.sigstoreJsonl);
  if (result.attached) core.setOutput('release-url', result.attached.release.url);
  const report = result.verification?.report;
  if (report) {
    core.setOutput('verdict', verdictOf(report));
    // The headline as verify heads it (POLICY SHOWS NOTHING, VERIFIED WITH CONCERNS…): what the verdict alone does not say.
    const head = reportHeadline(report);
    core.setOutput('headline', head.word);
    // The three answers, kept apart: a gate can promote on authenticity and policy, and still see the evidence's own
    // concerns.
    if (report.assessment) {
      core.setOutput('authentic', report.assessment.authenticity.status);
      core.setOutput('policy', report.assessment.policy.status);
      // A policy that held on no evidence says nothing of the release: a gate must be able to tell.
      core.setOutput('policy-shows', report.assessment.policy.shows ?? '');
      core.setOutput('evidence', report.assessment.evidence.status);
      core.setOutput(
        'evidence-concerns',
        report.assessment.evidence.findings.map((f) => `${f.code} ${f.path}`).join('\n'),
      );
      for (const f of report.assessment.evidence.findings)
        core.warning(escapeValue(`${f.path}: ${f.message} [${f.code}]`));
      const { shows, summary } = report.assessment.policy;
      // A policy that held on no evidence, or on part of it, is said where a reviewer looks, never only in the summary.
      if (report.ok && shows === 'partial') core.warning(escapeValue(`POLICY PARTLY SHOWN: ${summary}`));
      if (report.ok && shows === 'nothing' && !result.refused)
        core.warning(
          escapeValue(
            `POLICY SHOWS NOTHING: ${summary}; ${result.attached ? 'ATTACHED ANYWAY' : 'the step passes'}, as policy-shows-nothing is warn`,
          ),
        );
    }
    if (result.refused) {
      core.setFailed(escapeValue(result.refused));
      process.exitCode = ExitCode.PolicyFailed;
    }
    if (!report.ok) {
      const failed = report.checks
        .filter((c) => !c.ok && !c.skipped)
        .map((c) => escapeValue(`${c.id}: ${c.code ?? ''} ${c.message}`));
      core.setFailed(
        `the bundle did not verify${report.verdict === 'policy-failed' ? ' (policy)' : ''}; not attached\n${failed.join('\n')}`,
      );
      process.exitCode = exitCodeForVerdict(report.verdict, report.ok);
    }
  }
}

main().catch((e: unknown) => {
  core.setFailed(escapeValue(`${(e as Error).message ?? String(e)} [${errorCode(e)}]`));
  process.exitCode = exitCodeFor(e);
});
