import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CYCLONEDX_VERSIONS, sbomCollector } from '../../src/collector/sbom.js';
import { CollectError } from '../../src/collector/errors.js';
import { fixture, useTmp } from '../helpers/tmp.js';

/*
 * CycloneDX XML validated against the schemas @cyclonedx/cyclonedx-library
 * ships, through the WebAssembly libxml2 (no native build). The broken
 * documents are the real cyclonedx-npm 1.6 output (test/fixtures/sbom) with
 * one edit each, made here.
 */

const tmp = useTmp();
const REAL = 'sbom/cdx-npm-1.6.cdx.xml';

async function collectText(name: string, text: string) {
  const file = join(await tmp(), name);
  await writeFile(file, text);
  return sbomCollector.collect({ file, label: name });
}

async function failure(name: string, text: string): Promise<CollectError> {
  const e = await collectText(name, text).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(CollectError);
  return e as CollectError;
}

/** The real document with `from` (which must occur) replaced by `to`, and the line `from` starts on. */
async function edited(from: string, to: string): Promise<{ text: string; line: number }> {
  const text = await readFile(fixture(REAL), 'utf8');
  const at = text.indexOf(from);
  expect(at, `${from} is in ${REAL}`).toBeGreaterThan(-1);
  return { text: text.slice(0, at) + to + text.slice(at + from.length), line: text.slice(0, at).split('\n').length };
}

describe('CycloneDX XML schema validation', () => {
  it.each([
    ['cdx-npm-1.4.cdx.xml', '1.4', 11],
    ['cdx-npm-1.6.cdx.xml', '1.6', 11],
    ['cdx-npm-6.0.1-spec1.6.cdx.xml', '1.6', 9],
  ])('accepts the real %s (CycloneDX %s)', async (name, specVersion, components) => {
    const out = await sbomCollector.collect({ file: fixture(`sbom/${name}`), label: name });
    expect(out.mediaType).toBe('application/vnd.cyclonedx+xml');
    expect(out.summary).toMatchObject({ format: 'cyclonedx', specVersion, components });
  });

  it('refuses an element the schema does not allow, naming its line', async () => {
    const { text, line } = await edited('<name>argparse</name>', '<nmae>argparse</nmae>');
    const e = await failure('wrong-element.cdx.xml', text);
    expect(e.code).toBe('SBOM_INVALID');
    expect(e.file).toBe('wrong-element.cdx.xml');
    expect(e.issues.map((i) => i.path)).toEqual([`line ${line}`]);
  });

  it('refuses a bom version attribute that is no positive integer, naming its line', async () => {
    const { text, line } = await edited('version="1">', 'version="one">');
    expect(line).toBe(2);
    const e = await failure('bad-version.cdx.xml', text);
    expect(e.code).toBe('SBOM_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual(['line 2']);
  });

  it('refuses a component without its required type attribute, naming its line', async () => {
    const { text, line } = await edited(
      '<component type="library" bom-ref="evidence-sbom-fixture-app@1.0.0|argparse@3.0.4">',
      '<component bom-ref="evidence-sbom-fixture-app@1.0.0|argparse@3.0.4">',
    );
    const e = await failure('missing-type.cdx.xml', text);
    expect(e.code).toBe('SBOM_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual([`line ${line}`]);
  });

  it('reports every violation, each with its own line', async () => {
    const first = await edited('<name>argparse</name>', '<nmae>argparse</nmae>');
    const text = first.text.replace('version="1">', 'version="one">');
    const e = await failure('two-faults.cdx.xml', text);
    expect(e.code).toBe('SBOM_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual(['line 2', `line ${first.line}`]);
  });

  // Hand-made minimal documents, one per version the collector accepts: the
  // empty bom is valid in each, and an element of the CycloneDX namespace that
  // no version defines is not, so each version's schema is the one applied.
  it.each(CYCLONEDX_VERSIONS.map((v) => [v]))('applies the CycloneDX %s schema', async (v) => {
    const ok = await collectText(
      `empty-${v}.cdx.xml`,
      `<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/${v}" version="1"/>\n`,
    );
    expect(ok.summary).toMatchObject({ format: 'cyclonedx', specVersion: v, components: 0 });
    const e = await failure(
      `unknown-${v}.cdx.xml`,
      `<?xml version="1.0" encoding="UTF-8"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/${v}" version="1">\n  <nonsense/>\n</bom>\n`,
    );
    expect(e.code).toBe('SBOM_INVALID');
    expect(e.issues.map((i) => i.path)).toEqual(['line 3']);
  });

  it('refuses a document type naming an external DTD (which the XML reader alone lets through)', async () => {
    const { text } = await edited('<bom ', '<!DOCTYPE bom SYSTEM "file:///etc/passwd">\n<bom ');
    const e = await failure('doctype.cdx.xml', text);
    expect(e.code).toBe('XML_DOCTYPE_NOT_ALLOWED');
    expect(e.file).toBe('doctype.cdx.xml');
    expect(e.issues.map((i) => i.path)).toEqual(['line 2']);
  });

  it('refuses an external entity', async () => {
    const withEntity = await edited('<bom ', '<!DOCTYPE bom [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n<bom ');
    const text = withEntity.text.replace('<name>argparse</name>', '<name>&secret;</name>');
    expect((await failure('xxe.cdx.xml', text)).code).toBe('XML_DOCTYPE_NOT_ALLOWED');
  });

  it('refuses XML that libxml2 finds not well-formed (an undeclared prefix), naming the line', async () => {
    const { text, line } = await edited('<name>argparse</name>', '<x:name>argparse</x:name>');
    const e = await failure('prefix.cdx.xml', text);
    expect(e.code).toBe('XML_INVALID');
    expect(e.issues[0]?.path).toMatch(new RegExp(`^line ${line}, column \\d+$`));
  });
});
