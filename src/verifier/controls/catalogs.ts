/**
 * The control catalogs a policy can cite (docs/audit.md): identifiers and
 * short titles only, written here from the public documents named in each
 * catalog's `source`. The titles are short paraphrases for reports, not the
 * criteria's text: an auditor reads the source for that.
 *
 * A control is cited in a policy as `PREFIX-ID`, e.g. `SOC2-CC8.1`,
 * `ISO27001-A.8.32`, `SSDF-PS.2` (or one of its tasks, `SSDF-PS.2.1`),
 * `SLSA-BUILD-L2`, `CRA-I.P2.1`. Only letters, digits, `.`, `-` and `_`, so
 * that every id is also an OSCAL token.
 */
export interface ControlCatalog {
  /** Short name used in reports and on the command line. */
  id: 'soc2' | 'iso27001' | 'ssdf' | 'slsa' | 'cra';
  /** What a policy writes before the control's id. */
  prefix: string;
  title: string;
  source: { title: string; publisher: string; url: string; version: string };
  /** Whether a dotted suffix of a listed control (a task of an SSDF practice) is accepted as that control. */
  tasks?: boolean;
  /**
   * The ids this catalog lists in full. An id of the prefix outside it (SOC 2
   * CC1.1, ISO 27001 A.8.8) is a real control we ship no title for: shown as
   * written. An id inside it that the catalog does not list is a typo.
   */
  scope: RegExp;
  controls: readonly { id: string; title: string }[];
}

