/**
 * `query --safe`, for SQL one did not write: DuckDB's equivalent of the
 * duckdb shell's `-safe`. No statement can then read or write a file other
 * than the database's own (`--db`, its spill directory) and the `-o` outputs
 * (COPY writes them under their temporary name, the only path allowed), reach
 * the network, attach a database, install or load an extension, or change a
 * setting (which would undo the rest). The trace needs no access: our
 * appender loads it, DuckDB never reads it.
 *
 * Applied before any statement runs, ours included: a `--db` file could hold
 * views written by someone else.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { temporaryPath } from '../output-file.js';
import { sqlString } from './copy-to-file.js';

export interface SafeMode {
  /** Files the caller will write with copyToFile (`-o`): their temporary names stay writable. */
  outputs?: readonly string[];
}

export async function enterSafeMode(connection: DuckDBConnection, safe: SafeMode): Promise<void> {
  const allowed = (safe.outputs ?? []).map((path) => sqlString(temporaryPath(path)));
  // allowed_paths can only be set while external access is still on, and nothing can be set once locked: this order.
  if (allowed.length > 0) await connection.run(`SET allowed_paths = [${allowed.join(', ')}]`);
  await connection.run('SET enable_external_access = false');
  await connection.run('SET autoinstall_known_extensions = false');
  await connection.run('SET autoload_known_extensions = false');
  await connection.run('SET allow_community_extensions = false');
  await connection.run('SET lock_configuration = true');
}
