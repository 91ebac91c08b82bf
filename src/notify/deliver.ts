/**
 * After a seal is recorded: tell every notifier the app names (`notify`, plus `alert` on red)
 * and sync the GitHub release, each in parallel within its own bounded time. Never throws: a
 * failed delivery is a warning and a status stored with the run (shown on the release page).
 * Nothing here ever runs the rollback command; it is only text in the messages.
 */
import { errorMessage } from '../errors.js';
import type { AppConfig, SealConfig } from '../config/types.js';
import type { RunResult } from '../runner/run-result.js';
import type { DeliveryMemory } from '../store/deliveries.js';
import { DEFAULT_DELIVERY_MS } from './config.js';
import { setCommitStatus } from './github/status.js';
import { syncGithubRelease } from './github/sync.js';
import { DeliveryError } from './http.js';
import { buildSealMessage } from './message.js';
import { oneAtATime, type Queues } from './one-at-a-time.js';
import { createNotifier } from './registry.js';
import type { DeliveryOutcome } from './types.js';

/** What to deliver, and where state is kept. */
export interface DeliveryPlan {
  readonly app: Pick<AppConfig, 'notify' | 'alert' | 'github'>;
  readonly notifiers: SealConfig['notifiers'];
  readonly result: RunResult;
  /** The release's id in the ledger (posts are remembered per release); null: no release. */
  readonly releaseId: number | null;
  readonly boardBase: string | null;
  readonly store: DeliveryMemory;
  /**
   * Whether this run is the release's current seal. A run that finished before the current one
   * (reported late) goes only to webhooks, which want every event: posting it would contradict
   * the seal people see.
   */
  readonly current: boolean;
  /** Hides the config's secrets in what is stored and printed (a service may echo them). */
  readonly redact: (text: string) => string;
  /** Try webhooks marked gone again (`seal notify`: someone fixed them). */
  readonly retryGone?: boolean;
  readonly now?: () => number;
}

/**
 * Deliveries to one notifier about one release, one at a time in this process: two seals of a
 * release landing together must not both find "no post yet" and post (and ping) twice.
 */
const deliveriesInFlight: Queues = new Map();

/** Every delivery's outcome, and the warnings to print. */
export interface DeliveryReport {
  readonly outcomes: readonly { readonly target: string; readonly outcome: DeliveryOutcome }[];
  readonly warnings: readonly string[];
}

/** Delivers the seal everywhere the app says. */
export async function deliverSeal(plan: DeliveryPlan): Promise<DeliveryReport> {
  const now = plan.now ?? Date.now;
  const { result, store } = plan;
  const message = buildSealMessage(result, plan.boardBase);
  const runJson = JSON.stringify(result);
  const names = [...new Set([...plan.app.notify, ...(result.verdict === 'red' ? plan.app.alert : [])])];
  const jobs = names.map(async (name): Promise<{ target: string; outcome: DeliveryOutcome }> => {
    const config = plan.notifiers[name];
    if (!config) return { target: name, outcome: { status: 'skipped', detail: `no notifier "${name}" under notifiers:`, attempts: 0 } };
    const started = now();
    const raw = plan.current || config.type === 'webhook'
      ? await oneAtATime(deliveriesInFlight, `${plan.releaseId ?? result.run_id} ${name}`, async (): Promise<DeliveryOutcome> => {
          const notifier = createNotifier(config);
          if (plan.retryGone) await store.forgetGone(notifier.target);
          const gone = await store.gone(notifier.target);
          if (gone) return { status: 'skipped', detail: `not used since ${gone.since}: ${gone.detail} (seal notify tries it again)`, attempts: 0 };
          const previous = plan.releaseId === null ? null : await store.lastPost(plan.releaseId, name, notifier.target);
          const delivered = await notifier.deliver(message, { previous, deadline: started + (config.timeout_ms ?? DEFAULT_DELIVERY_MS), runJson });
          if (delivered.state && plan.releaseId !== null) await store.savePost(plan.releaseId, name, notifier.target, delivered.state);
          if (delivered.gone) await store.markGone(notifier.target, name, plan.redact(delivered.detail));
          return delivered;
        }).catch((error: unknown) => failure(error))
      : { status: 'skipped' as const, detail: 'a newer seal of this release is current: only webhooks get every run', attempts: 0 };
    const outcome = { ...raw, detail: plan.redact(raw.detail) };
    await store.record(result.run_id, name, outcome, now() - started).catch(() => undefined);
    return { target: `${name} (${config.type})`, outcome };
  });
  const github = plan.app.github;
  const version = result.release?.version;
  if (github && version && plan.current && github.release_notes !== false) {
    jobs.push(
      (async () => {
        const started = now();
        const raw = await syncGithubRelease(github, version, message, started + (github.timeout_ms ?? DEFAULT_DELIVERY_MS)).catch((error: unknown) => failure(error));
        const outcome = { ...raw, detail: plan.redact(raw.detail) };
        await store.record(result.run_id, 'github', outcome, now() - started).catch(() => undefined);
        return { target: `GitHub release (${github.repo})`, outcome };
      })(),
    );
  }
  if (github?.commit_status && plan.current) {
    jobs.push(
      (async () => {
        const started = now();
        const raw = await setCommitStatus(github, message, started + (github.timeout_ms ?? DEFAULT_DELIVERY_MS)).catch((error: unknown) => failure(error));
        const outcome = { ...raw, detail: plan.redact(raw.detail) };
        await store.record(result.run_id, 'github-status', outcome, now() - started).catch(() => undefined);
        return { target: `GitHub commit status (${github.repo})`, outcome };
      })(),
    );
  }
  const outcomes = await Promise.all(jobs);
  const warnings = outcomes.filter((o) => o.outcome.status === 'failed').map((o) => `notifier ${o.target} failed: ${o.outcome.detail}`);
  return { outcomes, warnings };
}

function failure(error: unknown): DeliveryOutcome {
  return { status: 'failed', detail: errorMessage(error), attempts: error instanceof DeliveryError ? error.attempts : 0 };
}
