import { createHmac } from 'node:crypto';
import Stripe from 'stripe';

/** One malformed request, as API Gateway would hand it to the handler. */
export interface BadRequest {
  readonly name: string;
  readonly method?: string;
  readonly body?: string | null;
  readonly base64?: boolean;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
}

const TEE = 'TEE-CLASSIC-BLK-M';
const line = (quantity: unknown, sku: unknown = TEE) => ({ sku, quantity });
const json = (value: unknown) => JSON.stringify(value);

/** Text that is not JSON, or not a complete JSON value. */
const BROKEN_JSON: readonly string[] = [
  '{',
  '}',
  '{"items":',
  '{"items":[}',
  `{"items":[{"sku":"${TEE}","quantity":2}`,
  "{'items':[]}",
  '{"items":[],}',
  '{items:[]}',
  '{"items":[1,2,3] // comment}',
  '\uFEFF{"items":[]}',
  '{"a":1}{"b":2}',
  `{"items":[{"sku":"${TEE}","quantity":2}]} trailing`,
  '{"items":"unterminated}',
  '{"items":["\\x41"]}',
  '{"items":[{"sku":"TEE","quantity":NaN}]}',
  '{"items":[{"sku":"TEE","quantity":Infinity}]}',
  '{"items":[{"sku":"TEE","quantity":-}]}',
  '{"items":[{"sku":"TEE","quantity":01}]}',
  '{"items":[{"sku":"TEE","quantity":0x10}]}',
  'undefined',
  '<items><sku>TEE</sku></items>',
  'items=TEE-CLASSIC-BLK&quantity=2',
  ' ',
  '\u0000',
];

/** Well-formed JSON whose shape or values are wrong for a cart. */
const WRONG_SHAPES: readonly unknown[] = [
  null,
  true,
  0,
  'items',
  [],
  [{ sku: TEE, quantity: 1 }],
  {},
  { items: 'TEE-CLASSIC-BLK-M' },
  { items: 1 },
  { items: {} },
  { items: null },
  { items: true },
  { items: [] },
  { items: [[]] },
  { items: [null] },
  { items: [1] },
  { items: [TEE] },
  { items: [{}] },
  { items: [{ sku: TEE }] },
  { items: [{ quantity: 1 }] },
  { items: [line(1, 1)] },
  { items: [line(1, null)] },
  { items: [line(1, [TEE])] },
  { items: [line(1, { $ne: '' })] },
  { items: [line(null)] },
  { items: [line(true)] },
  { items: [line([])] },
  { items: [line({ $gt: 0 })] },
  // quantities: negative, zero, fractional, huge, strings
  { items: [line(-1)] },
  { items: [line(0)] },
  { items: [line(-0)] },
  { items: [line(1.5)] },
  { items: [line(0.0001)] },
  { items: [line(11)] },
  { items: [line(1e308)] },
  { items: [line(-1e308)] },
  { items: [line(2 ** 53 + 2)] },
  { items: [line(Number.MAX_SAFE_INTEGER)] },
  { items: [line('2')] },
  { items: [line('two')] },
  { items: [line('1e3')] },
  { items: [line(5), line(-3)] },
  { items: [line(0), line(2)] },
  { items: [line(2 ** 52), line(2 ** 52)] },
  // SKUs: unknown, inactive, lower case, look-alikes, control and format characters, injections
  { items: [line(1, 'NOPE-1')] },
  { items: [line(1, 'KEYCHAIN-ENAMEL')] },
  { items: [line(1, 'tee-classic-blk')] },
  { items: [line(1, 'TEE\u2010CLASSIC\u2010BLK')] },
  { items: [line(1, `${TEE}\u0000`)] },
  { items: [line(1, `\u202E${TEE}`)] },
  { items: [line(1, `${TEE} `)] },
  { items: [line(1, '')] },
  { items: [line(1, '👕👕👕')] },
  { items: [line(1, 'A'.repeat(5_000))] },
  { items: [line(1, "' OR 1=1 --")] },
  { items: [line(1, '<script>alert(1)</script>')] },
  { items: [line(1, '../../etc/passwd')] },
  { items: [line(1, '\u0024{jndi:ldap://x/a}')] },
  { items: [line(1, 'CART#X')] },
  { items: [line(1, '\ud800')] },
  // too many lines
  { items: Array.from({ length: 51 }, () => line(1)) },
  { items: Array.from({ length: 600 }, () => line(1)) },
  // unknown keys, prototype pollution
  { items: [line(1)], extra: 1 },
  { items: [{ sku: TEE, quantity: 1, price: 1 }] },
  { items: [{ sku: TEE, quantity: 1, unitAmount: 1 }] },
  { items: [line(1)], total: 1 },
  { items: [line(1)], website: 'https://spam.example' },
  { items: [line(1)], website: 123 },
  { items: [line(1)], website: ['x'] },
];

