import type { Telemetry } from '../app/telemetry';

/**
 * Telemetry for an operator command: warnings and errors go to stderr as one line each (with
 * their fields), information is dropped, metrics are not published (they belong to the functions).
 */
export function createCliTelemetry(
  write: (line: string) => void = (line) => process.stderr.write(line),
): Telemetry {
  const line = (level: string, message: string, extra: Record<string, unknown>[]) => {
    const fields = Object.assign({}, ...extra) as Record<string, unknown>;
    const shown = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    write(`${level}: ${message}${shown}\n`);
  };
  return {
    log: {
      debug: () => {},
      info: () => {},
      warn: (message, ...extra) => line('warning', message, extra),
      error: (message, ...extra) => line('error', message, extra),
      appendKeys: () => {},
      removeKeys: () => {},
    },
    metrics: { count: () => {}, flush: () => {} },
  };
}
