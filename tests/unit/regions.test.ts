import { describe, expect, it } from 'vitest';
import { excerpt, extractJsonKeyRegions, extractRegions } from '../../src/lib/regions.ts';

describe('code sample regions', () => {
  it('strips markers and maps nested regions to lines of the cleaned code', () => {
    const source = ['a', '// #region outer', 'b', '  // #region inner', 'c', '  // #endregion', 'd', '// #endregion', 'e', ''].join('\n');
    expect(extractRegions(source)).toEqual({ code: 'a\nb\nc\nd\ne', regions: { inner: [3, 3], outer: [2, 4] } });
  });

  it('understands WXML comments', () => {
    expect(extractRegions('<!-- #region btn -->\n<button/>\n<!-- #endregion -->').regions).toEqual({ btn: [1, 1] });
  });

  it('rejects unbalanced markers with the file name', () => {
    expect(() => extractRegions('// #endregion', 'x.ts')).toThrow('x.ts');
    expect(() => extractRegions('// #region a', 'y.ts')).toThrow('unclosed #region a');
  });

  it('takes a JSON file’s top-level keys as its regions, since JSON has no comments', () => {
    const json = ['{', '  "pages": ["a"],', '  "permission": {', '    "scope.userLocation": { "desc": "x" }', '  },', '  "style": "v2"', '}', ''].join('\n');
    expect(extractJsonKeyRegions(json).regions).toEqual({ pages: [2, 2], permission: [3, 5], style: [6, 6] });
  });
});

describe('excerpt', () => {
  const sample = extractRegions('a\n// #region one\nb\n// #endregion\nc\n// #region two\nd\ne\n// #endregion\nf');

  it('marks every gap, before, between and after the regions', () => {
    expect(excerpt(sample, ['one', 'two'], '// …')).toBe('// …\nb\n// …\nd\ne\n// …');
  });

  it('indents each gap like the line it stands next to', () => {
    const nested = extractRegions('f() {\n  // #region inner\n  if (x) {\n    y();\n  }\n  // #endregion\n  z();\n}');
    expect(excerpt(nested, ['inner'], '// …')).toBe('  // …\n  if (x) {\n    y();\n  }\n  // …');
  });

  it('joins adjacent regions without a gap and adds none at a file edge', () => {
    const whole = extractRegions('// #region one\na\n// #endregion\n// #region two\nb\n// #endregion');
    expect(excerpt(whole, ['one', 'two'], '// …')).toBe('a\nb');
  });

  it('refuses a region the file lacks, or regions out of file order', () => {
    expect(() => excerpt(sample, ['three'], '// …')).toThrow('no region three (has one, two)');
    expect(() => excerpt(sample, ['two', 'one'], '// …')).toThrow('list regions in file order');
  });
});
