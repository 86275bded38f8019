/** The client SDK: what an application imports to take part in DTM transactions. */
export { Saga } from './sdk/saga';
export { Msg } from './sdk/msg';
export { Tcc, tccGlobalTransaction, runTcc } from './sdk/tcc';
export { SagaGrpc } from './sdk/saga-grpc';
export { MsgGrpc } from './sdk/msg-grpc';
export { TccGrpc, tccGlobalTransactionGrpc } from './sdk/tcc-grpc';
export { newGidGrpc } from './sdk/dtm-grpc';
export { unaryHandler } from './grpc/handler';
export { failureStatus, ongoingStatus, grpcStatusOf, toGrpcError, outcomeOfGrpc } from './grpc/status';
export { newGid, type TransOptions } from './sdk/trans-base';
export { Workflows, type WorkflowHandler, type WorkflowOptions } from './sdk/workflows';
export { Workflow, type Phase2Callback } from './sdk/workflow';
export { localGid, type TransWire } from './protocol/trans-body';
export * from './protocol/vocabulary';
export { BranchBarrier } from './barrier/barrier';
export { MysqlBarrier } from './barrier/mysql-barrier';
export { RedisBarrier } from './barrier/redis-barrier';
export * from './errors';
