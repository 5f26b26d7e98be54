import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The local stack's landing pages after Stripe Checkout: success polls
 * `GET /checkout/session-status` and shows the paid total; cancel says the cart is kept.
 */
export function checkoutResultPage(kind: 'success' | 'cancel') {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy':
        "default-src 'self'; script-src 'unsafe-inline' 'self'; style-src 'unsafe-inline'",
    });
    res.end(kind === 'success' ? SUCCESS_PAGE : CANCEL_PAGE);
  };
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
output{display:block;font-size:1.25rem;margin:1rem 0}a{color:#b0306a}`;

const SUCCESS_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Order received</title><style>${STYLE}</style></head>
<body><main><h1>Thank you!</h1><output id="status" aria-live="polite">Checking your payment…</output>
<p><a href="/">Back to the shop</a></p></main>
<script>
const id = new URLSearchParams(location.search).get('session_id');
const out = document.getElementById('status');
const money = (cents, currency) => new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
async function poll(attempt) {
  const res = await fetch('/checkout/session-status?session_id=' + encodeURIComponent(id || ''));
  const body = await res.json();
  if (!res.ok) { out.textContent = body.error ? body.error.message : 'Could not check the payment.'; return; }
  if (body.paymentStatus === 'paid' || body.paymentStatus === 'no_payment_required') {
    out.textContent = 'Paid ' + money(body.amountTotal, body.currency) + '. Your order is on its way to us.';
    out.dataset.state = 'paid';
  } else if (attempt < 30) { setTimeout(() => poll(attempt + 1), 2000); out.textContent = 'Waiting for the payment to clear…'; }
  else out.textContent = 'Your payment is still pending; we will email you when it clears.';
}
poll(0);
</script></body></html>`;

const CANCEL_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Checkout cancelled</title><style>${STYLE}</style></head>
<body><main><h1>Checkout cancelled</h1><p>Nothing was charged. Your cart is kept.</p><p><a href="/">Back to your cart</a></p></main></body></html>`;
