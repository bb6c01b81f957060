import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sbomCollector } from '../../src/collector/sbom.js';
import {
  MAX_LICENSE_EXPRESSION,
  cycloneDxJsonContents,
  cycloneDxXmlContents,
  expressionIds,
  readSbom,
} from '../../src/formats/sbom.js';
import { useTmp } from '../helpers/tmp.js';

/**
 * Class: nesting a hostile document chooses. A CycloneDX SBOM nested thousands deep overflowed the stack of the
 * schema validator and of the component walk: `evidence collect` answered INTERNAL_ERROR, and readSbom (which diff,
 * the index and the policy run on a bundle's SBOM) threw a bare RangeError. Now JSON is read at most 256 levels deep
 * (JSON_TOO_DEEP from collect, SBOM_UNREADABLE from a bundle), and the walks keep their own stack.
 */
const tmp = useTmp();
const OPEN = '{"type":"library","name":"c","version":"1","components":[';
const deepJson = (n: number) =>
  `{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[${OPEN.repeat(n)}{"type":"library","name":"leaf"}${']}'.repeat(n)}]}`;

describe('a CycloneDX SBOM nested deeper than is read', () => {
  it('collect: JSON_TOO_DEEP naming the file, not INTERNAL_ERROR', async () => {
    const file = join(await tmp(), 'deep.cdx.json');
    await writeFile(file, deepJson(20_000));
    await expect(sbomCollector.collect({ file, label: 'deep.cdx.json' })).rejects.toMatchObject({
      code: 'JSON_TOO_DEEP',
      message: expect.stringContaining('deep.cdx.json') as unknown,
    });
  });

  it("a bundle's SBOM: SBOM_UNREADABLE, not a RangeError", () => {
    expect(() => readSbom(Buffer.from(deepJson(20_000)), 'application/vnd.cyclonedx+json', 'sbom.json')).toThrow(
      expect.objectContaining({ code: 'SBOM_UNREADABLE' }),
    );
    // 100 components deep (201 JSON levels) is read, each component before those nested in it.
    const read = readSbom(Buffer.from(deepJson(100)), 'application/vnd.cyclonedx+json', 'sbom.json');
    expect(read.components).toHaveLength(101);
    expect(read.components.at(-1)?.name).toBe('leaf');
  });

  it('the component walks keep their own stack: 50,000 deep, in document order', () => {
    let inner: Record<string, unknown> = { name: 'leaf' };
    for (let i = 0; i < 50_000; i++) inner = { name: `c${i}`, components: [inner, { name: `s${i}` }] };
    const json = cycloneDxJsonContents({ components: [inner, { name: 'last' }] });
    expect(json.components).toHaveLength(100_002);
    expect(json.components.slice(0, 2).map((c) => c.name)).toEqual(['c49999', 'c49998']);
    // The innermost, then each level's sibling on the way out, then the top level's next.
    expect(json.components.slice(50_000, 50_003).map((c) => c.name)).toEqual(['leaf', 's0', 's1']);
    expect(json.components.at(-1)?.name).toBe('last');

    let node: Record<string, unknown> = { component: [{ name: [{ '#text': 'leaf' }] }] };
    for (let i = 0; i < 50_000; i++)
      node = { component: [{ name: [{ '#text': `c${i}` }], components: [node] }, { name: [{ '#text': `s${i}` }] }] };
    const xml = cycloneDxXmlContents({ components: [node] });
    expect(xml.components).toHaveLength(100_001);
    expect(xml.components.slice(0, 2).map((c) => c.name)).toEqual(['c49999', 'c49998']);
    expect(xml.components.at(-1)?.name).toBe('s49999');
  });
});

