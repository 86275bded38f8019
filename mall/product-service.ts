import type { ResultSetHeader } from 'mysql2';
import { BranchBarrier } from '../common/barrier/barrier';
import type { MysqlBarrier } from '../common/barrier/mysql-barrier';
import { BranchFailure } from '../common/errors';
import type { GrpcBranchGuard } from '../common/grpc/branch-guard';
import { unaryHandler } from '../common/grpc/handler';
import type { Logger } from '../common/log';
import { serveGrpc, type MallServer } from './grpc-server';
import { mallServices, type DecrStockReq } from './mall-proto';

/**
 * The mall's product service (mall.Product): DecrStock takes stock and answers ABORTED (FAILURE) when
 * there is not enough, so the saga rolls back; DecrStockRevert gives it back. Both behind the barrier.
 * Every call passes `guard` first (the branch secret). `killAfterDecrStock` (a test fault) SIGKILLs the process right after DecrStock committed.
 */
export async function startProductService(
  barrier: MysqlBarrier,
  guard: GrpcBranchGuard,
  log: Logger,
  port: number,
  killAfterDecrStock = false,
): Promise<MallServer> {
  return serveGrpc(
    mallServices().product,
    {
      DecrStock: unaryHandler<DecrStockReq, object>('mall.Product/DecrStock', log, async (req, md, peer) => {
        guard(md, peer);
        await barrier.call(BranchBarrier.fromGrpc(md), async (conn) => {
          const [result] = await conn.execute<ResultSetHeader>(
            'UPDATE product SET stock=stock-?, update_time=now() WHERE id=? AND stock>=?',
            [req.num, req.product_id, req.num],
          );
          if (result.affectedRows === 0) {
            throw new BranchFailure(`product ${req.product_id} has fewer than ${req.num} units in stock`);
          }
        });
        if (killAfterDecrStock) process.kill(process.pid, 'SIGKILL');
        return {};
      }),
      DecrStockRevert: unaryHandler<DecrStockReq, object>(
        'mall.Product/DecrStockRevert',
        log,
        async (req, md, peer) => {
          guard(md, peer);
          await barrier.call(BranchBarrier.fromGrpc(md), async (conn) => {
            await conn.execute('UPDATE product SET stock=stock+?, update_time=now() WHERE id=?', [
              req.num,
              req.product_id,
            ]);
          });
          return {};
        },
      ),
    },
    port,
  );
}
