/**
 * Starlight's search box imports `@pagefind/default-ui` (27 KB gz) as soon as
 * the browser is idle, on every page, although most readers never search.
 * astro.config.mjs points that import here: this class takes the same
 * options and builds the real UI only when the search dialog first opens, so
 * a page costs nothing for search until someone uses it.
 */
interface PagefindUIOptions {
  element: string;
  [option: string]: unknown;
}

export class PagefindUI {
  constructor(options: PagefindUIOptions) {
    const mount = document.querySelector<HTMLElement>(options.element);
    const dialog = mount?.closest('dialog');
    if (!mount || !dialog) return;
    const load = async () => {
      const real = await import('@pagefind/default-ui/npm_dist/mjs/ui-core.mjs');
      new real.PagefindUI(options);
      // Starlight focused the input when the dialog opened, before there was one.
      if (dialog.open) mount.querySelector('input')?.focus();
    };
    if (dialog.open) {
      void load();
      return;
    }
    const opened = new MutationObserver(() => {
      if (!dialog.open) return;
      opened.disconnect();
      void load();
    });
    opened.observe(dialog, { attributes: true, attributeFilter: ['open'] });
  }
}
