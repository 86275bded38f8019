import { BranchBarrier } from '../common/barrier/barrier';
import type { MysqlBarrier } from '../common/barrier/mysql-barrier';
import type { GrpcBranchGuard } from '../common/grpc/branch-guard';
import { unaryHandler } from '../common/grpc/handler';
import type { Logger } from '../common/log';
import { serveGrpc, type MallServer } from './grpc-server';
import { mallServices, MallOrderStatus, type CreateReq } from './mall-proto';

/**
 * The mall's order service (mall.Order): Create inserts the order, CreateRevert marks it cancelled
 * (status 9), each behind the sub-transaction barrier read from the call's metadata.
 */
export async function startOrderService(
  barrier: MysqlBarrier,
  guard: GrpcBranchGuard,
  log: Logger,
  port: number,
): Promise<MallServer> {
  return serveGrpc(
    mallServices().order,
    {
      Create: unaryHandler<CreateReq, object>('mall.Order/Create', log, async (req, md, peer) => {
        guard(md, peer);
        await barrier.call(BranchBarrier.fromGrpc(md), async (conn) => {
          await conn.execute('INSERT INTO orders (order_no, user_id, product_id, num, status) VALUES (?,?,?,?,?)', [
            req.order_no,
            req.user_id,
            req.product_id,
            req.num,
            MallOrderStatus.created,
          ]);
        });
        return {};
      }),
      CreateRevert: unaryHandler<CreateReq, object>('mall.Order/CreateRevert', log, async (req, md, peer) => {
        guard(md, peer);
        await barrier.call(BranchBarrier.fromGrpc(md), async (conn) => {
          await conn.execute('UPDATE orders SET status=?, update_time=now() WHERE order_no=?', [
            MallOrderStatus.cancelled,
            req.order_no,
          ]);
        });
        return {};
      }),
    },
    port,
  );
}
