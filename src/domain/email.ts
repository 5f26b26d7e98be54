/**
 * `jane.doe@example.com` → `j***@example.com`: enough for support to match an order, too little
 * to identify anyone. Logs and session records only ever hold this form.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}
