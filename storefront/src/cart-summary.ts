import type { Quote, QuoteHint } from './api-types';
import { h, replaceChildrenKeepingFocus } from './dom';
import { formatMoney } from './messages';
import type { HintAction } from './variants';

/** What the summary shows. */
export interface CartSummaryView {
  readonly empty: boolean;
  /** The latest quote (maybe of an older cart), or none yet. */
  readonly quote: Quote | null;
  /** The quote prices exactly this cart. */
  readonly fresh: boolean;
  /** The cart changed since its quote, or a quote is on its way. */
  readonly updating: boolean;
  readonly failed: boolean;
  /** Lines are short of stock: the cart cannot be priced until they are changed. */
  readonly short: boolean;
  readonly currency: string;
  /** What a hint's button does (its addition names products; a sized one needs a size). */
  readonly hintAction: (hint: QuoteHint) => HintAction | null;
}

/**
 * The cart's deals applied and "save more" hints (`offers`, which scroll with the lines), and its
 * totals (`element`, the `.summary`, which stays in view above the Checkout button).
 */
export interface CartSummary {
  readonly offers: HTMLElement;
  readonly element: HTMLElement;
  /** Draws the summary; returns the total to show on the phone's "View cart" bar, if it is current. */
  render(view: CartSummaryView): string | null;
}

/** The summary; `onHint` is called when the customer presses a hint's button. */
export function createCartSummary(options: {
  readonly onHint: (hint: QuoteHint, action: HintAction) => void;
}): CartSummary {
  const offers = h('div', { class: 'offers' });
  const element = h('div', { class: 'summary' });

  function render(view: CartSummaryView): string | null {
    const { currency } = view;
    element.setAttribute('aria-busy', String(view.updating));
    element.classList.toggle('stale', view.updating);
    offers.classList.toggle('stale', view.updating);
    const q = view.quote;
    // Short lines hide the total whichever refused them, a quote or a checkout (whose quote was
    // fine a moment before): a cart that cannot be bought as it is has no total to show.
    if (view.empty || !q || view.short || (!view.fresh && view.failed)) {
      replaceChildrenKeepingFocus(offers);
      replaceChildrenKeepingFocus(
        element,
        view.empty
          ? h('p', { class: 'empty' }, 'Your cart is empty. Add something from the shop.')
          : h(
              'p',
              { class: 'quote-state' },
              view.short
                ? 'Change the marked items to see your total.'
                : view.failed
                  ? 'Prices are not available right now.'
                  : 'Pricing your cart…',
            ),
      );
      return null;
    }
    const code = q.code?.status === 'applied' ? q.code : null;
    replaceChildrenKeepingFocus(
      offers,
      q.appliedBundles.length > 0 || code
        ? h(
            'section',
            { class: 'applied', 'aria-labelledby': 'applied-title' },
            h('h3', { id: 'applied-title' }, 'Deals applied'),
            h(
              'ul',
              {},
              q.appliedBundles.map((bundle) =>
                h(
                  'li',
                  { 'data-bundle-id': bundle.id },
                  h(
                    'span',
                    {},
                    bundle.timesApplied > 1 ? `${bundle.name} × ${bundle.timesApplied}` : bundle.name,
                  ),
                  h('span', { class: 'saving' }, `−${formatMoney(bundle.discount, currency)}`),
                ),
              ),
              code
                ? h(
                    'li',
                    { 'data-code': code.code },
                    h('span', {}, `Code ${code.code}`),
                    h('span', { class: 'saving' }, `−${formatMoney(code.discount, currency)}`),
                  )
                : null,
            ),
          )
        : null,
      q.hints.length > 0
        ? h(
            'section',
            { class: 'hints', 'aria-labelledby': 'hints-title' },
            h('h3', { id: 'hints-title' }, 'Save more'),
            h(
              'ul',
              {},
              q.hints.map((hint) => hintItem(hint, view.hintAction(hint))),
            ),
          )
        : null,
    );
    replaceChildrenKeepingFocus(
      element,
      h(
        'dl',
        { class: 'totals' },
        h('div', {}, h('dt', {}, 'Subtotal'), h('dd', {}, formatMoney(q.subtotal, currency))),
        q.discount > 0
          ? h(
              'div',
              { class: 'saving' },
              h('dt', {}, 'You save'),
              h('dd', { 'data-testid': 'savings' }, `−${formatMoney(q.discount, currency)}`),
            )
          : null,
        h(
          'div',
          { class: 'total' },
          // Said beside the label, not on a line of its own: the pinned totals keep their height.
          h('dt', {}, 'Total', view.updating ? h('span', { class: 'quote-state' }, ' · updating…') : null),
          h('dd', { 'data-testid': 'total' }, formatMoney(q.total, currency)),
        ),
      ),
    );
    return view.fresh ? formatMoney(q.total, currency) : null;
  }

  function hintItem(hint: QuoteHint, action: HintAction | null) {
    const button = action
      ? h(
          'button',
          { type: 'button', class: 'secondary', 'data-focus-key': `hint-${hint.bundleId}` },
          action.label,
        )
      : null;
    if (action) button?.addEventListener('click', () => options.onHint(hint, action));
    return h('li', { class: 'hint', 'data-bundle-id': hint.bundleId }, h('p', {}, hint.message), button);
  }

  return { offers, element, render };
}
