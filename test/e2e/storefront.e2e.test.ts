import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { buildStorefront, type StorefrontAssets, storefrontHandler } from '../../local/storefront';
import { createDynamoStockStore } from '../../src/adapters/dynamodb/stock-store';
import { createTableClient } from '../../src/adapters/dynamodb/table-client';
import type { StockStore } from '../../src/app/ports';
import { listStock } from '../../src/ops/stock';
import type { PublicCatalog, TieredBundle } from '../../storefront/src/api-types';
import { formatMoney } from '../../storefront/src/messages';
import { type LittleServer, launchChromium, startLittleServer } from '../support/browser';
import { loadSampleCatalog, makeCatalog } from '../support/catalog-factory';
import { storeCodeInStack, testCode } from '../support/codes';
import {
  addToCart,
  type CatalogItem,
  itemOf,
  productCard,
  quoteSettled,
  saveCartInBrowser,
} from '../support/storefront-page';
import { createRecordingTelemetry } from '../support/telemetry';

const run = promisify(execFile);
/** Screenshots of this run (gitignored). */
const SHOTS_DIR = join('test-results', 'e2e');
/**
 * The README's copies (committed), rewritten only by `npm run docs:screenshots`: a plain test run
 * must not leave the working tree changed.
 */
const DOC_IMAGES_DIR = process.env.E2E_UPDATE_DOC_IMAGES === '1' ? join('docs', 'images') : null;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

let dataDir: string;
let stack: LocalStack;
let browser: Browser;
let catalog: PublicCatalog;
let assets: StorefrontAssets;
/** The same storefront hosted on an origin the API allows, and on one it does not. */
let allowedSite: LittleServer;
let foreignSite: LittleServer;
const contexts: BrowserContext[] = [];
/** The catalog the stack sells (the tests' own, test/fixtures/catalog.json). */
const testCatalog = loadSampleCatalog();
const pageErrors: Error[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'storefront-e2e-'));
  mkdirSync(SHOTS_DIR, { recursive: true });
  assets = await buildStorefront();
  // The sites serve the storefront pointed at the stack's API, which starts after them (its
  // allowlist must name one of them): the handler is made on the first request.
  let handler: ReturnType<typeof storefrontHandler> | undefined;
  const servePointedAtStack: Parameters<typeof startLittleServer>[0] = (req, res) => {
    handler ??= storefrontHandler(assets, { apiBase: stack.url });
    handler(req, res);
  };
  allowedSite = await startLittleServer(servePointedAtStack);
  foreignSite = await startLittleServer(servePointedAtStack);
  [stack, browser] = await Promise.all([
    startLocalStack({
      port: 0,
      stripePort: 0,
      dynamoPort: 0,
      dataDir,
      env: { ALLOWED_ORIGINS: `https://shop.example.com,${allowedSite.origin}` },
      telemetry: createRecordingTelemetry(),
    }),
    launchChromium(),
  ]);
  catalog = (await (await fetch(`${stack.url}/catalog`)).json()) as PublicCatalog;
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
  await allowedSite?.close();
  await foreignSite?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
  // A script error in any page fails the test that caused it.
  expect(pageErrors.splice(0).map(String)).toEqual([]);
});

/** A fresh browser profile (empty local storage) with one page. */
async function openPage(viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (err) => pageErrors.push(err));
  return page;
}

function product(sku: string) {
  return itemOf(catalog, sku);
}

/**
 * The operator's stock list (`npm run stock -- list`: src/ops/stock.ts) on this stack's table, with
 * the tests' catalog (the command itself reads the shop's catalog/catalog.json).
 */
async function withStock<T>(work: (stock: StockStore) => Promise<T>): Promise<T> {
  const client = createTableClient({ endpoint: stack.dynamoEndpoint });
  try {
    return await work(createDynamoStockStore({ client, tableName: String(stack.env.COMMERCE_TABLE) }));
  } finally {
    client.close();
  }
}

async function availableOf(sku: string): Promise<number> {
  const rows = await withStock((stock) => listStock(testCatalog, stock));
  const row = rows.find((r) => r.sku === sku);
  if (!row) throw new Error(`${sku} has no stock row`);
  return row.available;
}

