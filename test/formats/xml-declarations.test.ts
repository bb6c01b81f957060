import { describe, expect, it } from 'vitest';
import { MAX_XML_BYTES, parseXml } from '../../src/formats/xml.js';

/**
 * Class: the XML reader's entity check ran a regular expression that, from each `<!DOCTYPE` with no `>` or `[`
 * after it, scanned to the end of the text: 20,000 of them in a 200 KB JUnit file took 2 s, 200,000 minutes (collect,
 * verify's cross-checks, diff and the index read XML through it). It is one pass now, with the same answers.
 */
const OLD = /<!ENTITY\b|<!DOCTYPE\b[^>[]*\[/i;

function refusal(text: string): string | undefined {
  try {
    parseXml('t.xml', Buffer.from(text));
    return undefined;
  } catch (e) {
    const err = e as { code?: string; message: string };
    return err.code === 'XML_DOCTYPE_NOT_ALLOWED' ? err.message : undefined;
  }
}

describe('the XML reader refuses entity declarations', () => {
  it('as the regular expression did, on 20,000 generated texts (same refusals, same line)', () => {
    const tokens = ['<!DOCTYPE', '<!doctype', '<!ENTITY', '<!entityx', '<!DOCTYPEx', '>', '[', ' ', 'a', '\n', '<t/>'];
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    let refused = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: 1 + (next() % 12) }, () => tokens[next() % tokens.length]).join('');
      const old = OLD.exec(text);
      const now = refusal(text);
      expect(now !== undefined, text).toBe(old !== null);
      if (old) {
        refused++;
        expect(now, text).toContain(`line ${text.slice(0, old.index).split('\n').length} `);
      }
    }
    // Both kinds of answer were asked.
    expect(refused).toBeGreaterThan(1000);
    expect(refused).toBeLessThan(19_000);
  });

  it('reads 200,000 document types without an internal subset in one pass, and finds a subset after them', () => {
    const many = `<testsuite>${'<!DOCTYPE '.repeat(200_000)}</testsuite>`;
    // Not well-formed, but not a declaration: refused as invalid, after one pass (it took minutes before).
    expect(() => parseXml('t.xml', Buffer.from(many))).toThrow(expect.objectContaining({ code: 'XML_INVALID' }));
    expect(refusal(`${'<!DOCTYPE '.repeat(200_000)}>\n<!DOCTYPE x [ ]>`)).toMatch(/line 2 .*internal subset/);
  });
});

describe('the XML reader bounds what it reads', () => {
  it('refuses more than 32 MiB of XML (XML_TOO_LARGE) before the validator, which takes ~40 bytes a byte, reads it', () => {
    const over = Buffer.alloc(MAX_XML_BYTES + 1, 0x20);
    expect(() => parseXml('r.xml', over)).toThrow(expect.objectContaining({ code: 'XML_TOO_LARGE' }));
    // Within it, a long attribute (a JUnit failure message of 2 MiB) is read: no bound of its own refuses it.
    const long = 'B'.repeat(2 * 1024 * 1024);
    expect(parseXml('m.xml', Buffer.from(`<testsuite><failure message="${long}"/></testsuite>`))).toMatchObject({
      testsuite: [{ failure: [{ '@message': long }] }],
    });
    expect(parseXml('q.xml', Buffer.from('<a b="x>y"/>'))).toMatchObject({ a: [{ '@b': 'x>y' }] });
  });
});