describe('a licence expression longer than is parsed', () => {
  it('is one opaque id past MAX_LICENSE_EXPRESSION, never handed to the parser whose time grows with its square', () => {
    // An outside review: 300,000 terms took 116 s in collect and 205 s in diff of a bundle holding them.
    const terms = (n: number) => Array.from({ length: n }, () => 'MIT').join(' AND ');
    expect(expressionIds(terms(3))).toEqual(['MIT', 'MIT', 'MIT']);
    const long = terms(Math.ceil(MAX_LICENSE_EXPRESSION / 8) + 1);
    expect(long.length).toBeGreaterThan(MAX_LICENSE_EXPRESSION);
    expect(expressionIds(long)).toEqual([long]);
    const huge = terms(300_000);
    expect(expressionIds(huge)).toEqual([huge]);
  });
});

describe('a JSON input with a key twice in one object', () => {
  it('is JSON_DUPLICATE_KEY naming the key and where: readers differ on which value counts', async () => {
    // An outside review: a CycloneDX SBOM with specVersion twice was accepted (JSON.parse keeps the last).
    const file = join(await tmp(), 'dup.cdx.json');
    await writeFile(
      file,
      '{"bomFormat":"CycloneDX","specVersion":"1.5","specVersion":"1.4","version":1,"components":[]}',
    );
    await expect(sbomCollector.collect({ file, label: 'dup.cdx.json' })).rejects.toMatchObject({
      code: 'JSON_DUPLICATE_KEY',
      message: expect.stringMatching(/dup\.cdx\.json: the key 'specVersion' appears twice/) as unknown,
    });
  });
});

describe('a licence that is one term of an SPDX expression', () => {
  it('keeps the expression as written beside the ids, in each SBOM format, and none for a single licence', () => {
    const cdx = JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      components: [
        { name: 'dual', version: '1', licenses: [{ expression: 'MIT OR GPL-3.0-only' }] },
        { name: 'plain', version: '1', licenses: [{ license: { id: 'MIT' } }] },
        { name: 'one', version: '1', licenses: [{ expression: 'Apache-2.0' }] },
        { name: 'exception', version: '1', licenses: [{ expression: 'GPL-2.0-only WITH Classpath-exception-2.0' }] },
        { name: 'later', version: '1', licenses: [{ expression: 'GPL-2.0+' }] },
      ],
    });
    const json = readSbom(Buffer.from(cdx), 'application/vnd.cyclonedx+json', 'a.json').components;
    expect(json.map((c) => [c.name, c.licenses, c.expressions])).toEqual([
      ['dual', ['MIT', 'GPL-3.0-only'], ['MIT OR GPL-3.0-only']],
      ['plain', ['MIT'], undefined],
      ['one', ['Apache-2.0'], undefined],
      // One id each, but the expression says more: an exception, or "or later".
      ['exception', ['GPL-2.0-only'], ['GPL-2.0-only WITH Classpath-exception-2.0']],
      ['later', ['GPL-2.0'], ['GPL-2.0+']],
    ]);
    const xml = `<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library"><name>dual</name><licenses><expression>MIT AND BSD-3-Clause</expression></licenses></component></components></bom>`;
    expect(readSbom(Buffer.from(xml), 'application/vnd.cyclonedx+xml', 'a.xml').components[0]?.expressions).toEqual([
      'MIT AND BSD-3-Clause',
    ]);
    // A real SPDX document (examples/), one package's declared licence made an expression.
    const doc = JSON.parse(readFileSync('examples/acme-web/sbom/acme-web.spdx.json', 'utf8')) as {
      packages: { licenseDeclared?: string; licenseConcluded?: string }[];
    };
    const last = doc.packages[doc.packages.length - 1] as { licenseDeclared?: string; licenseConcluded?: string };
    last.licenseDeclared = 'MIT OR Apache-2.0';
    last.licenseConcluded = 'MIT';
    const spdx = JSON.stringify(doc);
    expect(readSbom(Buffer.from(spdx), 'application/spdx+json', 's.json').components.at(-1)).toMatchObject({
      licenses: ['MIT', 'Apache-2.0', 'MIT'],
      expressions: ['MIT OR Apache-2.0'],
    });
  });
});
