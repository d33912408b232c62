/**
 * An Expressive Code plugin: the copy button takes its text from the code
 * lines on the page instead of a `data-code` attribute that repeats the whole
 * block. On a chapter that shows whole files that attribute was a sixth of the
 * HTML after compression (login: 12.6 of 71 KB gz). The button's words are
 * also given in Chinese, which Expressive Code does not ship.
 * Plain JS because ec.config.mjs loads it without a TypeScript loader.
 */

import { elements } from './hast-elements.mjs';

/**
 * Runs in the capture phase, so before the button's own click handler
 * (Expressive Code's copy module), which reads `dataset.code` with U+007F for
 * each line break. The text of each `.ec-line` is that line as shown; an
 * empty line holds a lone line break to keep its height, which is dropped.
 */
const fillFromLines = `document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('.expressive-code .copy button[data-copy-lines]') : null;
  const code = button?.closest('figure')?.querySelector('pre > code');
  if (!button || !code) return;
  button.dataset.code = [...code.querySelectorAll(':scope > .ec-line')].map((line) => line.textContent.replace(/\\n$/, '')).join('\\u007f');
}, true);`;

/** @returns {import('@astrojs/starlight/expressive-code').ExpressiveCodePlugin} */
export function copyFromLines() {
  return {
    name: 'copy-from-lines',
    jsModules: [fillFromLines],
    hooks: {
      postprocessRenderedBlock({ codeBlock, renderData }) {
        for (const button of elements(renderData.blockAst, (node) => node.tagName === 'button' && 'dataCode' in (node.properties ?? {}))) {
          const { dataCode, ...rest } = button.properties;
          // A terminal block copies its commands without the comments: not what the lines show, so it keeps the attribute.
          const verbatim = dataCode === codeBlock.code.replace(/\n/g, '\x7f');
          button.properties = verbatim
            ? { ...rest, title: '复制代码', dataCopied: '已复制', dataCopyLines: '' }
            : { ...rest, dataCode, title: '复制代码', dataCopied: '已复制' };
        }
      },
    },
  };
}