/** Saves a screenshot of the visible page for this run (and for the README, see DOC_IMAGES_DIR). */
async function screenshot(page: Page, name: string, options: { readonly forReadme?: boolean } = {}) {
  const path = join(SHOTS_DIR, name);
  await page.screenshot({ path, animations: 'disabled' });
  if (options.forReadme && DOC_IMAGES_DIR) copyFileSync(path, join(DOC_IMAGES_DIR, `storefront-${name}`));
}

async function listOrders() {
  const { stdout } = await run('npm', ['run', '--silent', 'orders', '--', 'list', '--json'], {
    env: { ...process.env, DATA_DIR: dataDir },
    cwd: process.cwd(),
  });
  return JSON.parse(stdout) as {
    sessionId: string;
    amountTotal: number;
    customerEmail: string;
    code: string | null;
  }[];
}

/** On the emulator's payment page: gives an email when the session has none, then presses `button`. */
async function payOnPage(page: Page, button: string) {
  const email = page.getByLabel('Email');
  if ((await email.getAttribute('readonly')) === null) await email.fill('e2e-shopper@example.com');
  await page.getByRole('button', { name: button }).click();
}

/** A cross-origin quote request, as a script on the page would make it; never throws. */
function quoteFromPage(
  page: Page,
): Promise<{ ok: boolean; status?: number; total?: number; error?: string }> {
  // A string, not a function: the test's compiled helpers do not exist inside the page.
  return page.evaluate(`(async () => {
    try {
      const res = await fetch(${JSON.stringify(`${stack.url}/cart/quote`)}, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ items: [{ sku: 'TEE-CROP-BLK-M', quantity: 1 }] }),
      });
      const body = await res.json();
      return { ok: true, status: res.status, total: body.quote && body.quote.total };
    } catch (err) {
      return { ok: false, error: String(err) };
    }
  })()`);
}

