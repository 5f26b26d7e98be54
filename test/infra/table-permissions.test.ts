import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLE_ACTIONS } from '../../infra/lib/commerce-function';

const SRC = path.resolve(import.meta.dirname, '../../src');
/** Code that never runs in a Lambda: the migration command and table creation for the local stack. */
const NOT_IN_LAMBDA = new Set([path.join(SRC, 'migrate'), path.join(SRC, 'ops')]);
/** The table client's methods (src/adapters/dynamodb/table-client.ts) and what each needs. */
const ACTION_OF_METHOD: Record<string, string> = {
  get: 'dynamodb:GetItem',
  put: 'dynamodb:PutItem',
  update: 'dynamodb:UpdateItem',
  delete: 'dynamodb:DeleteItem',
  query: 'dynamodb:Query',
  scan: 'dynamodb:Scan',
  batchGet: 'dynamodb:BatchGetItem',
  transactWrite: 'dynamodb:TransactWriteItems',
};

function sourceFiles(dir: string): string[] {
  if (NOT_IN_LAMBDA.has(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

describe('table permissions', () => {
  it('grant every DynamoDB operation the handlers’ code sends, and nothing it does not', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      const code = readFileSync(file, 'utf8');
      // Code that reaches the table holds a TableClient; the client module itself sends nothing.
      if (!/\bTableClient\b/.test(code) || file.endsWith('table-client.ts')) continue;
      expect(code, `${path.relative(SRC, file)} reaches DynamoDB through the official SDK`).not.toMatch(
        /@aws-sdk\/(lib|client)-dynamodb/,
      );
      for (const [, method] of code.matchAll(/\bclient\.(\w+)\(/g)) {
        if (!method || method === 'close') continue;
        const action = ACTION_OF_METHOD[method];
        expect(action, `${path.relative(SRC, file)} calls client.${method}`).toBeDefined();
        used.add(action!);
      }
    }
    expect([...used].sort()).toEqual([...TABLE_ACTIONS].sort());
  });
});
