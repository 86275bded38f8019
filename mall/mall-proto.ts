import path from 'node:path';
import { loadPackageDefinition, type GrpcObject, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** The mall's messages and services (mall/mall.proto), loaded once at run time. */

export interface CreateReq {
  order_no: string;
  user_id: number;
  product_id: number;
  num: number;
}

export interface DecrStockReq {
  product_id: number;
  num: number;
}

/** Order statuses: 1 once created, 9 once CreateRevert cancelled it (the article's "invalid" status). */
export const MallOrderStatus = { created: 1, cancelled: 9 } as const;

/** Every mall saga's gid starts with this; the order it creates carries the gid as order_no. */
export const MALL_GID_PREFIX = 'mall-';

/** The product the fire endpoints sell, and the stock mall.sql seeds it with. */
export const MALL_PRODUCT_ID = 1;
export const MALL_SEED_STOCK = 10_000;

let loaded: { order: ServiceDefinition; product: ServiceDefinition } | undefined;

/** The service definitions of mall.Order and mall.Product. */
export function mallServices(): { order: ServiceDefinition; product: ServiceDefinition } {
  if (loaded) return loaded;
  const definition = loadSync(path.join(__dirname, 'mall.proto'), { keepCase: true, longs: Number, defaults: true });
  const pkg = loadPackageDefinition(definition).mall as GrpcObject;
  const service = (name: string) => (pkg[name] as GrpcObject[string] & { service: ServiceDefinition }).service;
  loaded = { order: service('Order'), product: service('Product') };
  return loaded;
}

/** A method's branch URL on a server: `host:port/mall.Order/Create`. */
export function mallUrl(server: string, service: 'order' | 'product', method: string): string {
  const definition = mallServices()[service][method];
  if (!definition) throw new Error(`mall ${service} has no method ${method}`);
  return `${server}${definition.path}`;
}

/** The request bytes of a mall method, as the saga carries them. */
export function mallPayload(service: 'order' | 'product', method: string, message: CreateReq | DecrStockReq): Buffer {
  const definition = mallServices()[service][method];
  if (!definition) throw new Error(`mall ${service} has no method ${method}`);
  return definition.requestSerialize(message);
}
