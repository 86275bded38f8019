import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import express from 'express';
import { loadConfig } from '../conf/config';
import { BranchBarrier } from '../common/barrier/barrier';
import { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { route } from '../common/http/branch-result';
import { createServiceApp } from '../common/http/service-app';
import { createLogger } from '../common/log';
import { applySqlScript, createMysqlPool } from '../common/mysql';

/**
 * The benchmark's business service: TransOut / TransIn (and their compensations) each move an amount
 * in MySQL behind the barrier, as a real branch would; `/api/null/*` answer SUCCESS without any work.
 */
async function main(): Promise<void> {
  const conf = loadConfig();
  const db = conf.orderDb;
  await MysqlBarrier.ensureSchema(conf);
  await applySqlScript(
    conf,
    `CREATE DATABASE IF NOT EXISTS \`${db}\`; CREATE TABLE IF NOT EXISTS \`${db}\`.bench_account (id int PRIMARY KEY, balance bigint NOT NULL); INSERT IGNORE INTO \`${db}\`.bench_account VALUES (1, 0), (2, 0);`,
  );
  const pool = createMysqlPool(conf, db, 32);
  const barrier = new MysqlBarrier(pool, conf.barrierDb);
  const router = express.Router();
  const branch = (name: string, account: number, delta: number) =>
    router.post(
      `/api/bench/${name}`,
      route(async (req) => {
        await barrier.call(BranchBarrier.fromQuery(req.query), async (conn) => {
          await conn.execute('UPDATE bench_account SET balance = balance + ? WHERE id = ?', [delta, account]);
        });
      }),
    );
  branch('TransOut', 1, -1);
  branch('TransOutRevert', 1, 1);
  branch('TransIn', 2, 1);
  branch('TransInRevert', 2, -1);
  router.get(
    '/api/health',
    route(() => ({ status: 'ok' })),
  );
  const app = createServiceApp(createLogger(conf.logLevel, { component: 'bench-busi' }), [router]);
  createServer((req, res) => {
    if (req.url?.startsWith(NULL_BRANCHES)) answerSuccess(req, res);
    else app(req, res);
  }).listen(conf.busi.port, '127.0.0.1');
}

/** Branches that do nothing, so a run through them measures the coordinator's own cost. */
const NULL_BRANCHES = '/api/null/';
const SUCCESS = JSON.stringify({ dtm_result: 'SUCCESS' });

/**
 * Answers SUCCESS once the request body is read, on plain node:http: these branches are part of the load
 * generator, so they should take as little of the machine's CPU from the coordinator as they can.
 */
function answerSuccess(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': SUCCESS.length });
    res.end(SUCCESS);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
