/**
 * The elements of a hast tree (the HTML tree Expressive Code renders a block
 * into) that pass a test, in document order. Shared by this folder's
 * Expressive Code plugins; plain JS because ec.config.mjs loads them without
 * a TypeScript loader.
 * @param {any} node
 * @param {(node: any) => boolean} test
 * @returns {Generator<any>}
 */
export function* elements(node, test) {
  if (node.type === 'element' && test(node)) yield node;
  for (const child of node.children ?? []) yield* elements(child, test);
}
