import type { Connection as CoreConnection } from 'mysql2';
import mysql from 'mysql2/promise';
import type { Config } from '../conf/config';
import { unreachable } from './unreachable';

export type MysqlPool = mysql.Pool;
export type MysqlConnection = mysql.PoolConnection;

/**
 * A pooled mysql2 client on the configured server, optionally bound to one database. `multipleStatements`
 * is for a caller that batches statements of its own making, every value through a placeholder.
 */
export function createMysqlPool(
  conf: Config,
  database?: string,
  connectionLimit = 20,
  options: { multipleStatements?: boolean } = {},
): MysqlPool {
  return mysql.createPool({
    ...options,
    host: conf.mysql.host,
    port: conf.mysql.port,
    user: conf.mysql.user,
    password: conf.mysql.password,
    database,
    connectionLimit,
    waitForConnections: true,
    dateStrings: false,
    timezone: 'Z',
    supportBigNumbers: true,
  });
}

/**
 * `conn.query` through mysql2's callback API. The promise API captures a stack trace for every query and
 * formats it on every error, which costs a store running thousands of queries a second more than the
 * packets themselves; callers here know which query failed without it.
 */
export function queryOn(on: MysqlConnection | MysqlPool, sql: string, values: unknown[]): Promise<unknown> {
  // A promise pool connection wraps a callback connection, which mysql2's typings give the promise type.
  const core = 'release' in on ? (on.connection as unknown as CoreConnection) : on.pool;
  return new Promise((resolve, reject) => {
    core.query(sql, values as never[], (err: unknown, results: unknown) => (err ? reject(err) : resolve(results)));
  });
}

/**
 * Runs a schema script (several statements) once, on a short-lived connection that allows multiple
 * statements. Every service applies its schema at start, so this is where an unreachable MySQL shows
 * first.
 * @throws Unavailable naming MySQL, its address and the variables to change when it cannot connect.
 */
export async function applySqlScript(conf: Config, script: string): Promise<void> {
  const conn = await mysql
    .createConnection({
      host: conf.mysql.host,
      port: conf.mysql.port,
      user: conf.mysql.user,
      password: conf.mysql.password,
      multipleStatements: true,
    })
    .catch((err: unknown) => {
      throw unreachable('mysql', conf, err);
    });
  try {
    await conn.query(script);
  } finally {
    await conn.end();
  }
}

/** Replaces the database name a schema file is written for (`USE ord;`) with the configured one. */
export function retargetSchema(script: string, fromDb: string, toDb: string): string {
  const pattern = new RegExp(`(CREATE DATABASE IF NOT EXISTS|USE)\\s+\`?${fromDb}\`?`, 'gi');
  return script.replace(pattern, (_m, verb: string) => `${verb} \`${toDb}\``);
}
