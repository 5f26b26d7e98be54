/**
 * Captures everything the process writes to stdout and stderr (Powertools writes its JSON log lines
 * and EMF metrics there) and audits it: no secret, no full email address, no raw IP address.
 */

const captured: string[] = [];
const secrets = new Set<string>();
const clientIps = new Set<string>();
let installed = false;

/** Starts capturing stdout and stderr; the captured text is not printed. */
export function installLogCapture(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}

/** Everything written so far. */
export function capturedLogs(): string {
  return captured.join('');
}

/** Values that must never appear in a log line (keys, secrets) — whole, or as a part of 12+ characters. */
export function registerSecrets(...values: (string | undefined)[]): void {
  for (const value of values) {
    if (!value) continue;
    secrets.add(value);
    // `kid:base64,kid2:base64` specs: each secret on its own too.
    for (const part of value.split(/[,:]/)) if (part.length >= 12) secrets.add(part);
  }
}

/** Client addresses a test sent requests from; they must never be logged. */
export function registerClientIps(...ips: string[]): void {
  for (const ip of ips) clientIps.add(ip);
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const IPV4 = /(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])/g;

/**
 * What in `text` breaks the logging rules: a registered secret, a full email address (masked ones,
 * `j***@example.com`, are fine), a registered client IP or any IPv4 address outside loopback (the
 * test servers' own addresses appear in connection errors).
 */
export function findLeaks(text: string): string[] {
  const leaks: string[] = [];
  for (const secret of secrets) if (text.includes(secret)) leaks.push(`secret ${secret.slice(0, 6)}…`);
  for (const match of text.matchAll(EMAIL)) leaks.push(`email ${match[0]}`);
  for (const ip of clientIps) if (text.includes(ip)) leaks.push(`client IP ${ip}`);
  for (const match of text.matchAll(IPV4)) {
    if (!match[0].startsWith('127.') && match[0] !== '0.0.0.0') leaks.push(`IP ${match[0]}`);
  }
  return [...new Set(leaks)];
}
