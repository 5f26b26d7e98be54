import type { QuoteCode } from './api-types';
import { h } from './dom';

/** What the code field shows. */
export interface CodeFieldView {
  /** The code the cart is priced with (as the customer typed it), or none. */
  readonly code: string | null;
  /**
   * The quote's answer about that code, once a quote of it came (`null` while one is on its way);
   * without a code, why the last one was dropped at checkout, if it was.
   */
  readonly outcome: QuoteCode | null;
}

/** The discount code: a small form of its own beside the checkout form, and the quote's answer. */
export interface CodeField {
  readonly element: HTMLFormElement;
  readonly input: HTMLInputElement;
  render(view: CodeFieldView): void;
}

/**
 * The code field. Applying a code re-prices the cart with it; the quote's own sentence (applied,
 * unknown, used up, not combinable…) is shown under the field and read out by screen readers. The
 * page never judges a code itself.
 */
export function createCodeField(options: {
  readonly onApply: (code: string) => void;
  readonly onRemove: () => void;
}): CodeField {
  const input = h('input', {
    id: 'discount-code',
    name: 'code',
    type: 'text',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    maxlength: 64,
    'aria-describedby': 'discount-code-message',
  });
  const apply = h('button', { type: 'submit', class: 'secondary' }, 'Apply');
  const remove = h(
    'button',
    { type: 'button', class: 'link-button', hidden: true, 'data-focus-key': 'remove-code' },
    'Remove code',
  );
  // Polite and always present, so each new answer is read out when it replaces the last.
  const message = h('p', { id: 'discount-code-message', class: 'code-message', role: 'status' });
  const element = h(
    'form',
    { class: 'code-form' },
    h('label', { for: 'discount-code' }, 'Discount code ', h('span', { class: 'optional' }, '(optional)')),
    h('div', { class: 'code-row' }, input, apply),
    message,
    remove,
  );
  element.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (code) options.onApply(code);
    else options.onRemove();
  });
  remove.addEventListener('click', () => {
    input.value = '';
    options.onRemove();
    input.focus();
  });

  let shown = '';
  function render(view: CodeFieldView) {
    remove.hidden = view.code === null;
    const text = view.outcome?.message ?? (view.code === null ? '' : 'Checking your code…');
    const tone =
      view.outcome === null ? 'pending' : view.outcome.status === 'applied' ? 'applied' : 'refused';
    message.className = `code-message ${text ? tone : ''}`.trim();
    // Only a changed sentence is written: rewriting the same one would read it out again.
    if (text !== shown) {
      message.textContent = text;
      shown = text;
    }
    // A code the shop does not know is a typo to fix; the other answers are news, not mistakes.
    input.setAttribute('aria-invalid', String(view.outcome?.status === 'unknown'));
  }

  return { element, input, render };
}
