import dynalite from 'dynalite';
import { closeServer, listen } from './listen';

export interface RunningDynalite {
  /** `http://127.0.0.1:<port>`, for the SDK's `endpoint`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite (the DynamoDB API on LevelDB) in this process: in memory, or persisted under
 * `path`. Tables are ACTIVE as soon as they are created.
 */
export async function startDynalite(
  options: { path?: string; port?: number; host?: string } = {},
): Promise<RunningDynalite> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  const host = options.host ?? '127.0.0.1';
  const port = await listen(server, options.port ?? 0, host);
  return {
    endpoint: `http://${host}:${port}`,
    close: () => closeServer(server),
  };
}
