import type { Log, MetricName, Telemetry } from '../../src/app/telemetry';

export interface LogRecord {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** Telemetry that remembers what the code logged and counted, for assertions. */
export interface RecordingTelemetry extends Telemetry {
  readonly logs: LogRecord[];
  /** Metrics published so far (flushed at the end of each request), by name. */
  readonly published: Map<MetricName, number>;
  countOf(name: MetricName): number;
}

export function createRecordingTelemetry(): RecordingTelemetry {
  const logs: LogRecord[] = [];
  const published = new Map<MetricName, number>();
  let pending: [MetricName, number][] = [];
  let keys: Record<string, unknown> = {};
  const record =
    (level: LogRecord['level']) =>
    (message: string, ...extra: Record<string, unknown>[]) => {
      logs.push({ level, message, attributes: Object.assign({}, keys, ...extra) });
    };
  const log: Log = {
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    appendKeys: (more) => {
      keys = { ...keys, ...more };
    },
    removeKeys: (names) => {
      keys = Object.fromEntries(Object.entries(keys).filter(([name]) => !names.includes(name)));
    },
  };
  return {
    log,
    logs,
    published,
    metrics: {
      count: (name, value = 1) => {
        pending.push([name, value]);
      },
      flush: () => {
        for (const [name, value] of pending) published.set(name, (published.get(name) ?? 0) + value);
        pending = [];
      },
    },
    countOf: (name) => published.get(name) ?? 0,
  };
}
