import type { Page } from 'playwright-core';
import type { CartItem, PublicCatalog } from '../../storefront/src/api-types';
import { CART_STORAGE_KEY } from '../../storefront/src/cart';

/*
 * What the browser tests do on the storefront as a customer would: find a product or one of its
 * sizes, choose the size and press Add, come back with a saved cart, wait for the cart's price.
 */

/** A product, or one size of it (a variant SKU), as the catalog serves it. */
export interface CatalogItem {
  readonly sku: string;
  readonly productSku: string;
  /** As the cart's lines name it: "Logo Hoodie — Black, M" (the product's name without sizes). */
  readonly name: string;
  readonly productName: string;
  /** `""` for a product without sizes. */
  readonly size: string;
  readonly unitAmount: number;
  /** The most sold at once, all sizes together. */
  readonly maxQuantity: number;
}

export function itemOf(catalog: PublicCatalog, sku: string): CatalogItem {
  for (const product of catalog.products) {
    const variant = product.variants.find((v) => v.sku === sku);
    if (product.sku !== sku && !variant) continue;
    const size = variant?.label ?? '';
    return {
      sku,
      productSku: product.sku,
      name: size ? `${product.name}, ${size}` : product.name,
      productName: product.name,
      size,
      unitAmount: variant?.unitAmount ?? product.unitAmount,
      maxQuantity: product.maxQuantity,
    };
  }
  throw new Error(`${sku} is not in the catalog`);
}

/** Waits until the cart's quote is for the cart on screen (no change or request pending). */
export async function quoteSettled(page: Page): Promise<void> {
  await page.locator('.summary[aria-busy="false"]').waitFor();
}

export function productCard(page: Page, item: CatalogItem) {
  return page.locator(`li.product[data-sku="${item.productSku}"]`);
}

/** A size's radio, whatever its name adds after the size (", only 2 left"). */
export function sizeRadio(page: Page, item: CatalogItem) {
  return productCard(page, item).getByRole('radio', { name: new RegExp(`^${item.size}(,|$)`) });
}

/** Chooses the item's size (if it has one) on its card and presses Add. */
export async function addToCart(page: Page, item: CatalogItem): Promise<void> {
  if (item.size) await sizeRadio(page, item).check();
  await page.getByRole('button', { name: `Add ${item.productName} to cart` }).click();
  await quoteSettled(page);
}

/** Saves a cart in the browser's storage for the shop at `shopUrl`, as an earlier visit would have. */
export async function saveCartInBrowser(
  page: Page,
  shopUrl: string,
  cart: readonly CartItem[],
): Promise<void> {
  await page.goto(`${shopUrl}/health`);
  await page.evaluate(
    `localStorage.setItem(${JSON.stringify(CART_STORAGE_KEY)}, ${JSON.stringify(JSON.stringify(cart))})`,
  );
}