/** JSON texts with prototype-polluting keys (JSON.parse makes them own properties). */
const POLLUTING: readonly string[] = [
  `{"items":[{"sku":"${TEE}","quantity":1}],"__proto__":{"admin":true}}`,
  `{"__proto__":{"items":[{"sku":"${TEE}","quantity":1}]}}`,
  `{"items":[{"sku":"${TEE}","quantity":1,"__proto__":{"quantity":5}}]}`,
  `{"items":[{"sku":"${TEE}","quantity":1}],"constructor":{"prototype":{"admin":true}}}`,
  `{"items":{"__proto__":[]}}`,
  `{"items":[{"sku":"${TEE}","quantity":1}],"prototype":{}}`,
  `{"items":[{"__proto__":{"sku":"${TEE}","quantity":1}}]}`,
];

/** Nesting far deeper than any cart, within the body limit. */
const DEEP: readonly string[] = [
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `{"items":${'['.repeat(7_000)}${']'.repeat(7_000)}}`,
  `${'{"a":'.repeat(2_500)}1${'}'.repeat(2_500)}`,
  `{"items":[${'{"sku":'.repeat(2_000)}"x"${'}'.repeat(2_000)}]}`,
];

/**
 * The malformed requests of a JSON POST route (quote, checkout): broken and deeply nested JSON,
 * wrong shapes and types, bad quantities and SKUs, huge bodies and arrays, polluting keys, wrong
 * content types, empty and base64 bodies, oversized headers, wrong methods and foreign origins.
 * `extend` turns a cart-shaped value into the route's body (e.g. adds a quote signature).
 */
export function jsonRouteCorpus(origin: string, extend: (value: unknown) => unknown): BadRequest[] {
  const headers = { 'Content-Type': 'application/json', Origin: origin };
  const out: BadRequest[] = [];
  for (const [i, text] of BROKEN_JSON.entries()) out.push({ name: `broken json ${i}`, body: text, headers });
  for (const [i, text] of POLLUTING.entries()) out.push({ name: `polluting keys ${i}`, body: text, headers });
  for (const [i, text] of DEEP.entries()) out.push({ name: `deep nesting ${i}`, body: text, headers });
  for (const [i, value] of WRONG_SHAPES.entries()) {
    out.push({ name: `wrong shape ${i}`, body: json(extend(value)), headers });
  }
  const valid = json(extend({ items: [line(1)] }));
  out.push(
    {
      name: 'body just over 16 KB',
      body: json(extend({ items: [line(1)], pad: 'x'.repeat(16_400) })),
      headers,
    },
    { name: 'body of 1 MB', body: 'x'.repeat(1024 * 1024), headers },
    {
      name: 'body of 5 MB of JSON',
      body: json({ items: Array.from({ length: 200_000 }, () => line(1)) }),
      headers,
    },
    {
      name: 'array of 20,000 numbers',
      body: json({ items: Array.from({ length: 20_000 }, () => 1) }),
      headers,
    },
    { name: 'no body', body: null, headers },
    { name: 'empty body', body: '', headers },
    { name: 'base64: not base64', body: '!!!!', base64: true, headers },
    {
      name: 'base64: invalid UTF-8',
      body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]).toString('base64'),
      base64: true,
      headers,
    },
    {
      name: 'base64: broken JSON',
      body: Buffer.from('{"items":[').toString('base64'),
      base64: true,
      headers,
    },
    {
      name: 'base64: wrong shape',
      body: Buffer.from(json({ items: 1 })).toString('base64'),
      base64: true,
      headers,
    },
    { name: 'base64: 1 MB', body: Buffer.alloc(1024 * 1024, 0x41).toString('base64'), base64: true, headers },
    {
      name: 'latin-1 bytes',
      body: Buffer.from('{"items":"\xe9"}', 'latin1').toString('base64'),
      base64: true,
      headers,
    },
  );
  for (const contentType of [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/json',
    'application/jsonp',
    'application/json-seq',
    'application/vnd.api+json',
    'json',
    '',
    `application/json${'x'.repeat(8_000)}`,
  ]) {
    out.push({
      name: `content type "${contentType.slice(0, 30)}"`,
      body: valid,
      headers: { ...headers, 'Content-Type': contentType },
    });
  }
  out.push({ name: 'no content type', body: valid, headers: { Origin: origin } });
  for (const foreign of [
    'https://evil.example',
    'null',
    'https://shop.example.com.evil.example',
    'http://shop.example.com',
    'https://SHOP.EXAMPLE.COM',
    `https://${'a'.repeat(20_000)}.example`,
    'https://shop.example.com\u0000',
  ]) {
    out.push({
      name: `foreign origin ${foreign.slice(0, 30)}`,
      body: valid,
      headers: { ...headers, Origin: foreign },
    });
  }
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
    out.push({ name: `method ${method}`, method, body: valid, headers });
  }
  out.push(
    {
      name: 'oversized headers, broken body',
      body: '{',
      headers: { ...headers, 'X-Filler': 'y'.repeat(100_000), Cookie: 'c='.repeat(20_000) },
    },
    {
      name: 'thousands of headers, wrong shape',
      body: json(extend({ items: 'x' })),
      headers: {
        ...headers,
        ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`X-H${i}`, 'v'])),
      },
    },
    {
      name: 'huge content type parameter, broken body',
      body: '{',
      headers: { ...headers, 'Content-Type': `application/json; charset=${'u'.repeat(60_000)}` },
    },
  );
  return out;
}

