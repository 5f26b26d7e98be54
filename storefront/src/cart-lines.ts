import type { QuoteLine } from './api-types';
import { type Cart, quantityOf } from './cart';
import { h, hidden, setUnavailable } from './dom';
import { formatMoney } from './messages';
import { type AvailabilityOf, type CatalogIndex, describeShortLine, lineLimit } from './variants';

/** What the lines show: the cart, and the quote's lines when the quote prices exactly this cart. */
export interface CartLinesView {
  readonly cart: Cart;
  readonly index: CatalogIndex;
  readonly availability: AvailabilityOf;
  /** Lines the API found short (409 `out_of_stock`), with what is left of each. */
  readonly short: ReadonlyMap<string, number>;
  readonly quotedLines: readonly QuoteLine[] | null;
  readonly currency: string;
}

/** The cart's lines: a name (with the size), the amount, the stock, and − / quantity / + / Remove for each SKU. */
export interface CartLines {
  readonly element: HTMLUListElement;
  render(view: CartLinesView): void;
  /** Forgets the drawn lines, so the next render makes them anew (e.g. with the catalog's names). */
  reset(): void;
  /** Focuses the fix of the first line found short; `false` if there is none. */
  focusFirstFix(): boolean;
}

export interface CartLinesOptions {
  /** The customer asked for this quantity of a SKU (0 removes it). */
  readonly onQuantity: (sku: string, quantity: number) => void;
}

/**
 * Cart lines are updated in place, keyed by SKU, so a quantity being typed or a focused button
 * survives a quote arriving in the middle. A line the API found short says what is left and offers
 * the fix — lower it to what is left, or remove it — so the cart is never stuck.
 */
export function createCartLines(options: CartLinesOptions): CartLines {
  const element = h('ul', { class: 'lines', 'aria-label': 'Items in your cart' });
  let view: CartLinesView = {
    cart: [],
    index: { products: new Map(), sellables: new Map() },
    availability: () => null,
    short: new Map(),
    quotedLines: null,
    currency: 'usd',
  };

  function render(next: CartLinesView) {
    view = next;
    const { cart, index, currency } = view;
    const quoted = view.quotedLines ? new Map(view.quotedLines.map((l) => [l.sku, l])) : null;
    const existing = new Map<string, HTMLLIElement>();
    for (const li of element.querySelectorAll<HTMLLIElement>(':scope > li.line')) {
      existing.set(li.dataset.sku ?? '', li);
    }
    const wanted = new Set(cart.map((line) => line.sku));
    // A removed line's focus is the panel's to catch (see `renderKeepingFocus`).
    for (const [sku, li] of existing) if (!wanted.has(sku)) li.remove();
    for (const [position, item] of cart.entries()) {
      const li = existing.get(item.sku) ?? createLine(item.sku);
      if (element.children[position] !== li) element.insertBefore(li, element.children[position] ?? null);
      const sellable = index.sellables.get(item.sku);
      const limit = lineLimit(cart, item.sku, index, view.availability);
      const input = li.querySelector<HTMLInputElement>('input');
      if (input) {
        if (document.activeElement !== input) input.value = String(item.quantity);
        input.max = String(Math.max(limit.max, item.quantity));
      }
      const dec = li.querySelector<HTMLButtonElement>('.qty-dec');
      const inc = li.querySelector<HTMLButtonElement>('.qty-inc');
      // Unavailable, not disabled: the button keeps the focus of a keyboard user who just pressed it.
      if (dec) setUnavailable(dec, item.quantity <= 1);
      if (inc) setUnavailable(inc, item.quantity >= limit.max);
      const line = quoted?.get(item.sku);
      const amount = li.querySelector<HTMLElement>('.line-amount');
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
            : [
                sellable
                  ? `${item.quantity} × ${formatMoney(sellable.variant.unitAmount, sellable.product.currency)}`
                  : '…',
              ]),
        );
      }
      const name = li.querySelector<HTMLElement>('.line-name');
      if (name && line) name.textContent = line.name;
      drawStock(li, item.sku, line);
    }
    element.hidden = cart.length === 0;
  }

  /** The line's stock note ("Only 2 left"), or, when the API found it short, the problem and its fix. */
  function drawStock(li: HTMLLIElement, sku: string, line: QuoteLine | undefined) {
    const note = li.querySelector<HTMLElement>('.line-note');
    const problem = li.querySelector<HTMLElement>('.line-problem');
    if (!note || !problem) return;
    const available = view.short.get(sku);
    const name = view.index.sellables.get(sku)?.name ?? line?.name ?? sku;
    li.classList.toggle('short', available !== undefined);
    if (available === undefined) {
      const message = (line?.availability ?? view.availability(sku))?.message ?? '';
      note.textContent = message;
      note.hidden = message === '';
      if (!problem.hidden) {
        problem.hidden = true;
        problem.replaceChildren();
      }
      return;
    }
    note.hidden = true;
    problem.hidden = false;
    if (problem.dataset.available === String(available)) return;
    problem.dataset.available = String(available);
    // The visible words begin the button's name (WCAG 2.5.3): "Keep 2 of Logo Hoodie — Black, XL".
    const fix = h(
      'button',
      { type: 'button', class: 'secondary fix', 'data-focus-key': `fix-${sku}` },
      ...(available > 0
        ? [`Keep ${available}`, hidden(` of ${name}`)]
        : ['Remove', hidden(` sold-out ${name}`)]),
    );
    fix.addEventListener('click', () => options.onQuantity(sku, available));
    problem.replaceChildren(h('p', {}, describeShortLine(name, available)), fix);
  }

  function createLine(sku: string): HTMLLIElement {
    const sellable = view.index.sellables.get(sku);
    const name = sellable?.name ?? sku;
    const inputId = `qty-${sku}`;
    const input = h('input', {
      id: inputId,
      type: 'number',
      inputmode: 'numeric',
      min: 1,
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
      // An emptied field means "changed my mind", not "remove", and so does a negative number (a
      // stray minus): put the quantity back. 0 removes the line, as the Remove button does.
      if (Number.isNaN(value) || value < 0) {
        input.value = String(current());
        return;
      }
      options.onQuantity(sku, value);
      // What the cart holds now (a quantity above the limit is lowered or refused, the reason said):
      // the field keeps its focus, so the render leaves its value alone.
      if (current() > 0) input.value = String(current());
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
      h('p', { class: 'line-note', hidden: true }),
      h('div', { class: 'line-problem', hidden: true }),
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
    focusFirstFix() {
      const fix = element.querySelector<HTMLButtonElement>('li.line.short .fix');
      fix?.focus();
      return fix !== null;
    },
  };
}
