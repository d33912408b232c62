/** Code as the build highlights it for the code panel: plain tokens with light and dark colours, and the regions a step can mark. */
export interface CodeToken {
  text: string;
  light?: string;
  dark?: string;
}

export interface HighlightedSample {
  file: string;
  /** What the reader sees as the file's name. */
  title: string;
  lines: CodeToken[][];
  regions: Record<string, [number, number]>;
}
