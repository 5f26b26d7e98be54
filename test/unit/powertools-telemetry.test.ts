import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPowertoolsTelemetry } from '../../src/adapters/powertools';

function captureOutput(): { text: () => string } {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
  }
  return { text: () => chunks.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('Powertools telemetry', () => {
  it('writes nothing at the end of a request that counted no metric', () => {
    const telemetry = createPowertoolsTelemetry('cart-checkout-test');
    const output = captureOutput();
    telemetry.metrics.flush();
    telemetry.metrics.flush();
    expect(output.text()).toBe('');
  });

  it('publishes what a request counted as one EMF line', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const telemetry = createPowertoolsTelemetry('cart-checkout-test');
    const output = captureOutput();
    telemetry.metrics.count('QuoteIssued');
    telemetry.metrics.flush();
    const lines = output.text().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({ QuoteIssued: 1, service: 'cart-checkout-test' });
  });
});
