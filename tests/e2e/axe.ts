import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';

const SAMPLE = 'data-axe-sample';

/**
 * axe's violations on the page, or inside `include`. A chapter's highlighted
 * code blocks are nine tenths of its DOM (an element per token), and axe's
 * colour-contrast pass over them alone takes most of a minute per page.
 * Expressive Code raises every token to a minimum contrast itself (its
 * minSyntaxHighlightingColorContrast), so the page's first block is checked
 * as a sample of how they all render and the others are left out.
 */
export async function axeViolations(page: Page, include?: string) {
  await page.evaluate((attribute) => document.querySelector('.expressive-code')?.setAttribute(attribute, ''), SAMPLE);
  const builder = new AxeBuilder({ page }).exclude(`.expressive-code:not([${SAMPLE}])`);
  return (await (include ? builder.include(include) : builder).analyze()).violations;
}
