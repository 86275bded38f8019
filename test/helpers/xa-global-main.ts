import { xaGlobalTransaction } from '../../common/sdk/xa';

/**
 * The global side of an XA transaction as a process of its own, for crash tests:
 * `xa-global-main.ts <dtm> <gid> <branch url>…` calls each branch in turn, then submits.
 */
const [dtm, gid, ...urls] = process.argv.slice(2);
if (!dtm || !gid) throw new Error('usage: xa-global-main.ts <dtm> <gid> <branch url>…');
xaGlobalTransaction(dtm, gid, async (xa) => {
  for (const url of urls) await xa.callBranch({}, url);
}).then(
  () => process.exit(0),
  () => process.exit(1),
);
