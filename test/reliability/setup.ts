import { afterAll } from 'vitest';
import { capturedLogs, findLeaks, installLogCapture } from './log-audit';

// Every file of the suite runs with its stdout and stderr captured; at its end, whatever it logged
// is audited (log-audit.ts). A leak fails the file, naming what leaked.
installLogCapture();

afterAll(() => {
  const leaks = findLeaks(capturedLogs());
  if (leaks.length > 0) throw new Error(`the logs of this file leak: ${leaks.slice(0, 10).join('; ')}`);
});
