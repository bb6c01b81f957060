/**
 * What each shipped control needs at least before a release's evidence can
 * show it (docs/audit.md, "What each control needs"). Data, with the basis of
 * each judgement: the part of the control's source text it reads.
 *
 * A need is met when a requirement, rule or cross-check citing the control
 * passed on evidence of one of its `kinds` that the bundle holds (`signature`:
 * the bundle's signature was verified). A need whose `kinds` is empty is
 * something release evidence cannot show (an organisation's access reviews, a
 * declaration of conformity): a control with such a need is at most "partly
 * shown" by evidence, whatever its policy says. A control with no needs
 * (SLSA Build L0) asks for nothing.
 *
 * Approvals of changes (`change-approvals`: a code host's record of who
 * approved each change; `changes` from git alone do not have them) need a code
 * host (docs/changes.md); `vex` is met by VEX documents in the bundle
 * (`--vex`, docs/vulnerabilities.md), read by a requirement or a rule.
 */
export interface ControlNeed {
  /** What is needed, in a few words. */
  what: string;
  /** Evidence kinds any one of which meets it; empty when release evidence cannot. */
  kinds: readonly string[];
  /** Where the judgement comes from: the source's words this need reads. */
  basis: string;
}

/** Kinds that are not manifest entries: the verified signature itself. */
export const SIGNATURE_KIND = 'signature';

/**
 * Approvals of changes as a code host recorded them: what a rule reads when it reads `changes` and names an approval
 * fact (`approvedByOther`, `approvedOnMergedHead`, `approvedBeforeMerge`), counted over the changes whose approvals
 * were checked. Changes from git alone (docs/changes.md) have none: commit trailers are claims, not approvals.
 */
export const CHANGE_APPROVALS_KIND = 'change-approvals';

const outside = (what: string, basis: string): ControlNeed => ({ what, kinds: [], basis });
const need = (what: string, kinds: readonly string[], basis: string): ControlNeed => ({ what, kinds, basis });

const approvals = (basis: string): ControlNeed =>
  need('approval of each change by someone other than its author', [CHANGE_APPROVALS_KIND], basis);
const scsProvenance = (basis: string): ControlNeed =>
  outside("the source control system's own provenance or verification summary of the revision", basis);
const tests = (basis: string): ControlNeed => need('test results of the release', ['junit'], basis);
const scan = (basis: string): ControlNeed =>
  need('a vulnerability or code scan of the release', ['sarif', 'scan', 'vulns'], basis);
const sbom = (basis: string): ControlNeed => need('a software bill of materials', ['sbom'], basis);
const signed = (basis: string): ControlNeed =>
  need('a verified signature over the release evidence', [SIGNATURE_KIND], basis);
const provenance = (basis: string): ControlNeed => need('build provenance', ['attestation'], basis);
const dispositions = (basis: string): ControlNeed => need('a disposition of each finding (VEX)', ['vex'], basis);

const TSC = 'AICPA TSC 2017 (2022 points of focus)';
const ISO = 'ISO/IEC 27001:2022 Annex A';
const SSDF = 'NIST SP 800-218 v1.1';
const CRA = 'Regulation (EU) 2024/2847';