/** Malformed `session_id`s and requests of `GET /checkout/session-status`. */
export function sessionStatusCorpus(origin: string): BadRequest[] {
  const headers = { Origin: origin };
  const ids = [
    '',
    ' ',
    'cs_test_',
    'cs_test_short',
    'cs_live_',
    'cs_test_abc$%^&*()_+',
    'cs_test_abcdefgh\u0000',
    'cs_test_abcdefgh ',
    ' cs_test_abcdefgh',
    'cs_test_abcdefgh\n',
    'cs_test_abcdéfgh',
    'cs_test_👕👕👕👕👕👕👕👕',
    `cs_test_${'a'.repeat(201)}`,
    `cs_live_${'b'.repeat(5_000)}`,
    `cs_test_${'c'.repeat(100_000)}`,
    'CS_TEST_abcdefgh',
    'cs_prod_abcdefgh',
    'cs_abcdefghij',
    'pi_3abcdefghij',
    'evt_1abcdefghij',
    '../../cs_test_abcdefgh',
    'cs_test_abcdefgh/../x',
    "cs_test_abcdefgh' OR '1'='1",
    'cs_test_<script>x</script>',
    'cs_test_\u0024{jndi:x}',
    'SESSION#cs_test_abcdefgh',
    'cs_test_abcd-efgh',
    'cs_test_abcd.efgh',
    'cs_test_abcd%00efgh',
    'null',
    'undefined',
    '[]',
    '{}',
    '0',
    '-1',
    'true',
    '\ud800',
    '\u202Ecs_test_abcdefgh',
    'cs_test_\u2060abcdefgh',
    'ｃｓ＿ｔｅｓｔ＿ａｂｃｄｅｆｇｈ',
    'cs_test_abcdefgh\r\nX-Injected: 1',
    'cs_test_abcdefgh\t',
    'cs_test_abc defgh',
    'cs_test_abcdefgh#x',
    'cs_test_abcdefgh?x=1',
    'cs_test_abcdefgh&session_id=cs_test_other',
    'cs_test_abcdefgh,cs_test_ijklmnop',
    'cs_test_%61bcdefgh',
    'cs__test_abcdefgh',
    'cs_testabcdefgh',
  ];
  const out: BadRequest[] = [];
  for (const [i, id] of ids.entries()) {
    out.push({ name: `session_id ${i}`, method: 'GET', query: { session_id: id }, headers });
    out.push({
      name: `session id ${i} in another parameter`,
      method: 'GET',
      query: { sessionId: id },
      headers,
    });
  }
  out.push({ name: 'no query', method: 'GET', headers });
  out.push({
    name: 'no query, junk headers',
    method: 'GET',
    headers: { ...headers, 'X-Filler': 'z'.repeat(100_000) },
  });
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
    out.push({
      name: `method ${method}`,
      method,
      query: { session_id: 'cs_test_abcdefghijkl' },
      headers,
      body: '{}',
    });
  }
  for (const foreign of [
    'https://evil.example',
    'null',
    'http://shop.example.com',
    `https://${'o'.repeat(20_000)}`,
  ]) {
    out.push({
      name: `foreign origin ${foreign.slice(0, 20)}`,
      method: 'GET',
      query: { session_id: 'cs_test_x' },
      headers: { Origin: foreign },
    });
  }
  return out;
}

