import type { FieldChange, ProductChange, PullResult, VariantChange } from './catalog-pull';

const SECTIONS: readonly { kind: ProductChange['kind']; title: string; mark: string }[] = [
  { kind: 'added', title: 'Added', mark: '+' },
  { kind: 'changed', title: 'Changed', mark: '~' },
  { kind: 'removed', title: 'Removed', mark: '-' },
  { kind: 'kept', title: 'Kept as they are (sold without a Stripe price)', mark: '=' },
];

const VARIANT_MARKS: Readonly<Record<VariantChange['kind'], string>> = {
  added: '+',
  changed: '~',
  removed: '-',
  kept: '=',
};

/** What `catalog pull` found, for the terminal: the diff by product, what was kept, what stops it. */
export function formatPullReport(result: PullResult, currency: string): string {
  const lines: string[] = [];
  const { taken, skipped } = result;
  lines.push(
    `From Stripe: ${taken.products} active product(s) with ${taken.prices} active one-time price(s) in ${currency}.`,
  );
  const left = [
    count(skipped.recurringPrices, 'recurring price', 'recurring prices'),
    count(skipped.otherCurrencyPrices, `price in another currency`, 'prices in other currencies'),
    count(skipped.pricesWithoutAmount, 'price without a fixed amount', 'prices without a fixed amount'),
  ].filter((part) => part !== '');
  if (left.length > 0) lines.push(`Left out: ${left.join(', ')}.`);
  if (skipped.productsWithoutPrice.length > 0) {
    lines.push(
      `Left out, no price to sell them at: ${skipped.productsWithoutPrice.map((n) => `"${n}"`).join(', ')}.`,
    );
  }

  for (const section of SECTIONS) {
    const products = result.products.filter((p) => p.kind === section.kind);
    if (products.length === 0) continue;
    lines.push('', `${section.title} (${products.length}):`);
    for (const product of products) {
      const reason = product.reason && section.kind === 'removed' ? `  (${product.reason})` : '';
      lines.push(`  ${section.mark} ${product.sku}  ${product.name}: ${product.label}${reason}`);
      lines.push(...fieldLines(product.fields, '      '));
      for (const variant of product.variants) {
        const detail = variant.kind === 'changed' ? '' : `  ${variant.label}`;
        const why = variant.reason ? `  (${variant.reason})` : '';
        lines.push(`      ${VARIANT_MARKS[variant.kind]} variant ${variant.sku}${detail}${why}`);
        lines.push(...fieldLines(variant.fields, '          '));
      }
    }
  }
  const unchanged = result.products.filter((p) => p.kind === 'unchanged').length;
  if (unchanged > 0) lines.push('', `Unchanged: ${unchanged} product(s).`);

  if (result.bundlesDropped.length > 0) {
    lines.push(
      '',
      `Left out ${result.bundlesDropped.length} sample bundle(s), which name sample products or collections: ` +
        `${result.bundlesDropped.join(', ')}.`,
    );
  }
  lines.push(
    '',
    `Kept from the current catalog: ${result.bundlesKept} bundle(s); the currency, quantity limits and ` +
      '"only N left" threshold; the collections, tags, maxQuantity and inventory of matching products ' +
      '(and their description and images when Stripe has none).',
  );
  if (result.products.some((p) => p.kind === 'added')) {
    lines.push(
      'New products have no collections or tags yet: add them in the catalog file for bundles to count them.',
    );
  }
  if (result.catalogFields.length > 0) {
    lines.push(`Catalog: ${result.catalogFields.map((f) => `${f.field}: ${f.from} → ${f.to}`).join('; ')}.`);
  }
  if (result.notes.length > 0) lines.push('', 'Notes:', ...result.notes.map((note) => `  - ${note}`));
  if (result.problems.length > 0) {
    lines.push('', 'Cannot be written:', ...result.problems.map((problem) => `  - ${problem}`));
  }
  return `${lines.join('\n')}\n`;
}

function fieldLines(fields: readonly FieldChange[], indent: string): string[] {
  return fields.map((f) => `${indent}${f.field}: ${f.from} → ${f.to}`);
}

function count(n: number, one: string, other: string): string {
  return n === 0 ? '' : `${n} ${n === 1 ? one : other}`;
}
