import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { buildStorefront, storefrontHandler } from '../../local/storefront';
import type { CartItem, PublicCatalog } from '../../storefront/src/api-types';
import { parseShopConfig } from '../../storefront/src/shop-config';
import { launchChromium, startLittleServer } from '../support/browser';
import { storeCodeInStack, testCode } from '../support/codes';
import { itemOf, productCard, quoteSettled, saveCartInBrowser, sizeRadio } from '../support/storefront-page';
import { createRecordingTelemetry } from '../support/telemetry';

/*
 * What a customer on a phone or with a keyboard meets: an automated accessibility check (axe-core)
 * of every page, a layout that holds still while the shop loads, the total and Checkout in view at
 * common screen sizes, and keyboard focus that is never hidden nor dropped to the page.
 */

const SHOTS_DIR = join('test-results', 'e2e');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
/** Common screens: phones, a tablet upright (both one column), laptops and a desktop (two). */
const VIEWPORTS = [
  PHONE,
  { width: 768, height: 1024 },
  DESKTOP,
  { width: 1440, height: 900 },
  { width: 1920, height: 1080 },
];
/** A returning customer's cart: four lines, a deal applied, and a hint for each of four deals. */
const CART_WITH_HINTS: readonly CartItem[] = [
  { sku: 'TEE-LOGO-PNK-M', quantity: 2 },
  { sku: 'STICKER-HEART', quantity: 2 },
  { sku: 'HOODIE-LOGO-BLK-M', quantity: 1 },
  { sku: 'CAP-DAD-BLK', quantity: 1 },
];
/** Lighthouse's "good" cumulative layout shift. */
const GOOD_CLS = 0.1;

let dataDir: string;
let stack: LocalStack;
let browser: Browser;
let catalog: PublicCatalog;
const contexts: BrowserContext[] = [];
const pageErrors: Error[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storefront-a11y-'));
  mkdirSync(SHOTS_DIR, { recursive: true });
  [stack, browser] = await Promise.all([
    startLocalStack({
      port: 0,
      stripePort: 0,
      dynamoPort: 0,
      dataDir,
      telemetry: createRecordingTelemetry(),
    }),
    launchChromium(),
  ]);
  catalog = (await (await fetch(`${stack.url}/catalog`)).json()) as PublicCatalog;
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  expect(pageErrors.splice(0).map(String)).toEqual([]);
});

/**
 * A fresh browser profile with one page that records layout shifts from the first paint (the
 * Layout Instability API; shifts right after a click or key press are the customer's own and
 * left out, as Lighthouse does).
 */
async function openPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  await context.addInitScript(`
    window.__layoutShift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__layoutShift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  `);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err));
  return page;
}

/** Opens `path` as a customer coming back to a saved cart: the cart is in storage before the page loads. */
async function openShopWithCart(
  viewport: { width: number; height: number },
  cart: readonly CartItem[],
  path = '/',
) {
  const page = await openPage(viewport);
  await saveCartInBrowser(page, stack.url, cart);
  await page.goto(`${stack.url}${path}`);
  await quoteSettled(page);
  return page;
}

function product(sku: string) {
  return itemOf(catalog, sku);
}

