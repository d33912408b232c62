/**
 * Region markers in code samples: `// #region name` … `// #endregion` (or
 * the `<!-- -->` form in WXML). The markers are removed and each region
 * becomes a 1-based inclusive line range in the cleaned text, so the code
 * panel can mark the lines of the current step.
 */
export interface RegionedSource {
  code: string;
  regions: Record<string, [start: number, end: number]>;
}

const START = /^\s*(?:\/\/|<!--)\s*#region\s+([\w-]+)\s*(?:-->)?\s*$/;
const END = /^\s*(?:\/\/|<!--)\s*#endregion\b.*$/;

export function extractRegions(source: string, fileName = 'source'): RegionedSource {
  const kept: string[] = [];
  const regions: RegionedSource['regions'] = {};
  const open: { name: string; start: number }[] = [];
  for (const line of source.replace(/\n$/, '').split('\n')) {
    const start = START.exec(line);
    if (start) {
      open.push({ name: start[1]!, start: kept.length + 1 });
      continue;
    }
    if (END.test(line)) {
      const region = open.pop();
      if (!region) throw new Error(`${fileName}: #endregion without #region`);
      regions[region.name] = [region.start, kept.length];
      continue;
    }
    kept.push(line);
  }
  if (open.length > 0) throw new Error(`${fileName}: unclosed #region ${open.map((r) => r.name).join(', ')}`);
  return { code: kept.join('\n'), regions };
}

/** Each top-level key of a JSON object as a region: from its line to the line before the next key (or the closing brace). */
export function extractJsonKeyRegions(source: string): RegionedSource {
  const code = source.replace(/\n$/, '');
  const lines = code.split('\n');
  const starts: { name: string; line: number }[] = [];
  lines.forEach((line, index) => {
    const key = /^ {2}"([\w-]+)"\s*:/.exec(line);
    if (key) starts.push({ name: key[1]!, line: index + 1 });
  });
  const closing = lines.findLastIndex((line) => line.trim() === '}') + 1;
  const regions: RegionedSource['regions'] = {};
  starts.forEach((start, i) => {
    regions[start.name] = [start.line, (starts[i + 1]?.line ?? closing) - 1];
  });
  return { code, regions };
}

/**
 * The lines of the named regions, in the order given, with a `…` comment
 * wherever lines are left out (before, between and after), so an excerpt
 * never reads as the whole file. The comment is indented like the line it
 * stands next to, so an excerpt from inside a function keeps its shape.
 */
export function excerpt(sample: RegionedSource, names: readonly string[], gap: string): string {
  const lines = sample.code.split('\n');
  const indentOf = (line: string | undefined) => /^[ \t]*/.exec(line ?? '')![0];
  const out: string[] = [];
  let next = 1;
  for (const name of names) {
    const range = sample.regions[name];
    if (!range) throw new Error(`no region ${name} (has ${Object.keys(sample.regions).join(', ') || 'none'})`);
    const [start, end] = range;
    if (start < next) throw new Error(`region ${name} overlaps the one before it; list regions in file order`);
    if (start > next) out.push(indentOf(lines[start - 1]) + gap);
    out.push(...lines.slice(start - 1, end));
    next = end + 1;
  }
  if (next <= lines.length) out.push(indentOf(out.at(-1)) + gap);
  return out.join('\n');
}
