import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readJunit } from '../../src/formats/junit.js';
import { readSbom, MEDIA_TYPES } from '../../src/formats/sbom.js';
import { decodeXmlText, LEGACY_XML_TEXT, parseXml } from '../../src/formats/xml.js';

/**
 * The XML reader decodes what a document's text and attribute values say: XML's five entities and numeric character
 * references, once (`&amp;lt;` is `&lt;`), never CDATA, and no entity a document declares (refused before parsing).
 * Before, it kept them as written, so a test named `math > fails` was `math &gt; fails` in every statement.
 */
const xml = (text: string, form?: typeof LEGACY_XML_TEXT) => parseXml('t.xml', Buffer.from(text), form);

function thrown(text: string): { code?: string; message: string; file?: string; issues?: { path: string }[] } {
  try {
    xml(text);
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error(`read: ${text}`);
}

describe('the XML reader decodes text and attribute values', () => {
  it('decodes the five entities and numeric references, once, in attributes and text, and leaves CDATA as it is', () => {
    const doc = xml(
      `<a x="a &amp;lt; b &gt; c &#x41;&#66; &quot;q&quot; &apos;s&apos;">t &amp;amp; &#65; &lt;<![CDATA[ &amp; kept ]]></a>`,
    );
    expect(doc).toEqual({ a: [{ '@x': `a &lt; b > c AB "q" 's'`, '#text': 't &amp; A < &amp; kept ' }] });
  });

  it('keeps a name no DTD here declares as written (no entity but the five is defined), and a reference with no number', () => {
    expect(xml('<a x="&nbsp;&copy; &#; &#x;"/>')).toEqual({ a: [{ '@x': '&nbsp;&copy; &#; &#x;' }] });
  });

  it('decodes control characters a reporter wrote as references (Surefire writes ESC as &#27;) and U+FFFF', () => {
    expect(xml('<a x="&#27;[31m red &#x1b;[0m &#xFFFF;"/>')).toEqual({
      a: [{ '@x': '\u001b[31m red \u001b[0m \uffff' }],
    });
  });

  it('in the legacy form (LEGACY_XML_TEXT) reads every value as written, as bundles signed before were', () => {
    expect(xml('<a x="a &amp;lt; &gt; &#x41;">&#65; &#0;</a>', LEGACY_XML_TEXT)).toEqual({
      a: [{ '@x': 'a &amp;lt; &gt; &#x41;', '#text': '&#65; &#0;' }],
    });
  });

  it('decodes one pass over the text (decodeXmlText): what a reference stands for is never read again', () => {
    expect(decodeXmlText('&amp;amp;lt; &amp;#65; &#38;lt; &#x26;#x41;')).toBe('&amp;lt; &#65; &lt; &#x41;');
  });
});

describe('a character reference to no character is an error naming the file and the value', () => {
  it.each([
    ['&#0;', 'U+0000'],
    ['&#x0;', 'U+0000'],
    ['&#xD800;', 'surrogate'],
    ['&#57343;', 'surrogate'],
    ['&#x110000;', 'past U+10FFFF'],
    ['&#99999999999999999999999;', 'past U+10FFFF'],
  ])('%s in an attribute (XML_INVALID)', (reference, why) => {
    const e = thrown(
      `<testsuites><testsuite><testcase name="ok"/><testcase name="a ${reference} b"/></testsuite></testsuites>`,
    );
    expect(e.code).toBe('XML_INVALID');
    expect(e.file).toBe('t.xml');
    expect(e.issues).toEqual([expect.objectContaining({ path: '/testsuites/testsuite[1]/testcase[2]/@name' })]);
    expect(e.message).toContain(`t.xml: /testsuites/testsuite[1]/testcase[2]/@name holds ${reference}`);
    expect(e.message).toContain(why);
  });

  it('in text, after a valid one', () => {
    const e = thrown('<r><c>&#65;</c><c><d>x &#xDFFF; y</d></c></r>');
    expect(e.code).toBe('XML_INVALID');
    expect(e.issues?.[0]?.path).toBe('/r/c[2]/d[1]/text()');
  });

  it('but not in CDATA, where nothing is a reference', () => {
    expect(xml('<r><![CDATA[&#0;]]></r>')).toEqual({ r: ['&#0;'] });
  });
});

describe('entity declarations are still refused, decoded or not', () => {
  it.each([
    '<!DOCTYPE r [<!ENTITY e "&#0;">]><r>&e;</r>',
    '<!DOCTYPE r [<!ENTITY lt "x">]><r>&lt;</r>',
    '<r><!ENTITY e SYSTEM "file:///etc/passwd"></r>',
  ])('%s (XML_DOCTYPE_NOT_ALLOWED)', (text) => {
    expect(thrown(text).code).toBe('XML_DOCTYPE_NOT_ALLOWED');
    expect(() => xml(text, LEGACY_XML_TEXT)).toThrow(expect.objectContaining({ code: 'XML_DOCTYPE_NOT_ALLOWED' }));
  });

  it('a bare document type naming an external DTD (Cobertura writes one) reads, decoded, and loads nothing', () => {
    const text =
      '<!DOCTYPE coverage SYSTEM "http://cobertura.sourceforge.net/xml/coverage-04.dtd"><coverage x="&amp;"/>';
    expect(xml(text)).toEqual({ coverage: [{ '@x': '&' }] });
  });
});

describe('what the readers take out of XML is decoded', () => {
  const report = readFileSync(new URL('../fixtures/legacy-xml-text/unit.junit.xml', import.meta.url));

  it("JUnit test names: `&gt;`, `&amp;`, `&#x41;` read as '>', '&', 'A'; `&amp;lt;` as '&lt;'", () => {
    expect(readJunit(parseXml('unit.junit.xml', report))?.cases.map((c) => c.name)).toEqual([
      'test/math.test.js::math > adds two numbers',
      'test/math.test.js::math > R&D budget: ABC',
      'test/math.test.js::math > keeps &lt; as written',
      'test/math.test.js::math > fails on purpose: 2 < 3 & A',
    ]);
    expect(readJunit(parseXml('unit.junit.xml', report, LEGACY_XML_TEXT))?.cases[1]?.name).toBe(
      'test/math.test.js::math &gt; R&amp;D budget: &#x41;&#66;C',
    );
  });

  it("JUnit messages and statuses: CTest's skip message written with a reference is a skip, not an error", () => {
    const ctest = Buffer.from(
      '<testsuite><testcase name="t" status="notrun"><skipped message="&#x53;KIP_REGULAR_EXPRESSION_MATCHED"/></testcase></testsuite>',
    );
    expect(readJunit(parseXml('ctest.xml', ctest))?.cases).toEqual([{ name: 't', outcome: 'skipped' }]);
  });

  it('CycloneDX XML: a purl whose qualifiers are joined by `&amp;` reads with `&`', () => {
    const bom = Buffer.from(
      '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library"><name>a&amp;b</name>' +
        '<version>1</version><purl>pkg:maven/g/a@1?type=jar&amp;classifier=x</purl></component></components></bom>',
    );
    expect(readSbom(bom, MEDIA_TYPES.cyclonedxXml, 'b.xml').components).toMatchObject([
      { name: 'a&b', purl: 'pkg:maven/g/a@1?type=jar&classifier=x' },
    ]);
  });
});
