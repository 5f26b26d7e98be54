import type { CheckResult, DoctorDeps, DoctorStage } from './ports';

/** An origin no shop uses: the API must not grant it CORS. */
const FOREIGN_ORIGIN = 'https://doctor.invalid';

/**
 * The deployed API answers the shop's origins as a browser needs: the preflight of a quote and
 * the catalog's GET name each allowed origin, and a foreign origin gets no permission. Also that
 * the pages Checkout returns to may call the API (the success page asks for the session's status).
 */
export async function checkCors(
  stage: DoctorStage,
  deps: Pick<DoctorDeps, 'fetch'>,
  apiUrl: string,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const base = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const fixOrigin =
    'list the origin exactly (scheme, www. or not, no trailing slash) in allowedOrigins and deploy';
  for (const origin of [...stage.allowedOrigins, FOREIGN_ORIGIN]) {
    const foreign = origin === FOREIGN_ORIGIN;
    let preflight: string | null;
    let catalog: { status: number; allowOrigin: string | null };
    try {
      const options = await deps.fetch(`${base}cart/quote`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
      preflight = options.headers.get('access-control-allow-origin');
      await options.arrayBuffer();
      const get = await deps.fetch(`${base}catalog`, { headers: { Origin: origin } });
      catalog = { status: get.status, allowOrigin: get.headers.get('access-control-allow-origin') };
      await get.arrayBuffer();
    } catch (err: unknown) {
      return [
        {
          id: 'cors',
          status: 'fail',
          summary: `the API at ${base} did not answer (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)})`,
          fix: 'check the ApiUrl output and that the stage was deployed in the stage file’s region',
        },
      ];
    }
    if (foreign) {
      const leaked =
        preflight === origin ||
        catalog.allowOrigin === origin ||
        preflight === '*' ||
        catalog.allowOrigin === '*';
      results.push({
        id: 'cors',
        status: leaked ? 'fail' : 'pass',
        summary: leaked
          ? 'the API grants CORS to an origin that is not on the allowlist'
          : 'an origin not on the allowlist gets no CORS permission',
        fix: leaked ? 'the deployed API is not this code’s: deploy again, and report it' : undefined,
      });
      continue;
    }
    const ok = preflight === origin && catalog.status === 200 && catalog.allowOrigin === origin;
    results.push({
      id: 'cors',
      status: ok ? 'pass' : 'fail',
      summary: ok
        ? `${origin} may call the API (preflight and GET /catalog)`
        : `${origin} gets ${preflight === origin ? 'a preflight' : 'no preflight permission'}, GET /catalog ${catalog.status}${catalog.allowOrigin === origin ? '' : ' without permission'}: browsers on it cannot use the API`,
      fix: ok ? undefined : `the deployed stage does not allow ${origin}: ${fixOrigin}`,
    });
  }
  for (const [field, url] of [
    ['checkout.successUrl', stage.successUrl],
    ['checkout.cancelUrl', stage.cancelUrl],
  ] as const) {
    const origin = new URL(url.replaceAll('{CHECKOUT_SESSION_ID}', 'x')).origin;
    if (!stage.allowedOrigins.includes(origin)) {
      results.push({
        id: 'cors',
        status: 'warn',
        summary: `${field} is on ${origin}, which is not in allowedOrigins: a page there cannot call the API`,
        fix: `add ${origin} to allowedOrigins (the success page asks the API for the payment's status), or host the page on an allowed origin`,
      });
    }
  }
  return results;
}
