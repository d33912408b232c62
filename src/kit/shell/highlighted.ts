/**
 * Code as the build highlights it for the code panel (src/lib/code-samples.ts).
 * Colours are indices into the chapter's palette rather than inline colours on
 * every token: a few classes the browser can match once instead of thousands
 * of style attributes, and a much smaller file to fetch.
 */

/** Text in the code's own colour, or text with an index into the palette. */
export type CodeToken = string | readonly [text: string, colour: number];

export interface HighlightedSample {
  file: string;
  /** What the reader sees as the file's name. */
  title: string;
  lines: readonly (readonly CodeToken[])[];
  /** How many monospace columns the longest line takes, East Asian wide characters counting two. */
  columns: number;
  regions: Record<string, [number, number]>;
}

/** One chapter's code files and the colours they use. */
export interface HighlightedCode {
  /** The code's own colour first, then each token colour, as [light theme, dark theme]. */
  palette: readonly (readonly [light: string, dark: string])[];
  samples: readonly HighlightedSample[];
}
