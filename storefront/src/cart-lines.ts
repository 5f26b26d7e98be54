import type { CatalogProduct, QuoteLine } from './api-types';
import { type Cart, quantityOf } from './cart';
import { h, hidden, setUnavailable } from './dom';
import { formatMoney } from './messages';

/** What the lines show: the cart, and the quote's lines when the quote prices exactly this cart. */
export interface CartLinesView {
  readonly cart: Cart;
  readonly products: ReadonlyMap<string, CatalogProduct>;
  readonly quotedLines: readonly QuoteLine[] | null;
  readonly currency: string;
}

/** The cart's lines: a name, the amount, and − / quantity / + / Remove for each SKU. */
export interface CartLines {
  readonly element: HTMLUListElement;
  render(view: CartLinesView): void;
  /** Forgets the drawn lines, so the next render makes them anew (e.g. with the catalog's names). */
  reset(): void;
}

export interface CartLinesOptions {
  /** The customer asked for this quantity of a SKU (0 removes it). */
  readonly onQuantity: (sku: string, quantity: number) => void;
}

/**
 * Cart lines are updated in place, keyed by SKU, so a quantity being typed or a focused button
 * survives a quote arriving in the middle.
 */
export function createCartLines(options: CartLinesOptions): CartLines {
  const element = h('ul', { class: 'lines', 'aria-label': 'Items in your cart' });
  let view: CartLinesView = { cart: [], products: new Map(), quotedLines: null, currency: 'usd' };

  function render(next: CartLinesView) {
    view = next;
    const { cart, products, currency } = view;
    const quoted = view.quotedLines ? new Map(view.quotedLines.map((l) => [l.sku, l])) : null;
    const existing = new Map<string, HTMLLIElement>();
    for (const li of element.querySelectorAll<HTMLLIElement>(':scope > li.line')) {
      existing.set(li.dataset.sku ?? '', li);
    }
    const wanted = new Set(cart.map((line) => line.sku));
    // A removed line's focus is the panel's to catch (see `renderKeepingFocus`).
    for (const [sku, li] of existing) if (!wanted.has(sku)) li.remove();
    for (const [index, item] of cart.entries()) {
      const li = existing.get(item.sku) ?? createLine(item.sku);
      if (element.children[index] !== li) element.insertBefore(li, element.children[index] ?? null);
      const product = products.get(item.sku);
      const input = li.querySelector<HTMLInputElement>('input');
      if (input && document.activeElement !== input) input.value = String(item.quantity);
      const dec = li.querySelector<HTMLButtonElement>('.qty-dec');
      const inc = li.querySelector<HTMLButtonElement>('.qty-inc');
      // Unavailable, not disabled: the button keeps the focus of a keyboard user who just pressed it.
      if (dec) setUnavailable(dec, item.quantity <= 1);
      if (inc) setUnavailable(inc, item.quantity >= (product?.maxQuantity ?? Number.POSITIVE_INFINITY));
      const amount = li.querySelector<HTMLElement>('.line-amount');
      const line = quoted?.get(item.sku);
      if (amount) {
        amount.classList.toggle('pending', !line);
        amount.replaceChildren(
          ...(line
            ? [
                line.discount > 0
                  ? h('s', { class: 'was' }, hidden('was '), formatMoney(line.subtotal, currency))
                  : '',
                h('span', { class: 'now' }, formatMoney(line.total, currency)),
              ]
            : [product ? `${item.quantity} × ${formatMoney(product.unitAmount, product.currency)}` : '…']),
        );
      }
    }
    element.hidden = cart.length === 0;
  }

  function createLine(sku: string): HTMLLIElement {
    const product = view.products.get(sku);
    const name = product?.name ?? sku;
    const inputId = `qty-${sku}`;
    const input = h('input', {
      id: inputId,
      type: 'number',
      inputmode: 'numeric',
      min: 1,
      max: product?.maxQuantity ?? null,
      step: 1,
      'data-focus-key': `qty-${sku}`,
    });
    const dec = h('button', { type: 'button', class: 'qty-dec', 'aria-label': `One fewer ${name}` }, '−');
    const inc = h('button', { type: 'button', class: 'qty-inc', 'aria-label': `One more ${name}` }, '+');
    const remove = h('button', { type: 'button', class: 'link-button remove' }, 'Remove', hidden(` ${name}`));
    const current = () => quantityOf(view.cart, sku);
    // At 1, "one fewer" does nothing: removing is Remove's job, never a side effect of a dimmed button.
    dec.addEventListener('click', () => {
      if (current() > 1) options.onQuantity(sku, current() - 1);
    });
    inc.addEventListener('click', () => options.onQuantity(sku, current() + 1));
    remove.addEventListener('click', () => options.onQuantity(sku, 0));
    input.addEventListener('change', () => {
      const value = Number.parseInt(input.value, 10);
      // An emptied field means "changed my mind", not "remove": put the quantity back.
      if (Number.isNaN(value)) input.value = String(current());
      else options.onQuantity(sku, value);
    });
    return h(
      'li',
      { class: 'line', 'data-sku': sku },
      h(
        'div',
        { class: 'line-head' },
        h('span', { class: 'line-name' }, name),
        h('span', { class: 'line-amount', 'aria-live': 'off' }),
      ),
      h(
        'div',
        { class: 'qty' },
        h('label', { for: inputId, class: 'visually-hidden' }, `Quantity of ${name}`),
        dec,
        input,
        inc,
        remove,
      ),
    );
  }

  return {
    element,
    render,
    reset() {
      element.replaceChildren();
    },
  };
}
