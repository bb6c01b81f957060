import { describe, expect, it } from 'vitest';
import { effectiveSarifLevel, sarifLogSchema, securitySeverityBand, type SarifLog } from '../../src/formats/sarif.js';
import { summarizeSarif } from '../../src/collector/sarif.js';

function parse(input: unknown): SarifLog {
  return sarifLogSchema.parse(input);
}

function issuePaths(input: unknown): string[] {
  const r = sarifLogSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => i.path.join('.'));
}

const msg = { text: 'finding' };

describe('sarifLogSchema', () => {
  it('accepts a minimal log and keeps extra fields', () => {
    const log = parse({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 'scanner', 'x-extra': 1 } }, results: [], 'x-run-extra': true }],
    });
    expect(log.runs[0]?.tool.driver.name).toBe('scanner');
    expect(log.runs[0]?.tool.driver['x-extra']).toBe(1);
    expect(log.runs[0]?.['x-run-extra']).toBe(true);
  });

  it('accepts a log with no runs, and a run whose results are null', () => {
    expect(issuePaths({ version: '2.1.0', runs: [] })).toEqual([]);
    expect(issuePaths({ version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: null }] })).toEqual([]);
  });

  it('accepts a fuller log', () => {
    const log = {
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'CodeQL',
              semanticVersion: '2.15.0',
              informationUri: 'https://codeql.github.com',
              rules: [
                {
                  id: 'js/sql-injection',
                  name: 'SqlInjection',
                  shortDescription: { text: 'SQL injection' },
                  fullDescription: { text: 'Building a SQL query from user input.' },
                  defaultConfiguration: { level: 'error', enabled: true, rank: 90 },
                  help: { text: 'help', markdown: '**help**' },
                  properties: {
                    tags: ['security', 'external/cwe/cwe-089'],
                    'security-severity': '8.8',
                    precision: 'high',
                  },
                },
              ],
            },
            extensions: [{ name: 'codeql/javascript-queries', version: '0.8.0' }],
          },
          invocations: [{ executionSuccessful: true, commandLine: 'codeql analyze' }],
          artifacts: [{ location: { uri: 'src/db.js' }, hashes: { 'sha-256': 'abc' } }],
          results: [
            {
              ruleId: 'js/sql-injection',
              ruleIndex: 0,
              rule: { id: 'js/sql-injection', index: 0, toolComponent: { index: -1 } },
              message: { text: 'This query depends on a user-provided value.' },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: 'src/db.js', uriBaseId: '%SRCROOT%', index: 0 },
                    region: { startLine: 10, startColumn: 5, endColumn: 30 },
                  },
                },
              ],
              partialFingerprints: { primaryLocationLineHash: 'abc:1' },
              properties: { 'security-severity': '9.1' },
            },
          ],
        },
      ],
    };
    expect(issuePaths(log)).toEqual([]);
  });

  it('reports version, tool and message problems with their paths', () => {
    expect(issuePaths({ version: '2.0.0', runs: [] })).toEqual(['version']);
    expect(issuePaths({ version: '2.1.0' })).toEqual(['runs']);
    expect(
      issuePaths({
        version: '2.1.0',
        runs: [
          { tool: { driver: {} } },
          {
            tool: { driver: { name: 't', rules: [{ name: 'no-id', defaultConfiguration: { level: 'fatal' } }] } },
            results: [
              { message: {} },
              { message: msg, level: 'critical', kind: 'failed' },
              { ruleIndex: -2, message: msg, locations: [{ physicalLocation: { region: { startLine: 0 } } }] },
              { ruleId: 'x' },
            ],
          },
        ],
      }).sort(),
    ).toEqual([
      'runs.0.tool.driver.name',
      'runs.1.results.0.message',
      'runs.1.results.1.kind',
      'runs.1.results.1.level',
      'runs.1.results.2.locations.0.physicalLocation.region.startLine',
      'runs.1.results.2.ruleIndex',
      'runs.1.results.3.message',
      'runs.1.tool.driver.rules.0.defaultConfiguration.level',
      'runs.1.tool.driver.rules.0.id',
    ]);
  });

  it('requires security-severity to be a string holding a number', () => {
    const withSeverity = (value: unknown) => ({
      version: '2.1.0',
      runs: [{ tool: { driver: { name: 't', rules: [{ id: 'r', properties: { 'security-severity': value } }] } } }],
    });
    expect(issuePaths(withSeverity('7.5'))).toEqual([]);
    expect(issuePaths(withSeverity('high'))).toEqual(['runs.0.tool.driver.rules.0.properties.security-severity']);
    expect(issuePaths(withSeverity(7.5))).toEqual(['runs.0.tool.driver.rules.0.properties.security-severity']);
  });
});

describe('securitySeverityBand', () => {
  it("uses GitHub's bands", () => {
    expect(securitySeverityBand(10)).toBe('critical');
    expect(securitySeverityBand(9.0)).toBe('critical');
    expect(securitySeverityBand(8.99)).toBe('high');
    expect(securitySeverityBand(7.0)).toBe('high');
    expect(securitySeverityBand(6.9)).toBe('medium');
    expect(securitySeverityBand(4.0)).toBe('medium');
    expect(securitySeverityBand(3.9)).toBe('low');
    expect(securitySeverityBand(0.1)).toBe('low');
    expect(securitySeverityBand(0)).toBeUndefined();
    expect(securitySeverityBand(-1)).toBeUndefined();
  });
});

