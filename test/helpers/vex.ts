/** What the VEX tests share: a finding, a CSAF document's frame, and the code of what a call throws. */
import type { Finding } from '../../src/formats/findings.js';
import { FormatError } from '../../src/formats/errors.js';

/** A critical finding of `id` in the package `purl`. */
export function finding(id: string, purl: string, aliases: string[] = []): Finding {
  return { id, aliases, purl, severity: 'critical', cvss: [], fixVersions: [], cwes: [] };
}

/** The FormatError code `fn` throws, a description of anything else it throws, or undefined when it returns. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof FormatError ? e.code : `not a FormatError: ${String(e)}`;
  }
  return undefined;
}

export const CSAF_TRACKING = {
  id: 'T-1',
  status: 'final',
  version: '1',
  initial_release_date: '2026-01-01T00:00:00Z',
  current_release_date: '2026-01-01T00:00:00Z',
  revision_history: [{ date: '2026-01-01T00:00:00Z', number: '1', summary: 'first' }],
};

/** A CSAF 2.0 VEX document around a product tree and vulnerabilities. */
export function csafDocument(productTree: unknown, vulnerabilities: unknown[], status = 'final') {
  return {
    document: {
      category: 'csaf_vex',
      csaf_version: '2.0',
      publisher: { category: 'vendor', name: 'Vendor', namespace: 'https://vendor.example' },
      title: 'advisory',
      tracking: { ...CSAF_TRACKING, status },
    },
    product_tree: productTree,
    vulnerabilities,
  };
}

/** One CSAF vulnerability: `cve` with these product statuses, each known_not_affected product flagged `flag`. */
export function csafVulnerability(cve: string, status: Record<string, string[]>, flag = 'vulnerable_code_not_present') {
  const na = status.known_not_affected ?? [];
  return {
    cve,
    notes: [{ category: 'description', text: 'x' }],
    product_status: status,
    ...(na.length ? { flags: [{ label: flag, product_ids: na }] } : {}),
  };
}

/** An OpenVEX 0.2.0 document of these statements, by `someone`, dated 2026-01-01, with `extra` fields over it. */
export function openvexDocument(statements: unknown[], extra: Record<string, unknown> = {}) {
  return {
    '@context': 'https://openvex.dev/ns/v0.2.0',
    '@id': 'urn:x',
    author: 'someone',
    timestamp: '2026-01-01T00:00:00Z',
    version: 1,
    statements,
    ...extra,
  };
}

/** An OpenVEX statement of `id` with `status` about `product`, with what its status requires, and `extra` over it. */
export function statementAbout(product: string, id: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    vulnerability: { name: id },
    products: [{ '@id': product }],
    status,
    ...(status === 'not_affected' && { justification: 'vulnerable_code_not_present' }),
    ...(status === 'affected' && { action_statement: 'upgrade' }),
    ...extra,
  };
}
