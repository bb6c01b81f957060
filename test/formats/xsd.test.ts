import { describe, expect, it } from 'vitest';
import { FormatError } from '../../src/formats/errors.js';
import { loadXsd, type XsdSources } from '../../src/formats/xsd.js';

// Two small schemas written for this test: `main.xsd` imports `other.xsd`.
const MAIN = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:o="urn:other" targetNamespace="urn:main" xmlns="urn:main" elementFormDefault="qualified">
  <xs:import namespace="urn:other" schemaLocation="other.xsd"/>
  <xs:element name="root">
    <xs:complexType>
      <xs:sequence><xs:element ref="o:thing"/></xs:sequence>
      <xs:attribute name="n" type="xs:positiveInteger" use="required"/>
    </xs:complexType>
  </xs:element>
</xs:schema>`;
const OTHER = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:other" elementFormDefault="qualified">
  <xs:element name="thing" type="xs:string"/>
</xs:schema>`;

function sources(files: Record<string, string>): XsdSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    main: 'main.xsd',
    asked,
    read(name) {
      asked.push(name);
      const text = files[name];
      return text === undefined ? undefined : Buffer.from(text);
    },
  };
}

const VALID = '<root xmlns="urn:main" xmlns:o="urn:other" n="1">\n  <o:thing>x</o:thing>\n</root>';

function thrown(f: () => unknown): FormatError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('no error');
}

describe('XML Schema validation (libxml2-wasm)', () => {
  it('compiles a schema and its import from the files it is given, and finds what is wrong by line', async () => {
    const src = sources({ 'main.xsd': MAIN, 'other.xsd': OTHER });
    const schema = await loadXsd(src);
    expect(src.asked).toEqual(['main.xsd', 'other.xsd']);
    expect(schema.validate('ok.xml', Buffer.from(VALID))).toEqual([]);
    const issues = schema.validate(
      'bad.xml',
      Buffer.from('<root xmlns="urn:main" xmlns:o="urn:other" n="0">\n  <o:other/>\n</root>'),
    );
    expect(issues.map((i) => i.path)).toEqual(['line 1', 'line 2']);
  });

  it('does not compile a schema whose import it is not given', async () => {
    const src = sources({ 'main.xsd': MAIN });
    await expect(loadXsd(src)).rejects.toThrow(Error);
    expect(src.asked).toEqual(['main.xsd', 'other.xsd']);
  });

  it('refuses a document type, even one naming an external DTD only, with its line', async () => {
    const schema = await loadXsd(sources({ 'main.xsd': MAIN, 'other.xsd': OTHER }));
    const e = thrown(() =>
      schema.validate('dtd.xml', Buffer.from(`<?xml version="1.0"?>\n<!DOCTYPE root SYSTEM "main.xsd">\n${VALID}`)),
    );
    expect(e.code).toBe('XML_DOCTYPE_NOT_ALLOWED');
    expect(e.file).toBe('dtd.xml');
    expect(e.issues.map((i) => i.path)).toEqual(['line 2']);
  });

  it('refuses an entity declaration', async () => {
    const schema = await loadXsd(sources({ 'main.xsd': MAIN, 'other.xsd': OTHER }));
    const doc = `<!DOCTYPE root [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n${VALID.replace('>x<', '>&e;<')}`;
    expect(thrown(() => schema.validate('xxe.xml', Buffer.from(doc))).code).toBe('XML_DOCTYPE_NOT_ALLOWED');
  });

  it('refuses a document type in UTF-16, which the text scan does not see, once libxml2 has parsed it', async () => {
    const schema = await loadXsd(sources({ 'main.xsd': MAIN, 'other.xsd': OTHER }));
    const utf16 = (text: string) =>
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from(`<?xml version="1.0" encoding="UTF-16"?>\n${text}`, 'utf16le'),
      ]);
    expect(schema.validate('plain16.xml', utf16(VALID))).toEqual([]);
    const e = thrown(() => schema.validate('dtd16.xml', utf16(`<!DOCTYPE root SYSTEM "main.xsd">\n${VALID}`)));
    expect(e.code).toBe('XML_DOCTYPE_NOT_ALLOWED');
    expect(e.issues.map((i) => i.path)).toEqual(['prolog']);
  });

  it('refuses XML that is not well-formed with XML_INVALID and the line', async () => {
    const schema = await loadXsd(sources({ 'main.xsd': MAIN, 'other.xsd': OTHER }));
    const e = thrown(() =>
      schema.validate('broken.xml', Buffer.from('<root xmlns="urn:main" n="1">\n  <a></b>\n</root>')),
    );
    expect(e.code).toBe('XML_INVALID');
    expect(e.issues[0]?.path).toMatch(/^line 2, column \d+$/);
  });
});
