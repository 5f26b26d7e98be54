/** Attributes of `h`: strings and numbers become attributes, `false`/`null`/`undefined` leave them out. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | number | null | undefined | false;

/**
 * Creates an element: `h('button', { type: 'button', class: 'add' }, 'Add')`. Text children are text
 * nodes, never parsed as HTML, so catalog text cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly (Child | readonly Child[])[]) {
  for (const child of children) {
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else if (child !== null && child !== undefined && child !== false) {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }
}

/** Text only screen readers read, e.g. the product name inside "Add … to cart". */
export function hidden(text: string): HTMLSpanElement {
  return h('span', { class: 'visually-hidden' }, text);
}

/**
 * Replaces an element's children, keeping keyboard focus on the element with the same
 * `data-focus-key` if there was one: re-rendering must not throw a keyboard user back to the top.
 */
export function replaceChildrenKeepingFocus(parent: HTMLElement, ...children: (Child | readonly Child[])[]) {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && parent.contains(active) ? active.dataset.focusKey : undefined;
  const fragment = document.createDocumentFragment();
  append(fragment, children);
  parent.replaceChildren(fragment);
  if (key) parent.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

/**
 * Marks a button unavailable (or available again) with `aria-disabled`, not `disabled`: a disabled
 * button loses keyboard focus — the focus falls to the page, and a keyboard user must find their
 * place again — while this one keeps it, is read as "dimmed", and its handler decides what a press
 * does (say why nothing happens, or nothing). Handlers must check {@link isUnavailable}.
 */
export function setUnavailable(button: HTMLButtonElement, unavailable: boolean): void {
  if (unavailable) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}

export function isUnavailable(button: HTMLButtonElement): boolean {
  return button.getAttribute('aria-disabled') === 'true';
}

/**
 * Runs a re-render that may remove or hide the focused control (a removed line, a hint whose deal
 * was reached, an alert's button); if it did, focus goes to `fallback` instead of the page, so a
 * keyboard user stays where they were working.
 */
export function renderKeepingFocus(fallback: HTMLElement, render: () => void): void {
  const before = document.activeElement;
  render();
  if (!(before instanceof HTMLElement) || before === document.body || !fallback.isConnected) return;
  const now = document.activeElement;
  const lost = now === null || now === document.body || (now === before && !isShown(before));
  if (lost) fallback.focus();
}

/** In the document and not inside anything `hidden` (whose focus the browser is about to drop). */
function isShown(element: HTMLElement): boolean {
  return element.isConnected && element.closest('[hidden]') === null;
}
