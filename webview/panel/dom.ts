/** A small element builder: the panel builds its DOM in code (no innerHTML, nothing to escape). */

/** Any element, custom ones (vscode-elements) included. */
export function custom(tag: string, attributes: Readonly<Record<string, string>> = {}, ...children: (Node | string)[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  return custom(tag, attributes, ...children) as HTMLElementTagNameMap[K];
}

/** A panel this short (beside an editor, above the terminals) gives the timeline every row it can. */
export function isShortPanel(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(max-height: 700px)').matches;
}