/** By control id as a policy cites it (`SOC2-CC8.1`). */
export const CONTROL_NEEDS: Readonly<Record<string, readonly ControlNeed[]>> = {
  'SOC2-CC6.1': [
    outside(
      "the organisation's logical access controls",
      `${TSC} CC6.1: logical access security software, infrastructure and architectures`,
    ),
  ],
  'SOC2-CC6.2': [
    outside('user registration and authorisation records', `${TSC} CC6.2: registers and authorises new users`),
  ],
  'SOC2-CC6.3': [
    outside('role-based access reviews', `${TSC} CC6.3: authorises, modifies or removes access based on roles`),
  ],
  'SOC2-CC6.4': [outside('physical access controls', `${TSC} CC6.4: restricts physical access to facilities`)],
  'SOC2-CC6.5': [
    outside(
      'records of disposal of assets',
      `${TSC} CC6.5: discontinues protections only after data cannot be recovered`,
    ),
  ],
  'SOC2-CC6.6': [
    outside('boundary protection of the system', `${TSC} CC6.6: protects against threats from outside its boundaries`),
  ],
  'SOC2-CC6.7': [
    outside(
      'controls on transmission and removal of information',
      `${TSC} CC6.7: restricts the transmission, movement and removal of information`,
    ),
  ],
  'SOC2-CC6.8': [
    scan(`${TSC} CC6.8: detects unauthorised or malicious software`),
    signed(`${TSC} CC6.8 point of focus: uses integrity checking`),
  ],
  'SOC2-CC7.1': [scan(`${TSC} CC7.1 point of focus: conducts vulnerability scans`)],
  'SOC2-CC7.2': [
    need('monitoring of the running system', ['slo'], `${TSC} CC7.2: monitors system components for anomalies`),
  ],
  'SOC2-CC7.3': [
    outside(
      'evaluation of security events',
      `${TSC} CC7.3: evaluates security events to determine whether they are incidents`,
    ),
  ],
  'SOC2-CC7.4': [outside('incident response records', `${TSC} CC7.4: responds to identified security incidents`)],
  'SOC2-CC7.5': [need('restoration figures', ['dora'], `${TSC} CC7.5: recovers from identified security incidents`)],
  'SOC2-CC8.1': [
    approvals(`${TSC} CC8.1 points of focus: authorises changes; approves system changes`),
    tests(`${TSC} CC8.1 point of focus: tests system changes`),
    need('what the change shipped', ['sbom', 'release-notes'], `${TSC} CC8.1 point of focus: documents changes`),
  ],
  'ISO27001-A.8.25': [
    approvals(`${ISO} 8.25: rules for the secure development of software (review)`),
    scan(`${ISO} 8.25: security testing in the life cycle`),
  ],
  'ISO27001-A.8.26': [
    outside('application security requirements', `${ISO} 8.26: requirements identified, specified and approved`),
  ],
  'ISO27001-A.8.27': [
    outside('architecture and engineering principles', `${ISO} 8.27: principles established, documented and applied`),
  ],
  'ISO27001-A.8.28': [scan(`${ISO} 8.28: secure coding principles applied`), approvals(`${ISO} 8.28: code review`)],
  'ISO27001-A.8.29': [
    scan(`${ISO} 8.29: security testing processes defined and implemented`),
    need('acceptance test results', ['junit', 'k6'], `${ISO} 8.29: acceptance testing`),
  ],
  'ISO27001-A.8.30': [
    outside('supervision of outsourced development', `${ISO} 8.30: direct, monitor and review outsourced development`),
  ],
  'ISO27001-A.8.31': [
    outside(
      'separate development, test and production environments',
      `${ISO} 8.31: environments separated and secured`,
    ),
  ],
  'ISO27001-A.8.32': [
    approvals(`${ISO} 8.32: changes subject to change management procedures`),
    tests(`${ISO} 8.32: changes tested`),
  ],
  'ISO27001-A.8.33': [
    outside('protection of test information', `${ISO} 8.33: test information selected, protected and managed`),
  ],
  'SSDF-PO.1': [outside('security requirements for development', `${SSDF} PO.1`)],
  'SSDF-PO.2': [outside('roles and responsibilities', `${SSDF} PO.2`)],
  'SSDF-PO.3': [
    provenance(`${SSDF} PO.3.3: configure the toolchain to generate artifacts of its support of secure development`),
  ],
  'SSDF-PO.4': [outside('criteria for security checks and their tracking', `${SSDF} PO.4`)],
  'SSDF-PO.5': [outside('secure development environments', `${SSDF} PO.5`)],
  'SSDF-PS.1': [approvals(`${SSDF} PS.1.1: store code with least privilege; review of changes`)],
  'SSDF-PS.2': [signed(`${SSDF} PS.2.1: make software integrity verification information available`)],
  'SSDF-PS.3': [
    sbom(`${SSDF} PS.3.2: collect, safeguard, maintain and share provenance data for all components (an SBOM)`),
  ],
  'SSDF-PW.1': [outside('security-driven design', `${SSDF} PW.1`)],
  'SSDF-PW.2': [outside('design review', `${SSDF} PW.2`)],
  'SSDF-PW.4': [sbom(`${SSDF} PW.4.4: verify acquired components (know which are used)`)],
  'SSDF-PW.5': [scan(`${SSDF} PW.5: adhere to secure coding practices`)],
  'SSDF-PW.6': [provenance(`${SSDF} PW.6.2: determine which compiler and build tool features are used`)],
  'SSDF-PW.7': [
    need(
      'code analysis or review',
      ['sarif', CHANGE_APPROVALS_KIND],
      `${SSDF} PW.7.2: perform code review and/or analysis`,
    ),
  ],
  'SSDF-PW.8': [tests(`${SSDF} PW.8.2: perform the testing`)],
  'SSDF-PW.9': [outside('secure default settings', `${SSDF} PW.9`)],
  'SSDF-RV.1': [scan(`${SSDF} RV.1.1: gather information on potential vulnerabilities`)],
  'SSDF-RV.2': [
    scan(`${SSDF} RV.2.1: analyse each vulnerability`),
    dispositions(`${SSDF} RV.2.2: plan and implement risk responses`),
  ],
  'SSDF-RV.3': [outside('root cause analysis', `${SSDF} RV.3`)],
  'SLSA-BUILD-L0': [],
  'SLSA-BUILD-L1': [provenance('SLSA v1.0 Build L1: provenance exists')],
  'SLSA-BUILD-L2': [provenance('SLSA v1.0 Build L2: signed provenance generated by a hosted build platform')],
  'SLSA-BUILD-L3': [provenance('SLSA v1.0 Build L3: provenance that tenants cannot forge')],
  // The Source track's levels rest on the source control system's own provenance and enforcement, which release
  // evidence does not carry: at most partly shown (docs/interop.md, "Source properties").
  'SLSA-SOURCE-L1': [
    need(
      "the release's changes as revisions of a version control system",
      ['changes'],
      'SLSA v1.2 Source L1: the source is version controlled, each revision immutably identified',
    ),
  ],
  'SLSA-SOURCE-L2': [
    need(
      'the rules of the branch that blocked force pushes, as the host showed them',
      [CHANGE_APPROVALS_KIND],
      'SLSA v1.2 Source L2: continuity of the branch history',
    ),
    scsProvenance('SLSA v1.2 Source L2: source provenance issued by the source control system'),
  ],
  'SLSA-SOURCE-L3': [scsProvenance('SLSA v1.2 Source L3: technical controls continuously enforced and attested')],
  'SLSA-SOURCE-L4': [
    approvals('SLSA v1.2 Source L4: two trusted persons agree to every change, other than its last author'),
    scsProvenance('SLSA v1.2 Source L4: the Source L3 controls, attested by the source control system'),
  ],
  'CRA-I.P1.1': [outside('a risk-based design', `${CRA} Annex I Part I (1)`)],
  'CRA-I.P1.2a': [
    scan(`${CRA} Annex I Part I (2)(a): without known exploitable vulnerabilities`),
    sbom(`${CRA} Annex I Part I (2)(a): which components are made available`),
  ],
  'CRA-I.P1.2b': [outside('secure default configuration', `${CRA} Annex I Part I (2)(b)`)],
  'CRA-I.P1.2c': [outside('a security update mechanism', `${CRA} Annex I Part I (2)(c)`)],
  'CRA-I.P1.2d': [outside('protection from unauthorised access', `${CRA} Annex I Part I (2)(d)`)],
  'CRA-I.P1.2e': [outside('confidentiality of data', `${CRA} Annex I Part I (2)(e)`)],
  'CRA-I.P1.2f': [signed(`${CRA} Annex I Part I (2)(f): integrity of programs`)],
  'CRA-I.P1.2g': [outside('data minimisation', `${CRA} Annex I Part I (2)(g)`)],
  'CRA-I.P1.2h': [
    need('availability figures', ['slo', 'k6'], `${CRA} Annex I Part I (2)(h): availability of essential functions`),
  ],
  'CRA-I.P1.2i': [outside('impact on other devices', `${CRA} Annex I Part I (2)(i)`)],
  'CRA-I.P1.2j': [outside('a limited attack surface', `${CRA} Annex I Part I (2)(j)`)],
  'CRA-I.P1.2k': [outside('incident impact reduction', `${CRA} Annex I Part I (2)(k)`)],
  'CRA-I.P1.2l': [outside('recording and monitoring of internal activity', `${CRA} Annex I Part I (2)(l)`)],
  'CRA-I.P1.2m': [outside('secure removal of data', `${CRA} Annex I Part I (2)(m)`)],
  'CRA-I.P2.1': [sbom(`${CRA} Annex I Part II (1): drawing up a software bill of materials`)],
  'CRA-I.P2.2': [
    scan(`${CRA} Annex I Part II (2): address and remediate vulnerabilities`),
    dispositions(`${CRA} Annex I Part II (2): remediate without delay`),
  ],
  'CRA-I.P2.3': [
    need(
      'security tests or reviews',
      ['junit', 'sarif'],
      `${CRA} Annex I Part II (3): effective and regular tests and reviews`,
    ),
  ],
  'CRA-I.P2.4': [outside('public disclosure of fixed vulnerabilities', `${CRA} Annex I Part II (4)`)],
  'CRA-I.P2.5': [outside('a coordinated vulnerability disclosure policy', `${CRA} Annex I Part II (5)`)],
  'CRA-I.P2.6': [outside('a contact address for vulnerabilities', `${CRA} Annex I Part II (6)`)],
  'CRA-I.P2.7': [signed(`${CRA} Annex I Part II (7): securely distribute updates`)],
  'CRA-I.P2.8': [outside('free and timely security updates', `${CRA} Annex I Part II (8)`)],
  'CRA-VII.1': [outside('a general description of the product', `${CRA} Annex VII (1)`)],
  'CRA-VII.2': [outside('a description of the processes', `${CRA} Annex VII (2)`)],
  'CRA-VII.3': [outside('a cybersecurity risk assessment', `${CRA} Annex VII (3)`)],
  'CRA-VII.4': [outside('the support period rationale', `${CRA} Annex VII (4)`)],
  'CRA-VII.5': [outside('the standards applied', `${CRA} Annex VII (5)`)],
  'CRA-VII.6': [tests(`${CRA} Annex VII (6): reports of the tests carried out`)],
  'CRA-VII.7': [outside('the EU declaration of conformity', `${CRA} Annex VII (7)`)],
  'CRA-VII.8': [sbom(`${CRA} Annex VII (8): the software bill of materials`)],
};

/** What a shipped control needs, by its catalog id (`SOC2-CC8.1`; an SSDF task is read as its practice). */
export function needsOf(catalogPrefix: string, controlId: string): readonly ControlNeed[] | undefined {
  return CONTROL_NEEDS[`${catalogPrefix}-${controlId}`];
}