/** Unsigned, badly signed and oversized deliveries to `POST /stripe/webhook`. */
export function webhookCorpus(secret: string, nowSeconds: number): BadRequest[] {
  const event = json({
    id: 'evt_1BadInput',
    object: 'event',
    type: 'checkout.session.completed',
    created: nowSeconds,
    data: { object: { id: 'cs_test_BadInputSession0000', object: 'checkout.session' } },
  });
  const sign = (payload: string, options: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? secret,
      timestamp: options.timestamp ?? nowSeconds,
    });
  const valid = sign(event);
  const v1 = valid.split('v1=')[1] ?? '';
  const headers = (signature?: string): Record<string, string> => ({
    'Content-Type': 'application/json',
    ...(signature === undefined ? {} : { 'Stripe-Signature': signature }),
  });
  const out: BadRequest[] = [];
  const signatures = [
    undefined,
    '',
    ' ',
    't=',
    'v1=',
    `t=${nowSeconds}`,
    `v1=${v1}`,
    `t=${nowSeconds},v1=`,
    `t=${nowSeconds},v1=${'0'.repeat(64)}`,
    `t=${nowSeconds},v1=${v1.slice(0, -1)}${v1.endsWith('0') ? '1' : '0'}`,
    `t=${nowSeconds},v1=${v1.toUpperCase()}`,
    `t=${nowSeconds + 1},v1=${v1}`,
    `t=${nowSeconds},v0=${v1}`,
    `t=${nowSeconds},v1=${v1.slice(0, 32)}`,
    `t=abc,v1=${v1}`,
    `t=${nowSeconds},v1=${'z'.repeat(64)}`,
    `t=${nowSeconds},${Array.from({ length: 2_000 }, () => `v1=${'1'.repeat(64)}`).join(',')}`,
    sign(event, { secret: 'whsec_another_endpoint' }),
    sign(event, { timestamp: nowSeconds - 301 }),
    sign(event, { timestamp: nowSeconds - 86_400 }),
    // Genuine signatures from the distant past (the SDK's test helper cannot make t=1).
    `t=1,v1=${createHmac('sha256', secret).update(`1.${event}`).digest('hex')}`,
    `t=${nowSeconds - 100_000},v1=${createHmac('sha256', secret)
      .update(`${nowSeconds - 100_000}.${event}`)
      .digest('hex')}`,
    sign(`${event} `),
    sign(event.replace('evt_1BadInput', 'evt_1Other')),
    `${valid}\u0000`,
    valid.replace('t=', 'T='),
    valid.replaceAll(',', ';'),
    `t=${nowSeconds},v1=${'a'.repeat(200_000)}`,
    'garbage',
    '👕',
    `t=${nowSeconds},v1=${v1},v1=`,
    `v1=${v1},t=${nowSeconds}`.replace(`v1=${v1}`, `v1=${'f'.repeat(64)}`),
    `t=-${nowSeconds},v1=${v1}`,
    `t=${nowSeconds}${'0'.repeat(400)},v1=${v1}`,
    `t=${nowSeconds},v1=${v1.slice(1)}`,
    `t=${nowSeconds},v1=${v1}00`,
    `t=${nowSeconds},v1=${Buffer.from(v1, 'hex').toString('base64')}`,
    `t=${nowSeconds} ,v1=${'e'.repeat(64)}`,
    `t=${nowSeconds},v1=${'d'.repeat(64)},v1=${'c'.repeat(64)}`,
    sign(event, { secret: '' }),
    sign(event, { secret: `${secret}x` }),
    sign(event, { secret: secret.slice(0, -1) }),
    sign(''),
    sign('{}'),
  ];
  for (const [i, signature] of signatures.entries()) {
    out.push({ name: `signature ${i}`, body: event, headers: headers(signature) });
  }
  const bodies: [string, string | null, boolean?][] = [
    ['no body', null],
    ['empty body', ''],
    ['broken json', '{"id":'],
    ['not json', 'hello'],
    ['json array', '[]'],
    ['json null', 'null'],
    ['deep nesting', `${'['.repeat(5_000)}${']'.repeat(5_000)}`],
    ['base64 garbage', '!!!!', true],
    ['base64 invalid UTF-8', Buffer.from([0xff, 0xfe]).toString('base64'), true],
    ['base64 of the event', Buffer.from(event).toString('base64'), true],
    ['body over 256 KB', 'x'.repeat(300_000)],
    ['body of 5 MB', 'y'.repeat(5 * 1024 * 1024)],
    ['polluting keys', `{"__proto__":{"type":"checkout.session.completed"},"id":"evt_x"}`],
    ['tampered amount', event.replace('"checkout.session"', '"checkout.session","amount_total":1')],
    ['only whitespace', '   '],
    ['json string', '"evt_1BadInput"'],
    ['NUL bytes', '\u0000\u0000'],
    ['xml', '<event type="checkout.session.completed"/>'],
    ['form', 'id=evt_1&type=checkout.session.completed'],
  ];
  for (const [name, body, base64] of bodies) {
    // The event's own signature on its base64 form is a genuine delivery, not bad input.
    const others =
      base64 && name === 'base64 of the event' ? [undefined, 't=1,v1=00'] : [undefined, valid, 't=1,v1=00'];
    for (const signature of others) {
      out.push({
        name: `${name}, signature ${signature === valid ? 'of another body' : String(signature)}`,
        body,
        base64: base64 ?? false,
        headers: headers(signature),
      });
    }
  }
  // Signed with the endpoint's secret, yet not an event envelope (only Stripe could send these).
  for (const body of [
    'null',
    '[]',
    '{}',
    '"evt"',
    '{"id":5,"type":"customer.created"}',
    '{"id":"evt_1NoSession","type":"checkout.session.completed"}',
    '{"id":"evt_1NullSession","type":"checkout.session.completed","data":{"object":null}}',
    '{"id":"evt_1NoSessionId","type":"checkout.session.expired","data":{"object":{}}}',
    `{"id":"${'e'.repeat(300)}","type":"charge.succeeded"}`,
  ]) {
    out.push({ name: `signed non-event ${body.slice(0, 30)}`, body, headers: headers(sign(body)) });
  }
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', '']) {
    out.push({
      name: `content type "${contentType}"`,
      body: event,
      headers: { 'Content-Type': contentType },
    });
  }
  for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
    out.push({ name: `method ${method}`, method, body: event, headers: headers(valid) });
  }
  out.push({
    name: 'oversized headers',
    body: event,
    headers: { ...headers('t=1,v1=2'), 'X-Filler': 'w'.repeat(100_000) },
  });
  return out;
}