export const CATALOGS: readonly ControlCatalog[] = [
  {
    id: 'soc2',
    prefix: 'SOC2',
    title: 'SOC 2 Trust Services Criteria (common criteria CC6, CC7, CC8)',
    scope: /^CC[678]\.\d+$/,
    source: {
      title:
        '2017 Trust Services Criteria for Security, Availability, Processing Integrity, Confidentiality, and Privacy (With Revised Points of Focus — 2022)',
      publisher: 'AICPA',
      url: 'https://www.aicpa-cima.com/resources/download/2017-trust-services-criteria-with-revised-points-of-focus-2022',
      version: '2017 (revised points of focus 2022)',
    },
    controls: [
      { id: 'CC6.1', title: 'Logical access security over protected information assets' },
      { id: 'CC6.2', title: 'Registration and authorisation of users before access is granted' },
      { id: 'CC6.3', title: 'Access is authorised, modified or removed by role and least privilege' },
      { id: 'CC6.4', title: 'Physical access to facilities and assets is restricted' },
      { id: 'CC6.5', title: 'Protections are discontinued only once data cannot be recovered from disposed assets' },
      { id: 'CC6.6', title: 'Logical access is protected against threats from outside the system boundaries' },
      { id: 'CC6.7', title: 'Transmission, movement and removal of information is restricted and protected' },
      { id: 'CC6.8', title: 'Unauthorised or malicious software is prevented or detected' },
      { id: 'CC7.1', title: 'Detection and monitoring of configuration changes and newly discovered vulnerabilities' },
      { id: 'CC7.2', title: 'System components are monitored for anomalies indicating malicious acts or errors' },
      { id: 'CC7.3', title: 'Security events are evaluated to decide whether they are incidents' },
      { id: 'CC7.4', title: 'Identified security incidents are responded to' },
      { id: 'CC7.5', title: 'Recovery from identified security incidents' },
      {
        id: 'CC8.1',
        title: 'Changes are authorised, designed, developed, configured, documented, tested, approved and implemented',
      },
    ],
  },
  {
    id: 'iso27001',
    prefix: 'ISO27001',
    title: 'ISO/IEC 27001:2022 Annex A, controls 8.25–8.33',
    scope: /^A\.8\.(2[5-9]|3[0-3])$/,
    source: {
      title:
        'ISO/IEC 27001:2022 Information security, cybersecurity and privacy protection — Information security management systems — Requirements, Annex A (Table A.1)',
      publisher: 'ISO/IEC',
      url: 'https://www.iso.org/standard/27001',
      version: '2022',
    },
    controls: [
      { id: 'A.8.25', title: 'Secure development life cycle' },
      { id: 'A.8.26', title: 'Application security requirements' },
      { id: 'A.8.27', title: 'Secure system architecture and engineering principles' },
      { id: 'A.8.28', title: 'Secure coding' },
      { id: 'A.8.29', title: 'Security testing in development and acceptance' },
      { id: 'A.8.30', title: 'Outsourced development' },
      { id: 'A.8.31', title: 'Separation of development, test and production environments' },
      { id: 'A.8.32', title: 'Change management' },
      { id: 'A.8.33', title: 'Test information' },
    ],
  },
  {
    id: 'ssdf',
    prefix: 'SSDF',
    title: 'NIST SP 800-218 Secure Software Development Framework (SSDF) version 1.1, practices',
    scope: /^/,
    source: {
      title:
        'NIST SP 800-218, Secure Software Development Framework (SSDF) Version 1.1: Recommendations for Mitigating the Risk of Software Vulnerabilities',
      publisher: 'NIST',
      url: 'https://doi.org/10.6028/NIST.SP.800-218',
      version: '1.1 (February 2022)',
    },
    tasks: true,
    controls: [
      { id: 'PO.1', title: 'Define security requirements for software development' },
      { id: 'PO.2', title: 'Implement roles and responsibilities' },
      { id: 'PO.3', title: 'Implement supporting toolchains' },
      { id: 'PO.4', title: 'Define and use criteria for software security checks' },
      { id: 'PO.5', title: 'Implement and maintain secure environments for software development' },
      { id: 'PS.1', title: 'Protect all forms of code from unauthorised access and tampering' },
      { id: 'PS.2', title: 'Provide a mechanism for verifying software release integrity' },
      { id: 'PS.3', title: 'Archive and protect each software release' },
      { id: 'PW.1', title: 'Design software to meet security requirements and mitigate security risks' },
      {
        id: 'PW.2',
        title: 'Review the software design to verify compliance with security requirements and risk information',
      },
      { id: 'PW.4', title: 'Reuse existing, well-secured software when feasible instead of duplicating functionality' },
      { id: 'PW.5', title: 'Create source code by adhering to secure coding practices' },
      {
        id: 'PW.6',
        title: 'Configure the compilation, interpreter and build processes to improve executable security',
      },
      { id: 'PW.7', title: 'Review and/or analyse human-readable code to identify vulnerabilities' },
      {
        id: 'PW.8',
        title: 'Test executable code to identify vulnerabilities and verify compliance with security requirements',
      },
      { id: 'PW.9', title: 'Configure software to have secure settings by default' },
      { id: 'RV.1', title: 'Identify and confirm vulnerabilities on an ongoing basis' },
      { id: 'RV.2', title: 'Assess, prioritise and remediate vulnerabilities' },
      { id: 'RV.3', title: 'Analyse vulnerabilities to identify their root causes' },
    ],
  },
  {
    id: 'slsa',
    prefix: 'SLSA',
    title: 'SLSA v1.2 Build and Source track levels',
    scope: /^(BUILD|SOURCE)-/,
    source: {
      title: 'SLSA specification v1.2, Security levels: Build track and Source track',
      publisher: 'OpenSSF',
      url: 'https://slsa.dev/spec/v1.2/levels',
      version: '1.2',
    },
    controls: [
      { id: 'BUILD-L0', title: 'No guarantees' },
      { id: 'BUILD-L1', title: 'Provenance exists, showing how the package was built' },
      { id: 'BUILD-L2', title: 'Hosted build platform: signed provenance generated by the build platform' },
      { id: 'BUILD-L3', title: 'Hardened builds: provenance that tenants cannot forge' },
      { id: 'SOURCE-L1', title: 'Version controlled: every revision identified immutably' },
      { id: 'SOURCE-L2', title: 'History and provenance: continuous history, source provenance from the SCS' },
      { id: 'SOURCE-L3', title: 'Continuous technical controls, enforced and attested by the SCS' },
      { id: 'SOURCE-L4', title: 'Two-party review of every change' },
    ],
  },
  {
    id: 'cra',
    prefix: 'CRA',
    title: 'EU Cyber Resilience Act, Regulation (EU) 2024/2847, Annex I and Annex VII',
    scope: /^(I|VII)\./,
    source: {
      title:
        'Regulation (EU) 2024/2847 of the European Parliament and of the Council of 23 October 2024 on horizontal cybersecurity requirements for products with digital elements (Cyber Resilience Act)',
      publisher: 'European Union, Official Journal L 2024/2847',
      url: 'https://eur-lex.europa.eu/eli/reg/2024/2847/oj',
      version: '2024/2847',
    },
    controls: [
      {
        id: 'I.P1.1',
        title:
          'Annex I Part I (1): designed, developed and produced for a level of cybersecurity appropriate to the risks',
      },
      { id: 'I.P1.2a', title: 'Annex I Part I (2)(a): made available without known exploitable vulnerabilities' },
      { id: 'I.P1.2b', title: 'Annex I Part I (2)(b): secure by default configuration' },
      { id: 'I.P1.2c', title: 'Annex I Part I (2)(c): vulnerabilities can be addressed through security updates' },
      { id: 'I.P1.2d', title: 'Annex I Part I (2)(d): protection from unauthorised access' },
      { id: 'I.P1.2e', title: 'Annex I Part I (2)(e): confidentiality of data' },
      { id: 'I.P1.2f', title: 'Annex I Part I (2)(f): integrity of data, programs and configuration' },
      { id: 'I.P1.2g', title: 'Annex I Part I (2)(g): data minimisation' },
      { id: 'I.P1.2h', title: 'Annex I Part I (2)(h): availability of essential functions' },
      { id: 'I.P1.2i', title: 'Annex I Part I (2)(i): minimise negative impact on other devices or networks' },
      { id: 'I.P1.2j', title: 'Annex I Part I (2)(j): limit attack surfaces' },
      { id: 'I.P1.2k', title: 'Annex I Part I (2)(k): reduce the impact of an incident' },
      { id: 'I.P1.2l', title: 'Annex I Part I (2)(l): record and monitor relevant internal activity' },
      { id: 'I.P1.2m', title: 'Annex I Part I (2)(m): users can securely remove data and settings' },
      {
        id: 'I.P2.1',
        title:
          'Annex I Part II (1): identify and document vulnerabilities and components, including a software bill of materials',
      },
      { id: 'I.P2.2', title: 'Annex I Part II (2): address and remediate vulnerabilities without delay' },
      { id: 'I.P2.3', title: 'Annex I Part II (3): apply effective and regular tests and reviews of security' },
      { id: 'I.P2.4', title: 'Annex I Part II (4): share and publicly disclose fixed vulnerabilities' },
      { id: 'I.P2.5', title: 'Annex I Part II (5): a coordinated vulnerability disclosure policy' },
      { id: 'I.P2.6', title: 'Annex I Part II (6): facilitate sharing of information about potential vulnerabilities' },
      { id: 'I.P2.7', title: 'Annex I Part II (7): mechanisms to securely distribute updates' },
      { id: 'I.P2.8', title: 'Annex I Part II (8): security updates disseminated without delay and free of charge' },
      { id: 'VII.1', title: 'Annex VII (1): general description of the product' },
      { id: 'VII.2', title: 'Annex VII (2): design, development, production and vulnerability handling processes' },
      { id: 'VII.3', title: 'Annex VII (3): assessment of the cybersecurity risks' },
      { id: 'VII.4', title: 'Annex VII (4): information taken into account to determine the support period' },
      {
        id: 'VII.5',
        title: 'Annex VII (5): harmonised standards, common specifications or certification schemes applied',
      },
      { id: 'VII.6', title: 'Annex VII (6): reports of the tests carried out to verify conformity' },
      { id: 'VII.7', title: 'Annex VII (7): a copy of the EU declaration of conformity' },
      { id: 'VII.8', title: 'Annex VII (8): the software bill of materials, on reasoned request' },
    ],
  },
];
