/** One checked invariant: what was checked, whether it holds, and the evidence. */
export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}
