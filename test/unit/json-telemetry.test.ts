import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJsonTelemetry, METRICS_NAMESPACE } from '../../src/adapters/json-telemetry';

function captureOutput(): { lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
  }
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const withoutTime = ({ timestamp: _t, ...rest }: Record<string, unknown>) => rest;

// The lines must stay those Powertools wrote: log queries, metric filters and alarms read them.
describe('JSON telemetry, line for line what Powertools wrote', () => {
  it('writes the log line Powertools Logger writes, with appended keys and the X-Ray trace id', () => {
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
    vi.stubEnv(
      '_X_AMZN_TRACE_ID',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    );
    const output = captureOutput();
    const ours = createJsonTelemetry({ serviceName: 'telemetry-test' }).log;
    const theirs = new Logger({ serviceName: 'telemetry-test' });
    for (const log of [ours, theirs]) {
      log.appendKeys({ requestId: 'req-1', route: 'cart-quote' });
      log.info('request', { method: 'POST', status: 200, durationMs: 12 });
      log.warn('slow', { detail: { nested: [1, 'two'] } });
      log.removeKeys(['route']);
      log.info('after');
    }
    const lines = output.lines();
    expect(lines).toHaveLength(6);
    const [ourLines, theirLines] = [lines.slice(0, 3), lines.slice(3)];
    expect(ourLines.map(withoutTime)).toEqual(theirLines.map(withoutTime));
    expect(ourLines[0]).toMatchObject({ level: 'INFO', service: 'telemetry-test', requestId: 'req-1' });
    expect(ourLines[0]?.xray_trace_id).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(ourLines[2]).not.toHaveProperty('route');
    expect(Date.parse(String(ourLines[0]?.timestamp))).not.toBeNaN();
  });

  it('publishes the EMF line Powertools Metrics publishes, a metric counted twice with both values', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const output = captureOutput();
    const ours = createJsonTelemetry({ serviceName: 'telemetry-test' }).metrics;
    ours.count('QuoteIssued');
    ours.count('RateLimited', 2);
    ours.count('QuoteIssued');
    ours.flush();
    const theirs = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'telemetry-test' });
    theirs.addMetric('QuoteIssued', MetricUnit.Count, 1);
    theirs.addMetric('RateLimited', MetricUnit.Count, 2);
    theirs.addMetric('QuoteIssued', MetricUnit.Count, 1);
    theirs.publishStoredMetrics();
    const [ourLine, theirLine] = output.lines();
    const stamp = (line: Record<string, any> | undefined) => ({
      ...line,
      _aws: { ...line?._aws, Timestamp: 0 },
    });
    expect(stamp(ourLine)).toEqual(stamp(theirLine));
    expect(ourLine).toMatchObject({ QuoteIssued: [1, 1], RateLimited: 2, service: 'telemetry-test' });
  });

  it('writes nothing for a request that counted nothing, or when metrics are disabled', () => {
    const output = captureOutput();
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const enabled = createJsonTelemetry({ serviceName: 'telemetry-test' }).metrics;
    enabled.flush();
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    const disabled = createJsonTelemetry({ serviceName: 'telemetry-test' }).metrics;
    disabled.count('QuoteIssued');
    disabled.flush();
    disabled.flush();
    expect(output.lines()).toEqual([]);
  });

  it('logs at and above POWERTOOLS_LOG_LEVEL, nothing when SILENT', () => {
    const output = captureOutput();
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'warn');
    const warnOnly = createJsonTelemetry({ serviceName: 'telemetry-test' }).log;
    warnOnly.debug('no');
    warnOnly.info('no');
    warnOnly.warn('yes');
    warnOnly.error('yes');
    vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
    createJsonTelemetry({ serviceName: 'telemetry-test' }).log.error('no');
    expect(output.lines().map((l) => [l.level, l.message])).toEqual([
      ['WARN', 'yes'],
      ['ERROR', 'yes'],
    ]);
  });
});
