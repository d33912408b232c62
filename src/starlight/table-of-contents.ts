/**
 * The "本页内容" list's highlighting of the section being read, standing in
 * for Starlight's own `starlight-toc` element (astro.config.mjs swaps the
 * module; Starlight's mobile list extends this class). It behaves the same:
 * the link of the nearest heading above the part of the page at the top of
 * the screen is marked `aria-current`. What differs is how it finds the parts
 * to watch. Starlight asks for them with one selector built on `:has()` and
 * `~`; on /login/ (a simulator and whole code files, 8,000 elements) the two
 * lists (desktop and mobile) spent 130–170 ms in it at the first idle moment
 * after load, on this 2-core machine without CPU slowdown. Walking the
 * page's blocks once finds the same elements: 9–10 ms for both lists.
 */
const TITLE_ID = '_top';

/**
 * Starlight waits for an idle moment without a deadline. A page that never
 * idles then never highlights: headless Chromium, after a resize, went 60 s
 * without one on /login/ (the flaky 本页内容 test), and a busy page can starve
 * it in any browser. A second at most, as web-vitals caps its own wait.
 */
const IDLE_DEADLINE_MS = 1000;
const onIdle = (callback: () => void) =>
  window.requestIdleCallback ? window.requestIdleCallback(callback, { timeout: IDLE_DEADLINE_MS }) : setTimeout(callback, 1);

export class StarlightTOC extends HTMLElement {
  #current = this.querySelector<HTMLAnchorElement>('a[aria-current="true"]');
  readonly #minH = parseInt(this.dataset.minH || '2', 10);
  readonly #maxH = parseInt(this.dataset.maxH || '3', 10);
  /** Headings that can be in the list, e.g. `h1#_top,:where(h2,h3)[id]`. */
  readonly #headingSelector = `h1#${TITLE_ID},:where(${Array.from({ length: 1 + this.#maxH - this.#minH }, (_, i) => `h${this.#minH + i}`).join()})[id]`;

  protected set current(link: HTMLAnchorElement) {
    if (link === this.#current) return;
    this.#current?.removeAttribute('aria-current');
    link.setAttribute('aria-current', 'true');
    this.#current = link;
  }

  constructor() {
    super();
    onIdle(() => this.#init());
  }

  /**
   * The elements Starlight watches, each with the heading it belongs to: every
   * listed heading; the blocks after a heading (or its `.sl-heading-wrapper`)
   * that hold no heading; the article's and `main`'s own children that hold
   * none. A block belongs to the nearest heading before it in document order;
   * a child of `main` (a banner, the page footer) belongs to the page title.
   */
  #sections(): Map<Element, Element> {
    const main = document.querySelector('main');
    const title = document.getElementById(TITLE_ID);
    const sections = new Map<Element, Element>();
    if (!main || !title) return sections;
    const heading = this.#headingSelector;
    const isHeading = (element: Element) => element.matches(heading);
    const holdsHeading = (element: Element) => element.querySelector(heading) !== null;
    const watched = new Set<Element>();
    for (const found of main.querySelectorAll(`:where(${heading})`)) {
      watched.add(found);
      const anchor = found.closest('.sl-heading-wrapper') ?? found;
      // The next heading's own pass covers what follows it, so each block is looked at once.
      for (let next = anchor.nextElementSibling; next; next = next.nextElementSibling) {
        if (isHeading(next) || next.matches('.sl-heading-wrapper')) break;
        if (!holdsHeading(next)) watched.add(next);
      }
    }
    for (const block of [...main.querySelectorAll(':scope .sl-markdown-content > *'), ...main.children]) {
      if (!isHeading(block) && !holdsHeading(block)) watched.add(block);
    }
    let current: Element = title;
    const inOrder = [...watched].sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    for (const element of inOrder) {
      if (isHeading(element)) current = element;
      sections.set(element, element.parentElement === main ? title : current);
    }
    return sections;
  }

  #init(): void {
    const links = [...this.querySelectorAll('a')];
    const sections = this.#sections();
    const setCurrent: IntersectionObserverCallback = (entries) => {
      for (const { isIntersecting, target } of entries) {
        if (!isIntersecting) continue;
        const heading = sections.get(target);
        const link = heading && links.find((candidate) => candidate.hash === `#${encodeURIComponent(heading.id)}`);
        if (link) {
          this.current = link;
          break;
        }
      }
    };

    let observer: IntersectionObserver | undefined;
    const observe = () => {
      if (observer) return;
      observer = new IntersectionObserver(setCurrent, { rootMargin: this.#rootMargin() });
      for (const element of sections.keys()) observer.observe(element);
    };
    observe();

    let timeout: ReturnType<typeof setTimeout>;
    window.addEventListener('resize', () => {
      // No highlighting while the window is being resized; the margins depend on its height.
      observer?.disconnect();
      observer = undefined;
      clearTimeout(timeout);
      timeout = setTimeout(() => onIdle(observe), 200);
    });
  }

  /** Sections count from just under the header (and the mobile list's bar) to 53 px below that, a bit more than a heading's top margin. */
  #rootMargin(): `-${number}px 0% ${number}px` {
    const header = document.querySelector('header')?.getBoundingClientRect().height || 0;
    const mobileBar = this.querySelector('summary')?.getBoundingClientRect().height || 0;
    const top = header + mobileBar + 32;
    const bottom = top + 53;
    return `-${top}px 0% ${bottom - document.documentElement.clientHeight}px`;
  }
}

customElements.define('starlight-toc', StarlightTOC);