interface AxeViolation {
  readonly id: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/** Runs axe-core's whole rule set (WCAG 2.x A and AA, and its best practices) on the page as it is. */
async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, which the page's Content Security Policy (no inline
  // scripts) does not govern — the page is checked exactly as customers get it.
  await page.evaluate(axe.source);
  return page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((result) =>
    result.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })))`);
}

// In-page probes reach the page's globals through the element (`ownerDocument`) or are strings:
// the tests' TypeScript has no DOM library of its own.

interface Visibility {
  readonly inViewport: boolean;
  readonly onTop: boolean;
}

/** Where an element is and whether the customer can see it: in the viewport and on top at its centre. */
async function visibility(locator: Locator): Promise<Visibility> {
  return locator.evaluate((element) => {
    const page = element.ownerDocument;
    const view = page.defaultView;
    const box = element.getBoundingClientRect();
    const onTop = page.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {
      inViewport:
        view !== null &&
        box.top >= 0 &&
        box.left >= 0 &&
        box.bottom <= view.innerHeight &&
        box.right <= view.innerWidth,
      onTop: onTop !== null && (element === onTop || element.contains(onTop)),
    };
  });
}

function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === element.ownerDocument.activeElement);
}

interface FocusedControl extends Visibility {
  readonly name: string;
  /** Pinned (sticky or fixed) elements drawn over it, other than its own containers. */
  readonly coveredBy: readonly string[];
}

/** The keyboard focus: what it is (`null`: the page itself), and whether the customer can see it. */
async function focusedControl(page: Page): Promise<FocusedControl | null> {
  return (await page.evaluate(`(() => {
    const element = document.activeElement;
    if (!(element instanceof HTMLElement) || element === document.body) return null;
    const box = element.getBoundingClientRect();
    const overlaps = (other) =>
      other.left < box.right && box.left < other.right && other.top < box.bottom && box.top < other.bottom;
    const coveredBy = [...document.querySelectorAll('body *')]
      .filter((other) => !other.contains(element) && ['sticky', 'fixed'].includes(getComputedStyle(other).position))
      .filter((other) => other.checkVisibility() && overlaps(other.getBoundingClientRect()))
      .map((other) => other.className);
    const onTop = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return {
      name: element.tagName.toLowerCase() + ' ' + (element.getAttribute('aria-label') ?? element.textContent.trim()),
      inViewport: box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight && box.right <= innerWidth,
      onTop: onTop !== null && (element === onTop || element.contains(onTop)),
      coveredBy,
    };
  })()`)) as FocusedControl | null;
}

describe('a storefront a customer can trust', () => {
  it('passes an automated accessibility check (axe-core) on the shop, the cart, the success and the cancel pages', async () => {
    const desktop = await openShopWithCart(DESKTOP, CART_WITH_HINTS);
    expect(await axeViolations(desktop)).toEqual([]);

    const phone = await openShopWithCart(PHONE, CART_WITH_HINTS);
    expect(await axeViolations(phone)).toEqual([]);
    await phone.getByRole('link', { name: /^View cart/ }).click();
    expect(await axeViolations(phone)).toEqual([]);

    // Cancel on the payment page: the shop again, with the banner and the cart focused.
    await phone.getByRole('button', { name: 'Checkout' }).click();
    await phone.waitForURL((url) => url.origin === stack.stripe?.url);
    await phone.getByRole('button', { name: 'Cancel and return to the shop' }).click();
    await phone.waitForURL((url) => url.pathname === '/checkout/cancel');
    await phone.getByTestId('cancel-banner').waitFor();
    await quoteSettled(phone);
    expect(await axeViolations(phone)).toEqual([]);

    // Pay: the success page with the order.
    await desktop.getByRole('button', { name: 'Checkout' }).click();
    await desktop.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    const email = desktop.getByLabel('Email');
    if ((await email.getAttribute('readonly')) === null) await email.fill('a11y@example.com');
    await desktop.getByRole('button', { name: /^Pay \$/ }).click();
    await desktop.locator('.payment-status[data-state="paid"]').waitFor();
    expect(await axeViolations(desktop)).toEqual([]);

    // A success page without a checkout to show (an address typed by hand).
    await desktop.goto(`${stack.url}/checkout/success`);
    await desktop.locator('.payment-status[data-state="failed"]').waitFor();
    expect(await axeViolations(desktop)).toEqual([]);
  });

  it('passes the accessibility check with a discount code applied, and with one refused', async () => {
    await storeCodeInStack(stack, testCode('A11Y10'));
    for (const viewport of [PHONE, DESKTOP]) {
      const page = await openShopWithCart(viewport, CART_WITH_HINTS);
      const input = page.getByRole('textbox', { name: 'Discount code' });
      await input.fill('WRONG-CODE');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator('#discount-code-message.refused').waitFor();
      await quoteSettled(page);
      expect(await axeViolations(page)).toEqual([]);
      await input.fill('a11y10');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.locator('#discount-code-message.applied').waitFor();
      await quoteSettled(page);
      expect(await axeViolations(page)).toEqual([]);
      // Removing the code hands the focus back to the field.
      await page.getByRole('button', { name: 'Remove code' }).click();
      await quoteSettled(page);
      expect(await page.evaluate('document.activeElement.id')).toBe('discount-code');
      expect(await page.locator('.applied li[data-code]').count()).toBe(0);
      await contexts.pop()?.close();
    }
  });

  it('passes the accessibility check with lines short of stock marked, each with its fix', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const page = await openShopWithCart(viewport, [
        { sku: 'HOODIE-LOGO-BLK-S', quantity: 1 },
        { sku: 'HOODIE-LOGO-BLK-XXL', quantity: 4 },
      ]);
      await page.locator('.alert[data-source="stock"]').waitFor();
      expect(await page.locator('li.line.short .fix').count()).toBe(2);
      // The sold-out size is on its card too, disabled and named so.
      expect(await page.getByRole('radio', { name: 'S, sold out', exact: true }).isDisabled()).toBe(true);
      expect(await axeViolations(page)).toEqual([]);
      await contexts.pop()?.close();
    }
  });

  it("holds the layout still while the shop loads a saved cart, or comes back from Checkout's cancel link (CLS under 0.1)", async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      for (const path of ['/', '/checkout/cancel']) {
        const page = await openShopWithCart(viewport, CART_WITH_HINTS, path);
        // Late changes count too: the "View cart" bar, the cart coming into view on the cancel page.
        await page.waitForTimeout(500);
        const shift = Number(await page.evaluate('window.__layoutShift'));
        expect(shift, `layout shift at ${viewport.width}×${viewport.height} ${path}`).toBeLessThan(GOOD_CLS);
        // The measurement is of the page with its products and its priced cart.
        expect(await page.locator('li.line').count()).toBe(CART_WITH_HINTS.length);
        expect(await page.locator('li.product').count()).toBe(catalog.products.length);
        await contexts.pop()?.close();
      }
    }
  });

  it('still shows a saved cart whose first quote hangs, after a moment, saying it is being priced', async () => {
    const page = await openPage(PHONE);
    await saveCartInBrowser(page, stack.url, CART_WITH_HINTS);
    await page.route('**/cart/quote', () => {}); // never answered
    await page.goto(stack.url);
    await page.locator('li.product').first().waitFor();
    expect(await page.locator('#cart').isVisible()).toBe(false);
    await page.locator('#cart').waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.locator('li.line').count()).toBe(CART_WITH_HINTS.length);
    expect(await page.locator('.summary').textContent()).toBe('Pricing your cart…');
  });

  it('shows the total and Checkout, uncovered, at common screen sizes (on phones after "View cart")', async () => {
    for (const viewport of VIEWPORTS) {
      const page = await openShopWithCart(viewport, CART_WITH_HINTS);
      expect(await page.locator('.hint').count()).toBeGreaterThanOrEqual(3);
      const bar = page.getByRole('link', { name: /^View cart/ });
      const oneColumn = viewport.width < 860;
      expect(await bar.isVisible()).toBe(oneColumn);
      if (oneColumn) {
        await bar.click();
        await bar.waitFor({ state: 'hidden' });
      }
      const at = `${viewport.width}×${viewport.height}`;
      expect({ at, total: await visibility(page.getByTestId('total')) }).toEqual({
        at,
        total: { inViewport: true, onTop: true },
      });
      const checkout = page.getByRole('button', { name: 'Checkout' });
      expect({ at, checkout: await visibility(checkout) }).toEqual({
        at,
        checkout: { inViewport: true, onTop: true },
      });
      await page.screenshot({
        path: join(SHOTS_DIR, `cart-in-view-${viewport.width}x${viewport.height}.png`),
      });
      await contexts.pop()?.close();
    }
  });

  it('never hides the keyboard focus behind the pinned bars (WCAG 2.4.11), on a phone and a laptop', async () => {
    for (const viewport of [PHONE, DESKTOP]) {
      const page = await openShopWithCart(viewport, CART_WITH_HINTS);
      const seen: string[] = [];
      for (let press = 0; press < 120; press += 1) {
        await page.keyboard.press('Tab');
        const focused = await focusedControl(page);
        if (focused === null) break;
        expect({ at: viewport.width, ...focused }).toEqual({
          at: viewport.width,
          name: focused.name,
          inViewport: true,
          onTop: true,
          coveredBy: [],
        });
        seen.push(focused.name);
        if (focused.name.startsWith('a ') && seen.filter((name) => name === focused.name).length > 1) break;
      }
      // The walk went through the products, the cart and the footer.
      const tee = product('TEE-LOGO-PNK-M');
      expect(seen).toEqual(
        expect.arrayContaining([
          `button Add ${tee.productName} to cart`,
          `button One more ${tee.name}`,
          'button Checkout',
        ]),
      );
      expect(seen.some((name) => name.startsWith('a hello@'))).toBe(true);
      await contexts.pop()?.close();
    }
  });
});

describe('keyboard focus on buttons that stop working', () => {
  it('stays on an Add button at the most we sell (all sizes together), which then says why it adds nothing', async () => {
    const medium = product('HOODIE-LOGO-BLK-M');
    const large = product('HOODIE-LOGO-BLK-L');
    const page = await openPage(DESKTOP);
    await page.goto(stack.url);
    const add = page.getByRole('button', { name: `Add ${medium.productName} to cart` });
    // From the keyboard: the size with the arrow keys, then Add.
    await sizeRadio(page, medium).focus();
    await page.keyboard.press('Space');
    expect(await sizeRadio(page, medium).isChecked()).toBe(true);
    await add.focus();
    for (let count = 1; count < medium.maxQuantity; count += 1) await page.keyboard.press('Enter');
    await quoteSettled(page);
    await sizeRadio(page, large).check();
    await add.focus();
    await page.keyboard.press('Enter');
    await quoteSettled(page);
    expect(await page.getByLabel(`Quantity of ${medium.name}`).inputValue()).toBe(
      String(medium.maxQuantity - 1),
    );
    expect(await page.getByLabel(`Quantity of ${large.name}`).inputValue()).toBe('1');
    expect(await isFocused(add)).toBe(true);
    expect(await add.getAttribute('aria-disabled')).toBe('true');
    for (const size of [medium, large]) {
      expect(
        await page.getByRole('button', { name: `One more ${size.name}` }).getAttribute('aria-disabled'),
      ).toBe('true');
    }

    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .getByText(`You already have the most we sell at once of ${medium.productName} (all sizes together).`)
      .waitFor();
    expect(await page.getByLabel(`Quantity of ${large.name}`).inputValue()).toBe('1');
    expect(await isFocused(add)).toBe(true);
  });

  it('stays on "one fewer" at one, which never removes the line; Remove hands focus to the cart, outlined', async () => {
    const cap = product('CAP-DAD-BLK');
    const page = await openShopWithCart(DESKTOP, [{ sku: cap.sku, quantity: 2 }]);
    const fewer = page.getByRole('button', { name: `One fewer ${cap.name}` });
    await fewer.focus();
    await page.keyboard.press('Enter');
    await quoteSettled(page);
    expect(await page.getByLabel(`Quantity of ${cap.name}`).inputValue()).toBe('1');
    expect(await isFocused(fewer)).toBe(true);
    expect(await fewer.getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(300);
    expect(await page.getByLabel(`Quantity of ${cap.name}`).inputValue()).toBe('1');
    // A stray minus typed into the quantity puts it back, as an emptied field does; it removes nothing.
    const quantity = page.getByLabel(`Quantity of ${cap.name}`);
    await quantity.fill('-3');
    await quantity.press('Tab');
    expect(await quantity.inputValue()).toBe('1');
    expect(await page.locator(`li.line[data-sku="${cap.sku}"]`).count()).toBe(1);
    await fewer.focus();

    await page.keyboard.press('Tab'); // the quantity
    await page.keyboard.press('Tab'); // one more
    await page.keyboard.press('Tab'); // Remove
    await page.keyboard.press('Enter');
    await page.getByText('Your cart is empty').waitFor();
    const cart = page.locator('#cart');
    expect(await isFocused(cart)).toBe(true);
    const outline = await cart.evaluate((panel) => {
      const style = panel.ownerDocument.defaultView?.getComputedStyle(panel);
      return { style: style?.outlineStyle, width: Number.parseFloat(style?.outlineWidth ?? '0') };
    });
    expect(outline.style).not.toBe('none');
    expect(outline.width).toBeGreaterThanOrEqual(2);
  });

  it('hands the focus of a hint whose deal was reached to the cart, not the page', async () => {
    // The hoodie pair names the hoodie; the cart holds one size of it, so the hint adds that size.
    const hoodie = product('HOODIE-LOGO-BLK-M');
    const page = await openShopWithCart(DESKTOP, [{ sku: hoodie.sku, quantity: 1 }]);
    const hint = page.locator('.hint[data-bundle-id="hoodie-pair"] button');
    expect(await hint.textContent()).toBe(`Add ${hoodie.name}`);
    await hint.focus();
    await page.keyboard.press('Enter');
    await quoteSettled(page);
    await page.locator('.hint[data-bundle-id="hoodie-pair"]').waitFor({ state: 'detached' });
    expect(await page.evaluate('document.activeElement.id')).toBe('cart');
    expect(await page.getByLabel(`Quantity of ${hoodie.name}`).inputValue()).toBe('2');
  });

  it("takes a hint naming a product with sizes to that product's sizes, never guessing one", async () => {
    const tee = product('TEE-LOGO-PNK-M');
    const page = await openShopWithCart(DESKTOP, [{ sku: tee.sku, quantity: 1 }]);
    const hint = page.locator('.hint[data-bundle-id="tee-tiers"] button');
    const label = (await hint.textContent()) ?? '';
    expect(label).toMatch(/^Choose a size of /);
    const suggested = catalog.products.find((p) => label === `Choose a size of ${p.name}`);
    if (!suggested) throw new Error(`no product for "${label}"`);
    await hint.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText(`Choose a size of ${suggested.name}, then press Add.`).waitFor();
    const focused = await page.evaluate(
      '[document.activeElement.type, document.activeElement.closest("li.product")?.dataset.sku]',
    );
    expect(focused).toEqual(['radio', suggested.sku]);
    expect(await page.locator('.line').count()).toBe(1);
    // The customer picks a size (Space on the focused one) and adds it: the deal applies.
    await page.keyboard.press('Space');
    await productCard(page, itemOf(catalog, suggested.sku))
      .getByRole('button', { name: `Add ${suggested.name} to cart` })
      .click();
    await quoteSettled(page);
    await page.locator('.applied li[data-bundle-id="tee-tiers"]').waitFor();
    expect(await axeViolations(page)).toEqual([]);
  });

  it('stays on Checkout while it starts (one request for two presses), and after it failed', async () => {
    const tote = product('TOTE-CANVAS');
    const page = await openShopWithCart(DESKTOP, [{ sku: tote.sku, quantity: 1 }]);
    let requests = 0;
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    await page.route('**/checkout/create-session', async (route) => {
      requests += 1;
      await answered;
      await route.fulfill({
        status: 502,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'payment_provider_error', message: 'Stripe is not answering.' },
        }),
      });
    });
    const checkout = page.locator('.checkout-button');
    await checkout.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Starting checkout…' }).waitFor();
    expect(await isFocused(checkout)).toBe(true);
    expect(await checkout.getAttribute('aria-disabled')).toBe('true');
    await page.keyboard.press('Enter');
    answer();
    await page.locator('.alert[data-source="checkout"]').waitFor();
    expect(requests).toBe(1);
    expect(await isFocused(checkout)).toBe(true);
    expect(await checkout.getAttribute('aria-disabled')).toBeNull();
    expect(await checkout.textContent()).toBe('Checkout');
  });
});

describe('the shop config', () => {
  it("fills the title, description, header, footer and success page's contact from the shop's config; a refused catalog still shows the cart's Try again", async () => {
    const shop = parseShopConfig({
      name: 'Tea & Cups',
      description: 'Loose-leaf tea and cups, shipped from Portland.',
      shipping: 'Ships in one business day; free over $40.',
      returns: 'Unopened tea within 14 days.',
      contact: { email: 'hello@tea.example', url: 'https://tea.example/help' },
    });
    const assets = await buildStorefront({ shop });
    const site = await startLittleServer(storefrontHandler(assets, { apiBase: stack.url }));
    try {
      const page = await openPage(DESKTOP);
      await page.goto(`${site.origin}/`);
      // This origin is not on the API's allowlist: the catalog is refused, and the cart says so.
      await page.getByTestId('catalog-error').waitFor();
      await page
        .locator('#cart .alert[data-source="catalog"]')
        .getByRole('button', { name: 'Try again' })
        .waitFor();
      expect(await page.title()).toBe(shop.name);
      expect(await page.locator('meta[name="description"]').getAttribute('content')).toBe(shop.description);
      expect(await page.locator('header .brand').textContent()).toBe(shop.name);
      const footer = page.getByRole('contentinfo');
      expect(await footer.textContent()).toContain(shop.shipping);
      expect(await footer.textContent()).toContain(shop.returns);
      expect(await footer.getByRole('link', { name: 'hello@tea.example' }).getAttribute('href')).toBe(
        'mailto:hello@tea.example',
      );
      expect(await footer.getByRole('link', { name: 'tea.example/help' }).getAttribute('href')).toBe(
        'https://tea.example/help',
      );

      await page.goto(`${site.origin}/checkout/success`);
      await page.locator('.payment-status[data-state="failed"]').waitFor();
      expect(await page.title()).toBe(`Order received — ${shop.name}`);
      expect(await page.locator('.contact-line').textContent()).toBe(
        'Questions about your order? Contact us: hello@tea.example or tea.example/help.',
      );
    } finally {
      await site.close();
    }
  });
});
