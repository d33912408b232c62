/** The module deferred-pagefind-ui.ts loads on first search; Pagefind ships no types for it. */
declare module '@pagefind/default-ui/npm_dist/mjs/ui-core.mjs' {
  export class PagefindUI {
    constructor(options: Record<string, unknown>);
  }
}
