import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../conf/config';
import type { Logger } from '../common/log';
import { serviceAddress } from '../common/unreachable';
import { createCoordinatorApp } from './app';
import { startGrpcApi } from './grpc/grpc-server';
import { Cron } from './cron/cron';
import { createStore } from './storage/create-store';
import type { Store } from './storage/store';
import { BranchCaller } from './trans/branch-call';
import { AdminService } from './service/admin-service';
import { TransService } from './service/trans-service';
import type { Clock } from './model/clock';
import { COORDINATOR_VERSION } from './api/query-routes';
import { Metrics } from './observe/metrics';

/** A running coordinator: its server, store, service and cron loop, and how to stop them all. */
export interface Coordinator {
  url: string;
  port: number;
  /** The gRPC API's address as gRPC clients dial it: `<host>:<port>`. */
  grpc: string;
  grpcPort: number;
  store: Store;
  service: TransService;
  admin: AdminService;
  metrics: Metrics;
  cron: Cron;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Port to listen on; 0 picks a free one (tests). Defaults to the configured port. */
  port?: number;
  /** Port of the gRPC API; 0 picks a free one (tests). Defaults to the configured port. */
  grpcPort?: number;
  /** Start the cron loop (production) or leave it to `cron.runOnce` (tests). */
  autoCron?: boolean;
  clock?: Clock;
}

/** Wires config → store → service → app → listen → cron. */
export async function startCoordinator(conf: Config, log: Logger, options: StartOptions = {}): Promise<Coordinator> {
  const clock = options.clock ?? (() => new Date());
  const store = await createStore(conf, log);
  const caller = new BranchCaller(conf.coordinator.requestTimeoutMs);
  const metrics = new Metrics(COORDINATOR_VERSION, { dueStats: () => store.dueStats(clock()), now: clock });
  const service = new TransService({ store, conf, clock, caller, log, metrics });
  const admin = new AdminService({ store, clock, log, defaultResetAfterMs: 3 * conf.coordinator.timeoutToFailMs });
  const cron = new Cron({
    store,
    service,
    clock,
    log,
    intervalMs: conf.coordinator.cronIntervalMs,
    leaseMs: conf.coordinator.retryIntervalMs,
    workers: conf.coordinator.cronWorkers,
  });
  const app = createCoordinatorApp({
    conf,
    service,
    admin,
    store,
    storeAddress: serviceAddress(conf.coordinator.store, conf),
    metrics,
    clock,
    log,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = createServer(app).listen(options.port ?? conf.coordinator.port, conf.coordinator.host, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  const grpcApi = await startGrpcApi(service, log, {
    host: conf.coordinator.host,
    port: options.grpcPort ?? conf.coordinator.grpcPort,
    adminToken: conf.adminToken,
  }).catch(async (err: unknown) => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    throw err;
  });
  if (options.autoCron ?? true) cron.start();
  return {
    url: `http://${urlHost(conf.coordinator.host)}:${port}/api/dtmsvr`,
    port,
    grpc: `${urlHost(conf.coordinator.host)}:${grpcApi.port}`,
    grpcPort: grpcApi.port,
    store,
    service,
    admin,
    metrics,
    cron,
    async close() {
      await cron.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Requests in flight get a second to finish; a browser's open sockets (the dashboard) would
        // otherwise hold the close until Node's headers timeout.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      await grpcApi.close();
      await service.drain();
      await caller.close();
      await store.close();
    },
  };
}

/** The host to reach a server listening on `host`: loopback when it listens everywhere. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
