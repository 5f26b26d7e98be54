/**
 * The hosted checkout page at a session's `url`: what the customer sees instead of
 * checkout.stripe.com. Plain HTML forms (works without JavaScript, in any browser test),
 * labelled controls, and a banner saying that no real payment happens.
 */
import type { SessionRecord } from './checkout-sessions';

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);

/** Formats minor units for people: `formatAmount(640, 'usd')` → `$6.40`. */
export function formatAmount(amount: number, currency: string): string {
  const divisor = ZERO_DECIMAL.has(currency) ? 1 : 100;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
      amount / divisor,
    );
  } catch {
    return `${(amount / divisor).toFixed(divisor === 1 ? 0 : 2)} ${currency.toUpperCase()}`;
  }
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
  :root { color-scheme: light; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  body { margin: 0; background: #f6f8fa; color: #1a1f36; }
  .banner { background: #ffd84d; color: #1a1f36; padding: .6rem 1rem; text-align: center; font-weight: 600; }
  main { max-width: 32rem; margin: 1.5rem auto; padding: 0 1rem; }
  .card { background: #fff; border-radius: .75rem; box-shadow: 0 1px 3px rgba(0,0,0,.12); padding: 1.25rem; }
  h1 { font-size: 1.35rem; margin: 0 0 1rem; }
  table { width: 100%; border-collapse: collapse; margin-bottom: 1rem; }
  caption { text-align: left; margin-bottom: .5rem; }
  th, td { padding: .45rem 0; text-align: left; vertical-align: top; }
  td.amount, th.amount { text-align: right; white-space: nowrap; }
  tbody tr { border-bottom: 1px solid #e3e8ee; }
  tfoot th { font-weight: 500; }
  tfoot tr.total th, tfoot tr.total td { font-weight: 700; font-size: 1.1rem; border-top: 2px solid #1a1f36; }
  label { display: block; font-weight: 600; margin-bottom: .3rem; }
  input[type=email] { width: 100%; box-sizing: border-box; font-size: 1rem; padding: .6rem; border: 1px solid #8792a2; border-radius: .4rem; }
  button { display: block; width: 100%; font-size: 1rem; padding: .8rem; margin-top: .75rem; border-radius: .4rem; border: 0; cursor: pointer; }
  button.primary { background: #635bff; color: #fff; font-weight: 600; }
  button.secondary { background: #e3e8ee; color: #1a1f36; }
  button:focus-visible, input:focus-visible { outline: 3px solid #1a1f36; outline-offset: 2px; }
  .muted { color: #4f566b; font-size: .9rem; }
  .notice { padding: .75rem; border-radius: .4rem; background: #e3e8ee; margin-bottom: 1rem; }
`;

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Stripe emulator</title>
<style>${STYLE}</style>
</head>
<body>
<div class="banner" role="note">Local Stripe emulator — test mode, no real payment is taken</div>
<main>
${body}
</main>
</body>
</html>`;
}

/** The checkout page of one session, in whatever state it is. */
export function renderPayPage(record: SessionRecord, options: { message?: string } = {}): string {
  const session = record.session;
  const currency = session.currency ?? 'usd';
  const money = (amount: number) => formatAmount(amount, currency);
  const rows = record.lineItems
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.description ?? '')}</td><td class="amount">${line.quantity ?? 0}</td><td class="amount">${money(line.amount_subtotal)}</td></tr>`,
    )
    .join('\n');
  const totals = session.total_details;
  const discountRow =
    totals && totals.amount_discount > 0
      ? `<tr><th scope="row" colspan="2">Discount${record.coupon?.coupon.name ? ` (${escapeHtml(record.coupon.coupon.name)})` : ''}</th><td class="amount">−${money(totals.amount_discount)}</td></tr>`
      : '';
  const shippingName = record.shippingOptionNames[0];
  const shippingRow =
    shippingName !== undefined
      ? `<tr><th scope="row" colspan="2">Shipping (${escapeHtml(shippingName)})</th><td class="amount">${money(totals?.amount_shipping ?? 0)}</td></tr>`
      : '';
  const taxRow = session.automatic_tax.enabled
    ? `<tr><th scope="row" colspan="2">Tax</th><td class="amount">${money(totals?.amount_tax ?? 0)}</td></tr>`
    : '';
  const summary = `<table>
<caption class="muted">Order summary</caption>
<thead><tr><th scope="col">Item</th><th scope="col" class="amount">Qty</th><th scope="col" class="amount">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot>
<tr><th scope="row" colspan="2">Subtotal</th><td class="amount">${money(session.amount_subtotal ?? 0)}</td></tr>
${discountRow}
${shippingRow}
${taxRow}
<tr class="total"><th scope="row" colspan="2">Total due</th><td class="amount" data-testid="total">${money(session.amount_total ?? 0)}</td></tr>
</tfoot>
</table>`;
  const message = options.message ? `<p class="notice" role="alert">${escapeHtml(options.message)}</p>` : '';
  const base = `/pay/${encodeURIComponent(session.id)}`;
  let actions: string;
  if (session.status === 'open') {
    const email = session.customer_email ?? '';
    const cancel = session.cancel_url
      ? `<form method="post" action="${base}/cancel"><button type="submit" class="secondary">Cancel and return to the shop</button></form>`
      : '';
    actions = `<form method="post" action="${base}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(email)}"${email ? ' readonly' : ''}>
<p class="muted">Card details are not asked for: this is a local emulator.</p>
<button type="submit" name="action" value="pay" class="primary">Pay ${money(session.amount_total ?? 0)}</button>
<button type="submit" name="action" value="pay_async" class="secondary">Pay by bank transfer (async)</button>
</form>
${cancel}`;
  } else if (session.status === 'complete' && record.asyncPayment === 'pending') {
    actions = `<p class="notice" role="status">Bank transfer pending: the order is placed, the money has not arrived yet.</p>
<form method="post" action="${base}/settle">
<button type="submit" name="outcome" value="succeeded" class="primary">Mark transfer received</button>
<button type="submit" name="outcome" value="failed" class="secondary">Mark transfer failed</button>
</form>`;
  } else if (session.status === 'complete') {
    actions = `<p class="notice" role="status">This checkout session is complete (payment status: ${escapeHtml(session.payment_status)}).</p>`;
  } else {
    actions = `<p class="notice" role="status">This checkout session has expired.</p>`;
  }
  return page(
    'Checkout',
    `<div class="card">
<h1>Checkout</h1>
${message}
${summary}
${actions}
</div>
<p class="muted">Session <code>${escapeHtml(session.id)}</code></p>`,
  );
}

/** A short page for addresses that are not a session, or a finished action without a redirect. */
export function renderMessagePage(title: string, text: string): string {
  return page(title, `<div class="card"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p></div>`);
}

/** The emulator's home page: recent sessions with links to their pages. */
export function renderIndexPage(records: readonly SessionRecord[]): string {
  const items = records
    .slice(-50)
    .reverse()
    .map((record) => {
      const s = record.session;
      return `<li><a href="/pay/${encodeURIComponent(s.id)}">${escapeHtml(s.id.slice(0, 24))}…</a> — ${escapeHtml(s.status ?? '')}, ${escapeHtml(s.payment_status)}, ${formatAmount(s.amount_total ?? 0, s.currency ?? 'usd')}</li>`;
    })
    .join('\n');
  return page(
    'Sessions',
    `<div class="card"><h1>Checkout sessions</h1>${items ? `<ul>${items}</ul>` : '<p>No sessions yet.</p>'}
<p class="muted">Inspect everything as JSON at <a href="/_emulator/state">/_emulator/state</a>.</p></div>`,
  );
}