describe('storefront in Chromium', () => {
  it('prices a growing cart until the tee bundle applies, then checks out, pays and lists exactly that order', async () => {
    const tee = product('TEE-LOGO-PNK-M');
    const teeTiers = catalog.bundles.find(
      (b): b is TieredBundle => b.id === 'tee-tiers' && b.kind === 'tiered_percent',
    );
    const [firstTier, topTier] = [teeTiers?.tiers[0], teeTiers?.tiers.at(-1)];
    if (!firstTier || !topTier) throw new Error('tee-tiers needs tiers');
    const page = await openPage();
    await page.goto(stack.url);

    const teeHint = page.locator('.hint[data-bundle-id="tee-tiers"]');
    const teeDeal = page.locator('.applied li[data-bundle-id="tee-tiers"]');
    await addToCart(page, tee);
    expect(await teeHint.textContent()).toContain(`${firstTier.percentOff}% off`);
    expect(await teeDeal.count()).toBe(0);

    await addToCart(page, tee);
    expect(await teeDeal.count()).toBe(1);
    expect(await teeHint.textContent()).toContain(`${topTier.percentOff}% off`);
    await screenshot(page, 'cart.png', { forReadme: true });

    // The rest from the keyboard; focus stays on the control across each re-priced render.
    const oneMore = page.getByRole('button', { name: `One more ${tee.name}` });
    await oneMore.focus();
    for (let quantity = 3; quantity <= topTier.minQuantity; quantity += 1) {
      await page.keyboard.press('Enter');
      await quoteSettled(page);
    }
    expect(await page.evaluate('document.activeElement.getAttribute("aria-label")')).toBe(
      `One more ${tee.name}`,
    );
    expect(await teeHint.count()).toBe(0);
    expect(await teeDeal.count()).toBe(1);
    const quantity = topTier.minQuantity;
    const expectedTotal = Math.round((quantity * tee.unitAmount * (100 - topTier.percentOff)) / 100);
    const total = formatMoney(expectedTotal, catalog.currency);
    expect(await page.getByLabel(`Quantity of ${tee.name}`).inputValue()).toBe(String(quantity));
    expect(await page.getByTestId('total').textContent()).toBe(total);
    await screenshot(page, 'cart-top-tier.png');

    await page.reload();
    await quoteSettled(page);
    expect(await page.getByLabel(`Quantity of ${tee.name}`).inputValue()).toBe(String(quantity));
    expect(await page.getByTestId('total').textContent()).toBe(total);

    await page.getByLabel('Email for your receipt').fill('e2e-buyer@example.com');
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    await page.getByRole('button', { name: `Pay ${total}` }).click();
    await page.waitForURL((url) => url.origin === stack.url && url.pathname === '/checkout/success');
    const sessionId = new URL(page.url()).searchParams.get('session_id');

    const paid = page.locator('.payment-status[data-state="paid"]');
    await paid.waitFor();
    expect(await paid.textContent()).toContain(total);
    expect(await page.locator('.order-lines').textContent()).toContain(`${quantity} × ${tee.name}`);
    await screenshot(page, 'success.png', { forReadme: true });

    expect(await listOrders()).toEqual([
      expect.objectContaining({
        sessionId,
        amountTotal: expectedTotal,
        customerEmail: 'e2e-buyer@example.com',
      }),
    ]);

    // The cart that was bought is gone; the next visit starts empty.
    await page.goto(stack.url);
    await page.getByText('Your cart is empty').waitFor();
  });

  it('applies a discount code the shopper types, keeps it as sizes are added and across a cancelled payment, says why another does not apply, and pays the code’s price', async () => {
    // Two hoodies, each in a size chosen on its card: the Hoodie pair (15% off), the code on top.
    const logo = product('HOODIE-LOGO-BLK-L');
    const zip = product('HOODIE-ZIP-GRY-M');
    // One use: the shopper's own checkout holding it must not take it from them on the way back.
    await storeCodeInStack(stack, testCode('E2E10', { limit: 1 }));
    const before = { logo: await availableOf(logo.sku), zip: await availableOf(zip.sku) };
    const page = await openPage();
    await page.goto(stack.url);
    await addToCart(page, logo);
    const codeInput = page.getByLabel('Discount code');
    const message = page.locator('#discount-code-message');

    await codeInput.fill('nope-nope');
    await page.getByRole('button', { name: 'Apply' }).click();
    await message.filter({ hasText: 'We don’t recognise this code' }).waitFor();
    expect(await codeInput.getAttribute('aria-invalid')).toBe('true');

    await codeInput.fill('e2e10');
    await codeInput.press('Enter');
    await message.filter({ hasText: 'E2E10 applied' }).waitFor();
    await quoteSettled(page);
    // One hoodie: no deal yet, 10% off its price.
    const one = logo.unitAmount - Math.round(logo.unitAmount / 10);
    expect(await page.getByTestId('total').textContent()).toBe(formatMoney(one, catalog.currency));
    expect(await codeInput.getAttribute('aria-invalid')).toBe('false');

    // Another size through the picker: the cart is priced again with the code, now on top of the deal.
    await addToCart(page, zip);
    await message.filter({ hasText: 'E2E10 applied' }).waitFor();
    const pair = logo.unitAmount + zip.unitAmount;
    const afterBundle = pair - Math.round((pair * 15) / 100);
    const expectedTotal = afterBundle - Math.round(afterBundle / 10);
    const total = formatMoney(expectedTotal, catalog.currency);
    expect(await page.getByTestId('total').textContent()).toBe(total);
    expect(await page.locator('.applied li[data-bundle-id="hoodie-pair"]').count()).toBe(1);
    expect(await page.locator('.applied li[data-code="E2E10"]').textContent()).toContain(
      formatMoney(Math.round(afterBundle / 10), catalog.currency),
    );

    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    expect(await page.locator('body').textContent()).toContain('E2E10');
    // Back to the shop: the code's one use is held by this cart's own checkout, so it still applies.
    await page.getByRole('button', { name: 'Cancel and return to the shop' }).click();
    await page.waitForURL((url) => url.origin === stack.url && url.pathname === '/checkout/cancel');
    await quoteSettled(page);
    await message.filter({ hasText: 'E2E10 applied' }).waitFor();
    expect(await page.getByTestId('total').textContent()).toBe(total);
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    await payOnPage(page, `Pay ${total}`);
    await page.waitForURL((url) => url.origin === stack.url && url.pathname === '/checkout/success');
    const sessionId = new URL(page.url()).searchParams.get('session_id');
    await page.locator('.payment-status[data-state="paid"]').waitFor();
    expect(await page.locator('.order .saving').textContent()).toContain('code E2E10');
    const orderLines = await page.locator('.order-lines').textContent();
    expect(orderLines).toContain(`1 × ${logo.name}`);
    expect(orderLines).toContain(`1 × ${zip.name}`);
    expect((await listOrders()).find((order) => order.sessionId === sessionId)).toMatchObject({
      amountTotal: expectedTotal,
      code: 'E2E10',
    });
    // Each size sold once, code or not.
    expect(await availableOf(logo.sku)).toBe(before.logo - 1);
    expect(await availableOf(zip.sku)).toBe(before.zip - 1);
    // Used on that order: the next cart starts without it.
    await page.goto(stack.url);
    await page.getByText('Your cart is empty').waitFor();
    expect(await page.evaluate('localStorage.getItem("storefront.code.v1")')).toBeNull();
  });

  it('brings the cart back when the customer cancels on the payment page (phone-sized screen)', async () => {
    const hoodie = product('HOODIE-LOGO-BLK-M');
    const joggers = product('SWEAT-JOGGER-GRY-M');
    const page = await openPage(PHONE);
    await page.goto(stack.url);
    await addToCart(page, hoodie);
    await addToCart(page, joggers);
    const total = await page.getByTestId('total').textContent();
    // Nothing wider than the phone's screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(PHONE.width);

    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url);
    await page.getByRole('button', { name: 'Cancel and return to the shop' }).click();
    await page.waitForURL((url) => url.origin === stack.url && url.pathname === '/checkout/cancel');

    await page.getByTestId('cancel-banner').waitFor();
    await quoteSettled(page);
    await screenshot(page, 'cancel-phone.png');
    expect(
      await page.locator('li.line').evaluateAll((lines) => lines.map((l) => l.getAttribute('data-sku'))),
    ).toEqual([hoodie.sku, joggers.sku]);
    expect(await page.getByLabel(`Quantity of ${hoodie.name}`).inputValue()).toBe('1');
    expect(await page.getByLabel(`Quantity of ${joggers.name}`).inputValue()).toBe('1');
    expect(await page.getByTestId('total').textContent()).toBe(total);
    expect(await page.getByRole('button', { name: 'Checkout' }).isEnabled()).toBe(true);
    // The cart took focus (it sits below the products), and shows it.
    expect(await page.evaluate('document.activeElement.id')).toBe('cart');
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).toBe('solid');
  });

  it('tells the customer when the payment provider fails, and checks out on the next try', async () => {
    const tote = product('TOTE-CANVAS');
    const page = await openPage();
    await page.goto(stack.url);
    await addToCart(page, tote);
    stack.stripe?.faults.add({ method: 'POST', path: '/v1/checkout/sessions', status: 500, times: 10 });
    try {
      await page.getByRole('button', { name: 'Checkout' }).click();
      const alert = page.locator('.alert[data-source="checkout"]');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('payment provider is not answering');
      expect(new URL(page.url()).origin).toBe(stack.url);
    } finally {
      stack.stripe?.faults.clear();
    }
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
  });

  it('shows the new total and asks again when prices changed between the quote and checkout', async () => {
    const tee = product('TEE-CROP-BLK-M');
    const newPrice = tee.unitAmount + 500;
    const priceDir = mkdtempSync(join(tmpdir(), 'storefront-e2e-prices-'));
    // The storefront on its own site, pointed at whichever stack listens on the API's port.
    let apiBase = '';
    const site = await startLittleServer((req, res) => storefrontHandler(assets, { apiBase })(req, res));
    const stackOptions = {
      stripePort: 0,
      dynamoPort: 0,
      dataDir: priceDir,
      env: { ALLOWED_ORIGINS: site.origin },
      telemetry: createRecordingTelemetry(),
    };
    let current = await startLocalStack({ ...stackOptions, port: 0, catalog: makeCatalog() });
    try {
      apiBase = current.url;
      const page = await openPage();
      await page.goto(`${site.origin}/`);
      await addToCart(page, tee);
      const oldTotal = formatMoney(tee.unitAmount, catalog.currency);
      expect(await page.getByTestId('total').textContent()).toBe(oldTotal);

      // The shop changes a price: the same API (port, table, keys) comes back with a new catalog.
      await current.close();
      current = await startLocalStack({
        ...stackOptions,
        port: Number(new URL(apiBase).port),
        catalog: makeCatalog({ version: `${catalog.version}-e2e`, prices: { [tee.productSku]: newPrice } }),
      });
      const newTotal = formatMoney(newPrice, catalog.currency);
      await page.getByRole('button', { name: 'Checkout' }).click();
      const warning = page.locator('.alert[data-source="price"]');
      await warning.waitFor();
      expect(await warning.textContent()).toContain(`now ${newTotal} (it was ${oldTotal})`);
      expect(await page.getByTestId('total').textContent()).toBe(newTotal);
      expect(new URL(page.url()).origin).toBe(site.origin);

      await page.getByRole('button', { name: 'Checkout' }).click();
      await page.waitForURL((url) => url.origin === current.stripe?.url);
      await page.getByRole('button', { name: `Pay ${newTotal}` }).waitFor();
    } finally {
      await current.close();
      await site.close();
      rmSync(priceDir, { recursive: true, force: true });
    }
  });

  it('lets a storefront on an allowed origin use the API, and hides its answers from any other origin', async () => {
    const allowed = await openPage();
    await allowed.goto(`${allowedSite.origin}/`);
    await allowed.locator('.products[aria-busy="false"]').waitFor();
    expect(await allowed.locator('li.product').count()).toBe(catalog.products.length);
    expect(await quoteFromPage(allowed)).toEqual({
      ok: true,
      status: 200,
      total: product('TEE-CROP-BLK-M').unitAmount,
    });

    const foreign = await openPage();
    await foreign.goto(`${foreignSite.origin}/`);
    await foreign.getByTestId('catalog-error').waitFor();
    expect(await foreign.locator('li.product').count()).toBe(0);
    const blocked = await quoteFromPage(foreign);
    expect(blocked.ok).toBe(false);
    expect(blocked.error).toMatch(/TypeError/);

    // The API did answer the foreign origin — with a refusal and no CORS headers, which is why the
    // browser withheld it from the page.
    const direct = await fetch(`${stack.url}/cart/quote`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: foreignSite.origin },
      body: JSON.stringify({ items: [{ sku: 'TEE-CROP-BLK-M', quantity: 1 }] }),
    });
    expect(direct.status).toBe(403);
    expect(direct.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await direct.json()) as { error: { code: string } }).error.code).toBe('origin_not_allowed');
  });

  it('never tells a paying customer that nothing was charged while the shop cannot confirm, and confirms once it can', async () => {
    const cap = product('CAP-DAD-BLK');
    const page = await openPage();
    await page.goto(stack.url);
    await addToCart(page, cap);
    const total = (await page.getByTestId('total').textContent()) ?? '';
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    // The status route cannot reach Stripe (it answers 502) for as long as this fault lasts.
    stack.stripe?.faults.add({ method: 'GET', path: '/v1/checkout/sessions/*', status: 500, times: 1000 });
    try {
      await payOnPage(page, `Pay ${total}`);
      await page.waitForURL((url) => url.origin === stack.url && url.pathname === '/checkout/success');
      const status = page.locator('.payment-status');
      await page.getByRole('button', { name: 'Check again' }).waitFor();
      expect(await status.getAttribute('data-state')).toBe('checking');
      expect(await status.textContent()).toContain('please do not pay again');
      expect((await page.locator('main, body').first().textContent())?.toLowerCase()).not.toContain(
        'nothing was charged',
      );
      await screenshot(page, 'success-confirming.png');
    } finally {
      stack.stripe?.faults.clear();
    }
    // From the keyboard: the button hides itself while it checks, handing its focus to the status.
    await page.getByRole('button', { name: 'Check again' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.payment-status[data-state="paid"]').waitFor();
    expect(await page.locator('.payment-status').textContent()).toContain(total);
    expect(await page.evaluate('document.activeElement.className')).toBe('payment-status');
  });

  it('says a failed bank transfer did not go through, and keeps the cart for another try', async () => {
    const beanie = product('BEANIE-PNK');
    const page = await openPage();
    await page.goto(stack.url);
    await addToCart(page, beanie);
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    await payOnPage(page, 'Pay by bank transfer (async)');
    await page.waitForURL((url) => url.origin === stack.url && url.pathname === '/checkout/success');
    await page.locator('.payment-status[data-state="pending"]').waitFor();
    const sessionId = new URL(page.url()).searchParams.get('session_id') ?? '';
    stack.stripe?.settleAsyncPayment(sessionId, false);
    // The webhook records the failure; the page, shown again, says so.
    for (let i = 0; i < 50; i += 1) {
      await page.reload();
      const state = await page
        .locator('.payment-status:not([data-state="checking"])')
        .getAttribute('data-state');
      if (state === 'failed') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await page.locator('.payment-status').getAttribute('data-state')).toBe('failed');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(
      'Your payment did not go through',
    );
    // The lines shown are what the checkout held, not an order.
    expect(await page.locator('#order-title').textContent()).toBe('What this checkout held');
    await page.goto(stack.url);
    await quoteSettled(page);
    expect(await page.getByLabel(`Quantity of ${beanie.name}`).inputValue()).toBe('1');
  });

  it("charges a cart open in two tabs once: the second checkout expires the first tab's payment page", async () => {
    const socks = product('SOCKS-CREW-WHT');
    const context = await browser.newContext({ viewport: DESKTOP });
    contexts.push(context);
    const [tab1, tab2] = [await context.newPage(), await context.newPage()];
    for (const tab of [tab1, tab2]) tab.on('pageerror', (err) => pageErrors.push(err));
    await tab1.goto(stack.url);
    await addToCart(tab1, socks);
    await tab1.getByRole('button', { name: 'Checkout' }).click();
    await tab1.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));

    await tab2.goto(stack.url); // the same browser: the same saved cart and cart id
    await quoteSettled(tab2);
    await tab2.getByRole('button', { name: 'Checkout' }).click();
    await tab2.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    expect(tab2.url()).not.toBe(tab1.url());

    const sessionIds = [tab1.url(), tab2.url()].map((url) => new URL(url).pathname.split('/').at(-1));
    await tab1.reload();
    await tab1.getByText('This checkout session has expired.').waitFor();
    const total = formatMoney(socks.unitAmount, catalog.currency);
    await payOnPage(tab2, `Pay ${total}`);
    await tab2.locator('.payment-status[data-state="paid"]').waitFor();
    const orders = (await listOrders()).filter((o) => sessionIds.includes(o.sessionId));
    expect(orders).toEqual([expect.objectContaining({ amountTotal: socks.unitAmount })]);
  });
  it('keeps two tabs of one cart in step, and never checks out in one tab what the other tab bought', async () => {
    const [socks, beanie, tote] = ['SOCKS-CREW-WHT', 'BEANIE-PNK', 'TOTE-CANVAS'].map(product) as [
      CatalogItem,
      CatalogItem,
      CatalogItem,
    ];
    const context = await browser.newContext({ viewport: DESKTOP });
    contexts.push(context);
    const [tab1, tab2] = [await context.newPage(), await context.newPage()];
    for (const tab of [tab1, tab2]) tab.on('pageerror', (err) => pageErrors.push(err));
    await tab1.goto(stack.url);
    await addToCart(tab1, socks);
    await tab2.goto(stack.url);
    await quoteSettled(tab2);

    // An addition in one tab shows in the other, so the other's next change does not drop it.
    await addToCart(tab1, beanie);
    await tab2.locator(`li.line[data-sku="${beanie.sku}"]`).waitFor();
    expect(await tab2.locator('.alert[data-source="cart"]').textContent()).toContain(
      'changed in another tab',
    );

    // Tab 1 buys socks and beanie; tab 2, still open, is told its cart was emptied, and what it
    // checks out next is only what is added there afterwards.
    await tab1.getByRole('button', { name: 'Checkout' }).click();
    await tab1.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    const sessionIds = [new URL(tab1.url()).pathname.split('/').at(-1)];
    const paid = socks.unitAmount + beanie.unitAmount;
    await payOnPage(tab1, `Pay ${formatMoney(paid, catalog.currency)}`);
    await tab1.locator('.payment-status[data-state="paid"]').waitFor();
    await tab2.locator('.alert[data-source="cart"]', { hasText: 'emptied in another tab' }).waitFor();
    expect(await tab2.locator('li.line').count()).toBe(0);
    await addToCart(tab2, tote);
    await quoteSettled(tab2);
    await tab2.getByRole('button', { name: 'Checkout' }).click();
    await tab2.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    sessionIds.push(new URL(tab2.url()).pathname.split('/').at(-1));
    await payOnPage(tab2, `Pay ${formatMoney(tote.unitAmount, catalog.currency)}`);
    await tab2.locator('.payment-status[data-state="paid"]').waitFor();
    const orders = (await listOrders()).filter((o) => sessionIds.includes(o.sessionId));
    expect(orders.map((o) => o.amountTotal).sort((a, b) => a - b)).toEqual(
      [paid, tote.unitAmount].sort((a, b) => a - b),
    );
  });

  it('buys a size and sees its stock fall; a sold-out size cannot be chosen; the last unit taken by another shopper at checkout is fixed in the cart', async () => {
    const xl = product('HOODIE-LOGO-BLK-XL');
    const small = product('HOODIE-LOGO-BLK-S');
    const before = await availableOf(xl.sku);
    expect(before).toBe(2);
    const page = await openPage();
    await page.goto(stack.url);
    const hoodie = productCard(page, xl);
    const add = hoodie.getByRole('button', { name: `Add ${xl.productName} to cart` });
    const note = hoodie.locator('.stock-note');

    // The sold-out size is shown, named so, and cannot be chosen; Add without a size asks for one.
    const soldOut = hoodie.getByRole('radio', { name: `${small.size}, sold out`, exact: true });
    expect(await soldOut.isDisabled()).toBe(true);
    await soldOut.locator('xpath=..').click({ force: true }); // its label, the chip
    expect(await soldOut.isChecked()).toBe(false);
    await add.click();
    expect(await note.textContent()).toBe('Choose a size first.');
    expect(await page.evaluate('document.activeElement.value')).toBe(product('HOODIE-LOGO-BLK-M').sku);
    expect(await page.locator('li.line').count()).toBe(0);

    // The size with few left says so, in its name and under the sizes.
    const radio = hoodie.getByRole('radio', { name: `${xl.size}, only ${before} left`, exact: true });
    await radio.check();
    expect(await note.textContent()).toBe(`Only ${before} left`);
    await add.click();
    await quoteSettled(page);
    expect(await page.locator(`li.line[data-sku="${xl.sku}"] .line-name`).textContent()).toBe(xl.name);
    expect(await page.locator(`li.line[data-sku="${xl.sku}"] .line-note`).textContent()).toBe(
      `Only ${before} left`,
    );
    const total = formatMoney(xl.unitAmount, catalog.currency);
    expect(await page.getByTestId('total').textContent()).toBe(total);
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    await payOnPage(page, `Pay ${total}`);
    await page.locator('.payment-status[data-state="paid"]').waitFor();
    expect(await page.locator('.order-lines').textContent()).toContain(`1 × ${xl.name}`);

    // Back in the shop: one fewer of that size, on the card and in the operator's stock list.
    await page.getByRole('link', { name: 'Continue shopping' }).click();
    await page.locator('li.product').first().waitFor();
    expect(await availableOf(xl.sku)).toBe(before - 1);
    const fewer = productCard(page, xl).getByRole('radio', {
      name: `${xl.size}, only ${before - 1} left`,
      exact: true,
    });
    await fewer.check();
    expect(await productCard(page, xl).locator('.stock-note').textContent()).toBe(`Only ${before - 1} left`);

    // The last one: Add stops at it and says why.
    await productCard(page, xl)
      .getByRole('button', { name: `Add ${xl.productName} to cart` })
      .click();
    await quoteSettled(page);
    const addAgain = productCard(page, xl).getByRole('button', { name: `Add ${xl.productName} to cart` });
    expect(await addAgain.getAttribute('aria-disabled')).toBe('true');
    await addAgain.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText(`Only 1 of ${xl.name} left, and your cart has it.`).waitFor();

    // Another shopper, with the same last one in their cart, reaches the payment page first (their
    // checkout holds it): this shopper's checkout is refused, nothing is charged, the line says so
    // and its fix has the focus.
    const other = await openPage();
    await other.goto(stack.url);
    await addToCart(other, xl);
    await other.getByRole('button', { name: 'Checkout' }).click();
    await other.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
    expect(await availableOf(xl.sku)).toBe(0);
    await page.getByRole('button', { name: 'Checkout' }).click();
    const alert = page.locator('.alert[data-source="stock"]');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('nothing was charged');
    expect(await alert.textContent()).toContain(`${xl.name} is sold out.`);
    expect(new URL(page.url()).origin).toBe(stack.url);
    const fix = page.getByRole('button', { name: `Remove sold-out ${xl.name}` });
    expect(await fix.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    // No total for a cart that cannot be bought as it is, though its quote was fine a moment ago.
    expect(await page.locator('.summary').textContent()).toContain(
      'Change the marked items to see your total.',
    );
    expect(await page.getByTestId('total').count()).toBe(0);
    // The card learnt it too: the size cannot be chosen any more.
    expect(
      await productCard(page, xl)
        .getByRole('radio', { name: `${xl.size}, sold out` })
        .isDisabled(),
    ).toBe(true);
    await screenshot(page, 'cart-sold-out.png');
    await page.keyboard.press('Enter');
    await page.getByText('Your cart is empty').waitFor();
    expect(await alert.count()).toBe(0);

    // The other shopper pays for it: sold once, nothing left, nothing held.
    await payOnPage(other, `Pay ${total}`);
    await other.locator('.payment-status[data-state="paid"]').waitFor();
    expect(await availableOf(xl.sku)).toBe(0);
    expect(await withStock((stock) => listStock(testCatalog, stock))).toContainEqual(
      expect.objectContaining({ sku: xl.sku, onHand: 0, held: 0, sold: before }),
    );
  });

  it('brings back a cart saved before sizes and above what is left: names what needs a size, marks what is short and fixes it in a press', async () => {
    const xxl = product('HOODIE-LOGO-BLK-XXL');
    const small = product('HOODIE-LOGO-BLK-S');
    const left = await availableOf(xxl.sku);
    const page = await openPage();
    await saveCartInBrowser(page, stack.url, [
      { sku: 'TEE-LOGO-PNK', quantity: 2 },
      { sku: xxl.sku, quantity: left + 1 },
      { sku: small.sku, quantity: 1 },
    ]);
    await page.goto(stack.url);
    const needsSize = page.locator('.alert[data-source="cart"]');
    await needsSize.waitFor();
    expect(await needsSize.textContent()).toContain('Your saved cart had Logo Tee — Pink without a size');
    const stock = page.locator('.alert[data-source="stock"]');
    await stock.waitFor();
    expect(await stock.textContent()).toContain(`Only ${left} of ${xxl.name} left.`);
    expect(await stock.textContent()).toContain(`${small.name} is sold out.`);
    expect(await page.locator('.summary').textContent()).toBe('Change the marked items to see your total.');
    expect(await page.locator('li.line.short').count()).toBe(2);

    // "Choose a size" goes to the product's sizes.
    await needsSize.getByRole('button', { name: 'Choose a size of Logo Tee — Pink' }).click();
    expect(
      await page.evaluate('document.activeElement.closest("li.product")?.getAttribute("data-sku")'),
    ).toBe('TEE-LOGO-PNK');

    await page.getByRole('button', { name: `Keep ${left} of ${xxl.name}` }).click();
    await quoteSettled(page);
    expect(await page.getByLabel(`Quantity of ${xxl.name}`).inputValue()).toBe(String(left));
    // Checkout with a line still short brings the customer to it instead of failing.
    await page.getByRole('button', { name: 'Checkout' }).click();
    const remove = page.getByRole('button', { name: `Remove sold-out ${small.name}` });
    await expect.poll(() => remove.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await remove.click();
    await quoteSettled(page);
    expect(await page.locator('li.line.short').count()).toBe(0);
    expect(await page.getByTestId('total').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Checkout' }).click();
    await page.waitForURL((url) => url.origin === stack.stripe?.url && url.pathname.startsWith('/pay/'));
  });
});
