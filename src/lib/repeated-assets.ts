/**
 * Removes every repeat of Expressive Code's stylesheet link and script tag
 * from a page, keeping the first. Expressive Code writes both into the first
 * code block it renders, once for the chapter's Markdown and once more for the
 * first `<CodeSample>` (its `<Code>` component counts blocks apart). The repeat
 * is not harmless: when Chromium parses the second link, deep in a page it has
 * already laid out, it recomputes the whole page's fonts and lays every
 * element out again, a task of 140–275 ms at 4x CPU on /login/ and /worker/ a
 * second after they open. Only Expressive Code's own files are touched, and
 * only tags identical to one before them: the first still loads the file where
 * the first code block needs it.
 */
const EXPRESSIVE_CODE_TAG = /<link rel="stylesheet" href="[^"]*\/ec\.[\w-]+\.css">|<script type="module" src="[^"]*\/ec\.[\w-]+\.js"><\/script>/g;

export function dropRepeatedAssets(html: string): string {
  const seen = new Set<string>();
  return html.replace(EXPRESSIVE_CODE_TAG, (tag) => {
    if (seen.has(tag)) return '';
    seen.add(tag);
    return tag;
  });
}