describe('summarizeSarif', () => {
  it('counts an empty log', () => {
    expect(summarizeSarif(parse({ version: '2.1.0', runs: [] }))).toEqual({
      tools: [],
      results: 0,
      levels: { error: 0, warning: 0, note: 0, none: 0 },
      severities: { critical: 0, high: 0, medium: 0, low: 0 },
    });
  });

  it('derives levels and severity bands', () => {
    const log = parse({
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: {
              name: 'trivy',
              rules: [
                { id: 'R0', defaultConfiguration: { level: 'error' }, properties: { 'security-severity': '9.8' } },
                { id: 'R1', defaultConfiguration: { level: 'note' }, properties: { 'security-severity': '7.0' } },
                { id: 'R2', properties: { 'security-severity': '4.0' } },
                { id: 'R3', defaultConfiguration: { enabled: true }, properties: { 'security-severity': '0.0' } },
                { id: 'R4', properties: { tags: ['security'] } },
              ],
            },
          },
          results: [
            // explicit level wins over the rule's default; severity from rule → critical
            { ruleId: 'R0', level: 'warning', message: msg },
            // level from the rule found by ruleIndex → error; critical
            { ruleIndex: 0, message: msg },
            // level from the rule found by ruleId → note; high
            { ruleId: 'R1', message: msg },
            // rule without defaultConfiguration → warning; medium
            { ruleId: 'R2', message: msg },
            // defaultConfiguration without level → warning; 0.0 counts in no band
            { ruleId: 'R3', message: msg },
            // no security-severity anywhere → no band
            { ruleId: 'R4', message: msg },
            // result's own security-severity takes precedence over the rule's (9.8 → low)
            { ruleId: 'R0', message: msg, properties: { 'security-severity': '2.5' } },
            // kind other than fail → none, even with a rule default of error
            { ruleId: 'R0', kind: 'pass', message: msg },
            { ruleId: 'R0', kind: 'fail', message: msg },
            // unknown rule → warning, no band
            { ruleId: 'nope', message: msg },
            // hierarchical rule id matches R1 → note; high
            { ruleId: 'R1/sub', message: msg },
          ],
        },
        {
          tool: { driver: { name: 'eslint' } },
          results: [{ message: { id: 'default' } }, { level: 'none', message: msg }],
        },
        { tool: { driver: { name: 'trivy' } }, results: null },
        { tool: { driver: { name: 'Bandit' } } },
      ],
    });
    expect(summarizeSarif(log)).toEqual({
      tools: ['Bandit', 'eslint', 'trivy'],
      results: 13,
      levels: { error: 3, warning: 6, note: 2, none: 2 },
      severities: { critical: 4, high: 2, medium: 1, low: 1 },
    });
  });

  it('looks rules up in the extension named by rule.toolComponent', () => {
    const log = parse({
      version: '2.1.0',
      runs: [
        {
          tool: {
            driver: { name: 'CodeQL', rules: [{ id: 'X', defaultConfiguration: { level: 'note' } }] },
            extensions: [
              {
                name: 'codeql/java-queries',
                rules: [
                  { id: 'X', defaultConfiguration: { level: 'error' }, properties: { 'security-severity': '7.5' } },
                ],
              },
            ],
          },
          results: [
            // by extension index + ruleIndex
            { ruleIndex: 0, rule: { index: 0, toolComponent: { index: 0 } }, message: msg },
            // by extension name + ruleId
            { ruleId: 'X', rule: { id: 'X', toolComponent: { name: 'codeql/java-queries' } }, message: msg },
            // no toolComponent → driver's rule
            { ruleId: 'X', message: msg },
            // toolComponent naming a missing extension → rule not found → warning
            { ruleId: 'X', rule: { id: 'X', toolComponent: { index: 5 } }, message: msg },
          ],
        },
      ],
    });
    const summary = summarizeSarif(log);
    expect(summary.levels).toEqual({ error: 2, warning: 1, note: 1, none: 0 });
    expect(summary.severities).toEqual({ critical: 0, high: 2, medium: 0, low: 0 });
    expect(summary.tools).toEqual(['CodeQL']);
  });

  it("applies ruleConfigurationOverrides of the result's invocation", () => {
    const log = parse({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 't', rules: [{ id: 'A', defaultConfiguration: { level: 'warning' } }] } },
          invocations: [
            {
              executionSuccessful: true,
              ruleConfigurationOverrides: [{ descriptor: { id: 'A' }, configuration: { level: 'error' } }],
            },
          ],
          results: [
            { ruleId: 'A', message: msg, provenance: { invocationIndex: 0 } },
            { ruleId: 'A', message: msg },
          ],
        },
      ],
    });
    const run = log.runs[0]!;
    const results = run.results!;
    expect(effectiveSarifLevel(run, results[0]!)).toBe('error');
    expect(effectiveSarifLevel(run, results[1]!)).toBe('warning');
  });
});
