import type { RequestHandler, Router } from 'express';
import { route } from '../../common/http/branch-result';
import { parseInput } from '../../common/http/validate';
import type { KvRecord } from '../model/records';
import type { TransService } from '../service/trans-service';
import type { Store } from '../storage/store';
import { kvQuerySchema, kvScanQuerySchema, subscribeQuerySchema } from './schemas';

/** A key-value entry as DTM prints it (its model's id has no JSON name, so the key is `ID`). */
function kvToWire(e: KvRecord): Record<string, unknown> {
  return {
    ID: Number(e.id),
    create_time: e.createTime.toISOString(),
    update_time: e.updateTime.toISOString(),
    cat: e.cat,
    k: e.k,
    v: e.v,
    version: e.version,
  };
}

/** subscribe, unsubscribe, topic delete, scanKV and queryKV: topics of 2-phase messages (admin only). */
export function addTopicRoutes(router: Router, service: TransService, store: Store, adminOnly: RequestHandler): void {
  router.get(
    '/subscribe',
    adminOnly,
    route(async (req) => {
      const q = parseInput(subscribeQuerySchema, req.query, 'public', 'query');
      await service.topics.subscribe(q.topic, q.url, q.remark);
    }),
  );
  router.get(
    '/unsubscribe',
    adminOnly,
    route(async (req) => {
      const q = parseInput(subscribeQuerySchema, req.query, 'public', 'query');
      await service.topics.unsubscribe(q.topic, q.url);
    }),
  );
  router.delete(
    '/topic/:name',
    adminOnly,
    route(async (req) => service.topics.deleteTopic(String(req.params.name))),
  );
  router.get(
    '/scanKV',
    adminOnly,
    route(async (req) => {
      const q = parseInput(kvScanQuerySchema, req.query, 'public', 'query');
      const page = await store.kvScan(q.cat, q.position ?? '', q.limit ?? 100);
      return { kv: page.entries.map(kvToWire), next_position: page.nextPosition };
    }),
  );
  router.get(
    '/queryKV',
    adminOnly,
    route(async (req) => {
      const q = parseInput(kvQuerySchema, req.query, 'public', 'query');
      const entry = await store.kvGet(q.cat, q.key);
      return { kv: entry ? [kvToWire(entry)] : [] };
    }),
  );
}
