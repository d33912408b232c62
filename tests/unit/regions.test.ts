import { describe, expect, it } from 'vitest';
import { extractRegions } from '../../src/lib/regions.ts';

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
});
