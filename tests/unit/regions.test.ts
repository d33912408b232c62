import { describe, expect, it } from 'vitest';
import { extractJsonKeyRegions, extractRegions } from '../../src/lib/regions.ts';

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
