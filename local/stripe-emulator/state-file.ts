/**
 * The state file on disk: read once at start, written after changes. A write goes to a temporary
 * file in the same directory, is flushed, then renamed over the old file, so a crash or Ctrl-C
 * leaves either the previous state or the new one, never half of one. Writes are debounced:
 * a burst of changes (a payment: session, coupon, event, delivery) becomes one write.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { parseStateDocument, STATE_VERSION, type StateDocument } from './persisted-state';

/** Codes of {@link StateFileError}. */
export type StateFileErrorCode = 'state_version_unsupported' | 'state_unreadable';

/**
 * A state file the emulator must not start from, because starting empty would overwrite data it
 * cannot read (written by another version, or unreadable for now). The message says what to do.
 */
export class StateFileError extends Error {
  override readonly name = 'StateFileError';
  constructor(
    readonly code: StateFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The document in `path`, or `null` to start empty: when there is no file yet, or it is corrupt
 * (then it is moved aside to `<path>.corrupt-<time>`, so nothing is lost). Each case logs one line.
 * Throws {@link StateFileError} when the file is another version's or cannot be read.
 */
export function readStateFile(path: string, now: number, log: (line: string) => void): StateDocument | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err: unknown) {
    if (isErrnoException(err) && err.code === 'ENOENT') {
      log(`state: no file at ${path} yet; starting empty`);
      return null;
    }
    throw new StateFileError(
      'state_unreadable',
      `Cannot read the Stripe emulator's state file ${path} (${describe(err)}). Fix its permissions, or move it away to start empty.`,
      { cause: err },
    );
  }
  const parsed = parseStateDocument(text);
  if (parsed.kind === 'other-version') {
    throw new StateFileError(
      'state_version_unsupported',
      `The Stripe emulator's state file ${path} has format version ${parsed.version}; this emulator reads version ${STATE_VERSION}. Run the code that wrote it, or move the file away to start empty.`,
    );
  }
  if (parsed.kind === 'corrupt') {
    const aside = `${path}.corrupt-${now}`;
    let kept = `kept as ${aside}`;
    try {
      renameSync(path, aside);
    } catch (err: unknown) {
      kept = `could not move it aside (${describe(err)}); it will be overwritten`;
    }
    log(`state: ${path} is not usable state (${parsed.reason}); ${kept}; starting empty`);
    return null;
  }
  return parsed.document;
}

/** Writes `document` to `path` atomically (temporary file, flushed, renamed over). */
export function writeStateFile(path: string, document: StateDocument): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(document)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(temporary, path);
  } catch (err: unknown) {
    rmSync(temporary, { force: true });
    throw err;
  }
}

export interface StateSaverOptions {
  path: string;
  /** Builds the document to write (called at write time, so it is the latest state). */
  capture: () => StateDocument;
  /** How long to wait after a change for more (ms). */
  delayMs: number;
  log: (line: string) => void;
}

/**
 * Writes the state a little after it changes. A failed write is logged, never thrown: the
 * emulator keeps answering, and the next change tries again.
 */
export class StateSaver {
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: StateSaverOptions) {}

  /**
   * Notes a change; the state is written `delayMs` after the first change not yet written. The
   * timer is not pushed back by later changes, so steady traffic still gets written.
   */
  schedule(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.options.delayMs);
  }

  /** Writes now if a change is waiting. */
  flush(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.save();
  }

  /** Writes now, whether or not a change is waiting. */
  save(): void {
    try {
      writeStateFile(this.options.path, this.options.capture());
    } catch (err: unknown) {
      this.options.log(
        `state: could not write ${this.options.path} (${describe(err)}); will retry on the next change`,
      );
    }
  }

  /** Writes what is waiting and stops: later changes are not written. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}

function describe(err: unknown): string {
  if (isErrnoException(err) && err.code) return err.code;
  return err instanceof Error ? err.message : String(err);
}
