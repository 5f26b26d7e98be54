import { readFileSync } from 'node:fs';
import type { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A frame's location: `at name (where:line:column)` or `at where:line:column`. */
const FRAME = /^(\s*at (?:.*? \()?)([^()]+?):(\d+):(\d+)(\)?)$/;

/** Parsed maps of the files seen in logged stacks (`null`: the file has none). */
const maps = new Map<string, SourceMap | null>();

/**
 * Rewrites the frames of a stack trace that point into a bundle with a `.map` file next to it, so a
 * logged error names `src/app/create-checkout.ts:163:5` instead of `index.mjs:1:48213`. Frames
 * without a map (Node's own, or a process already running with `--enable-source-maps`) stay as
 * they are.
 *
 * This is what `--enable-source-maps` does for every stack trace Node formats, done only for the
 * traces that get logged: the Stripe SDK formats one per request, and with the flag on, the first
 * one makes Node parse the whole bundle's map (~50 ms of each cold start). Here the first logged
 * error pays that, once per process.
 */
export function sourceMappedStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => {
      const frame = FRAME.exec(line);
      if (!frame) return line;
      const [, head, where = '', lineNumber, column, tail] = frame;
      const entry = mapOf(where)?.findEntry(Number(lineNumber) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry)) return line;
      return `${head}${readableSource(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`;
    })
    .join('\n');
}

function mapOf(where: string): SourceMap | null {
  if (where.startsWith('node:')) return null;
  const cached = maps.get(where);
  if (cached !== undefined) return cached;
  let map: SourceMap | null = null;
  try {
    const file = where.startsWith('file://') ? fileURLToPath(where) : where;
    // Taken on the first logged stack, not when the function loads: its default export is a class,
    // which the built-in shims take at once (decision 184), loading Node's source-map code.
    const { SourceMap: SourceMapOf } = process.getBuiltinModule('node:module');
    map = new SourceMapOf(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  } catch {
    // No map next to this file (or an unreadable one): its frames stay as they are.
  }
  maps.set(where, map);
  return map;
}

/** `../../../src/app/x.ts` → `src/app/x.ts`: sources are relative to the build folder. */
function readableSource(source: string): string {
  return source.replace(/^(?:\.\.?\/)+/, '');
}
