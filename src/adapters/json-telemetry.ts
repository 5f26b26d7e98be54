import type { Log, MetricName, MetricsSink, Telemetry } from '../app/telemetry';
import { sourceMappedStack } from './source-mapped-stacks';

export const METRICS_NAMESPACE = 'CartCheckout';

/** Log levels as Powertools names them, lowest first; `SILENT` logs nothing. */
const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] as const;
type Level = (typeof LEVELS)[number];

export interface JsonTelemetryOptions {
  readonly serviceName: string;
  /** The environment: `POWERTOOLS_LOG_LEVEL` (default `INFO`), `POWERTOOLS_METRICS_DISABLED`, `_X_AMZN_TRACE_ID`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where each line goes (stdout in Lambda, where CloudWatch Logs reads it). */
  readonly write?: (line: string) => void;
  readonly now?: () => number;
}

/**
 * Structured JSON logs and CloudWatch embedded-metric-format (EMF) lines, written to stdout with
 * no library (docs/decisions.md #185): the lines Powertools Logger and Metrics wrote (same keys,
 * same `POWERTOOLS_*` settings, same namespace and `service` dimension, so log queries, metric
 * filters and alarms stay as they were) without their ~10 ms of every cold start. One instance per
 * process: the route resets its per-request keys and publishes its counts after each request.
 */
export function createJsonTelemetry(options: JsonTelemetryOptions): Telemetry {
  const env = options.env ?? process.env;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const { serviceName } = options;
  const threshold = levelOf(env.POWERTOOLS_LOG_LEVEL);
  const metricsDisabled = env.POWERTOOLS_METRICS_DISABLED === 'true';
  let keys: Record<string, unknown> = {};

  const line = (level: Level, message: string, extra: Record<string, unknown>[]) => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return;
    const traceId = env._X_AMZN_TRACE_ID?.split(';')[0]?.replace('Root=', '');
    write(
      JSON.stringify(
        Object.assign(
          {
            level,
            message,
            timestamp: new Date(now()).toISOString(),
            service: serviceName,
            sampling_rate: 0,
            ...(traceId ? { xray_trace_id: traceId } : {}),
          },
          keys,
          ...extra,
        ),
      ),
    );
  };

  const log: Log = {
    debug: (message, ...extra) => line('DEBUG', message, extra),
    info: (message, ...extra) => line('INFO', message, extra),
    warn: (message, ...extra) => line('WARN', message, withSourceMappedStacks(extra)),
    error: (message, ...extra) => line('ERROR', message, withSourceMappedStacks(extra)),
    appendKeys: (more) => {
      keys = { ...keys, ...more };
    },
    removeKeys: (names) => {
      keys = Object.fromEntries(Object.entries(keys).filter(([name]) => !names.includes(name)));
    },
  };

  // Values per metric in this request; a metric counted twice is published with both values.
  const counted = new Map<MetricName, number[]>();
  const metrics: MetricsSink = {
    count: (name, value = 1) => {
      counted.set(name, [...(counted.get(name) ?? []), value]);
    },
    // A request that counted nothing publishes nothing (no empty EMF lines on every catalog request).
    flush: () => {
      if (counted.size === 0) return;
      const values = Object.fromEntries([...counted].map(([name, v]) => [name, v.length === 1 ? v[0] : v]));
      const names = [...counted.keys()];
      counted.clear();
      if (metricsDisabled) return;
      write(
        JSON.stringify({
          _aws: {
            Timestamp: now(),
            CloudWatchMetrics: [
              {
                Namespace: METRICS_NAMESPACE,
                Dimensions: [['service']],
                Metrics: names.map((name) => ({ Name: name, Unit: 'Count' })),
              },
            ],
          },
          service: serviceName,
          ...values,
        }),
      );
    },
  };
  return { log, metrics };
}

function levelOf(setting: string | undefined): Level {
  const level = setting?.toUpperCase();
  return LEVELS.find((l) => l === level) ?? 'INFO';
}

/**
 * The stack of each logged error (`{ error: describeError(err) }`) pointing into the sources: the
 * deployed bundles run without `--enable-source-maps` (docs/decisions.md #34).
 */
function withSourceMappedStacks(extra: Record<string, unknown>[]): Record<string, unknown>[] {
  return extra.map((record) => {
    const error = record.error;
    if (typeof error !== 'object' || error === null || !('stack' in error)) return record;
    if (typeof error.stack !== 'string') return record;
    return { ...record, error: { ...error, stack: sourceMappedStack(error.stack) } };
  });
}
