import type { Config } from '../../conf/config';
import { BranchFailure, BranchOngoing } from '../errors';

/**
 * A fault to inject once into a branch handler:
 * - `error-before`: answer 500 before doing anything (the coordinator retries);
 * - `error-after`: do the work, then answer 500 as if the reply was lost (the retry must change nothing);
 * - `slow-after`: do the work, then answer only after the coordinator's request timeout;
 * - `failure`: answer 409 FAILURE; `ongoing`: answer 425 ONGOING.
 */
export type Fault = 'error-before' | 'error-after' | 'slow-after' | 'failure' | 'ongoing';

/** Faults that never change a business outcome, only its delivery: what the chaos run injects. */
export const DELIVERY_FAULTS: readonly Fault[] = ['error-before', 'error-after', 'slow-after', 'ongoing'];

/** Thrown by an injected `error-*` fault; answered with 500. */
export class InjectedError extends Error {
  override readonly name = 'InjectedError';
}

/**
 * One-shot fault switches for the example services, in the spirit of DTM's MainSwitch: tests (and the
 * chaos run) arm a fault for a branch, and the next call of that branch consumes it.
 */
export class Switches {
  private readonly armed = new Map<string, Fault[]>();
  private random: { rate: number; slowMs: number } | undefined;

  /**
   * The switches of an example service. With CHAOS_FAULT_RATE above 0, every call draws a delivery
   * fault with that probability (armed faults still go first), and `slow-after` waits just past the
   * coordinator's request timeout.
   */
  static forConfig(conf: Config): Switches {
    const switches = new Switches();
    if (conf.testFaults.chaosFaultRate > 0)
      switches.random = { rate: conf.testFaults.chaosFaultRate, slowMs: conf.coordinator.requestTimeoutMs + 500 };
    return switches;
  }

  /** Arms `faults` for the next calls of `branch`, in order. */
  arm(branch: string, ...faults: Fault[]): void {
    this.armed.set(branch, [...(this.armed.get(branch) ?? []), ...faults]);
  }

  clear(): void {
    this.armed.clear();
    this.random = undefined;
  }

  private draw(branch: string): Fault | undefined {
    const armed = this.armed.get(branch)?.shift();
    if (armed || !this.random || Math.random() >= this.random.rate) return armed;
    return DELIVERY_FAULTS[Math.floor(Math.random() * DELIVERY_FAULTS.length)];
  }

  /**
   * Runs `work` under the branch's next fault, if one is armed.
   * @throws InjectedError, BranchFailure or BranchOngoing as the fault says; whatever `work` throws.
   */
  async run<T>(branch: string, work: () => Promise<T>): Promise<T> {
    const fault = this.draw(branch);
    if (fault === 'error-before') throw new InjectedError(`injected error before ${branch}`);
    if (fault === 'failure') throw new BranchFailure(`injected FAILURE in ${branch}`);
    if (fault === 'ongoing') throw new BranchOngoing(`injected ONGOING in ${branch}`);
    const result = await work();
    if (fault === 'error-after') throw new InjectedError(`injected error after ${branch} did its work`);
    if (fault === 'slow-after') await new Promise((resolve) => setTimeout(resolve, this.random?.slowMs ?? 0));
    return result;
  }
}
