import type { StoreKind } from '../../conf/config';
import { startCoordinator, type Coordinator } from '../../coordinator/coordinator';
import { BusiServer } from './busi-server';
import { TestClock } from './clock';
import { testConfig, testLogger } from './test-env';

/** A coordinator on port 0 with its cron stopped and a test clock, plus a scripted business server. */
export interface CoordinatorFixture {
  coordinator: Coordinator;
  busi: BusiServer;
  clock: TestClock;
  dtm: string;
  /** Moves the clock past every scheduled retry and runs the cron until nothing is due. */
  recover(ms?: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function startCoordinatorFixture(
  store: StoreKind,
  overrides: Record<string, string> = {},
): Promise<CoordinatorFixture> {
  const clock = new TestClock();
  const conf = testConfig(store, { REQUEST_TIMEOUT_MS: '1000', ...overrides });
  const coordinator = await startCoordinator(conf, testLogger('coordinator'), {
    port: 0,
    grpcPort: 0,
    autoCron: false,
    clock: clock.now,
  });
  const busi = await new BusiServer().start();
  return {
    coordinator,
    busi,
    clock,
    dtm: coordinator.url,
    async recover(ms = 60_000) {
      await coordinator.service.drain();
      clock.advance(ms);
      return coordinator.cron.runUntilIdle(50);
    },
    async close() {
      await busi.close();
      await coordinator.close();
    },
  };
}

/** A one-step saga body (action A, compensation ARevert on the fixture's business server) as clients post it. */
export function oneStepSagaBody(fx: CoordinatorFixture, gid: string) {
  return {
    gid,
    trans_type: 'saga',
    steps: [{ action: `${fx.busi.url}/A`, compensate: `${fx.busi.url}/ARevert` }],
    payloads: ['{"x":1}'],
  };
}

/** A gid named after the test and the run, as DTM's tests name theirs. */
export function gidFor(title: string): string {
  return `${title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 80)}-${Math.random().toString(36).slice(2, 8)}`;
}