/** Requests `GET /catalog` refuses: other methods, with any body, and foreign origins. */
export function catalogCorpus(origin: string): BadRequest[] {
  const out: BadRequest[] = [];
  const bodies = [null, '', '{', '{"items":[]}', 'x'.repeat(300_000), '__proto__', `${'['.repeat(3_000)}`];
  for (const method of [
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'HEAD',
    'CONNECT',
    'TRACE',
    'get',
    'PROPFIND',
    '',
  ]) {
    for (const [i, body] of bodies.entries()) {
      out.push({
        name: `method ${method} body ${i}`,
        method,
        body,
        headers: { Origin: origin, 'Content-Type': 'application/json' },
      });
    }
  }
  for (const foreign of [
    'https://evil.example',
    'null',
    'https://shop.example.com.evil.example',
    'http://shop.example.com',
    'https://shop.example.com:443',
    'https://shop.example.com/',
    'https://SHOP.EXAMPLE.COM',
    'file://',
    '*',
    `https://${'a'.repeat(30_000)}`,
    'https://shop.example.com\r\nX-Injected: 1',
    '\u202Ehttps://shop.example.com',
  ]) {
    const queries: (Record<string, string> | undefined)[] = [undefined, { v: '1' }, { callback: 'x' }];
    for (const query of queries) {
      out.push({
        name: `foreign origin ${foreign.slice(0, 24)} ${JSON.stringify(query)}`,
        method: 'GET',
        headers: { Origin: foreign },
        ...(query ? { query } : {}),
      });
    }
  }
  return out;
}
