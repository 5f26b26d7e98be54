import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TABLE_ACTIONS } from '../../infra/lib/commerce-function';

const SRC = path.resolve(import.meta.dirname, '../../src');
/** Code that never runs in a Lambda: the migration command and table creation for the local stack. */
const NOT_IN_LAMBDA = new Set([path.join(SRC, 'migrate'), path.join(SRC, 'ops')]);
const LOCAL_ONLY_COMMANDS = new Set(['CreateTable', 'DescribeTable']);

const ACTION_OF_COMMAND: Record<string, string> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  BatchWrite: 'dynamodb:BatchWriteItem',
  BatchGet: 'dynamodb:BatchGetItem',
  TransactWrite: 'dynamodb:TransactWriteItems',
  TransactGet: 'dynamodb:TransactGetItems',
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
      if (!/@aws-sdk\/(lib|client)-dynamodb/.test(code)) continue;
      for (const [, command] of code.matchAll(/new (\w+?)(?:Item)?Command\(/g)) {
        if (!command || LOCAL_ONLY_COMMANDS.has(command)) continue;
        const action = ACTION_OF_COMMAND[command];
        expect(action, `${path.relative(SRC, file)} sends ${command}`).toBeDefined();
        used.add(action!);
      }
    }
    expect([...used].sort()).toEqual([...TABLE_ACTIONS].sort());
  });
});
