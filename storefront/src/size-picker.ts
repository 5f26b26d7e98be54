import type { Availability, CatalogProduct, CatalogVariant } from './api-types';
import { h, hidden } from './dom';
import type { AvailabilityOf } from './variants';

/**
 * A product's sizes as a radio group (`fieldset` + `legend`, one radio per variant, arrow keys move
 * between them). A sold-out size is shown, disabled, and named "…, sold out"; a size with few left
 * is named "…, only 2 left", so a screen reader hears it while choosing. Nothing is chosen at first:
 * a size the customer did not pick is a wrong size shipped.
 */
export interface SizePicker {
  readonly element: HTMLFieldSetElement;
  /** The chosen variant, or `null`. */
  chosen(): CatalogVariant | null;
  /** Redraws each size's state from what is known of its stock now. */
  update(availability: AvailabilityOf): void;
  /** Focuses the chosen size, else the first that can be chosen; `false` if none can. */
  focus(): boolean;
}

export function createSizePicker(
  product: CatalogProduct,
  options: { readonly onChange: (variant: CatalogVariant) => void },
): SizePicker {
  const group = `size-${product.sku}`;
  const optionNames = product.options.map((o) => o.name).join(' / ');
  const radios = product.variants.map((variant) => {
    const input = h('input', {
      type: 'radio',
      name: group,
      value: variant.sku,
      'aria-label': variant.label,
      'data-focus-key': `size-${variant.sku}`,
    });
    input.addEventListener('change', () => {
      if (input.checked) options.onChange(variant);
    });
    // The radio's name is set whole (`aria-label`): "S, sold out" reads the same in every browser,
    // whatever spacing the chip's box would add to a name made of the label's parts.
    const label = h(
      'label',
      { class: 'size-option' },
      input,
      h('span', { class: 'size-chip' }, variant.label),
    );
    return { variant, input, label };
  });
  const element = h(
    'fieldset',
    { class: 'sizes' },
    h('legend', {}, optionNames, hidden(` of ${product.name}`)),
    h(
      'div',
      { class: 'size-options' },
      radios.map((r) => r.label),
    ),
  );

  function update(availability: AvailabilityOf) {
    for (const { variant, input, label } of radios) {
      const status = availability(variant.sku);
      input.disabled = status?.status === 'sold_out';
      label.dataset.status = status?.status ?? 'unknown';
      input.setAttribute('aria-label', `${variant.label}${stateWords(status)}`);
    }
  }

  return {
    element,
    chosen: () => radios.find((r) => r.input.checked)?.variant ?? null,
    update,
    focus() {
      const target = radios.find((r) => r.input.checked) ?? radios.find((r) => !r.input.disabled);
      target?.input.focus();
      return target !== undefined;
    },
  };
}

/** Said after the size's name: ", sold out", ", only 2 left", ", on backorder". */
function stateWords(availability: Availability | null): string {
  switch (availability?.status) {
    case 'sold_out':
      return ', sold out';
    case 'low_stock':
      return availability.available === null ? '' : `, only ${availability.available} left`;
    case 'backorder':
      return ', on backorder';
    default:
      return '';
  }
}
