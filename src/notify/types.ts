/** The one small interface every notifier implements. */
import type { Verdict } from '../runner/run-result.js';
import type { SealMessage } from './message.js';

/** What a notifier remembers about its last post on a release (to edit it, or to stay quiet). */
export interface PostState {
  readonly messageId: string | null;
  readonly threadId: string | null;
  readonly verdict: Verdict;
}

/** How one delivery ended. */
export interface DeliveryOutcome {
  /** `unchanged`: nothing to say (same verdict, a service that cannot edit). */
  readonly status: 'delivered' | 'unchanged' | 'failed' | 'skipped';
  readonly detail: string;
  readonly attempts: number;
  /** The post to remember; undefined leaves the remembered one as it was. */
  readonly state?: PostState;
  /** The destination answered that it is gone: stop using it until its URL changes. */
  readonly gone?: boolean;
}

/** What a delivery is given besides the message. */
export interface DeliveryInput {
  readonly previous: PostState | null;
  /** Epoch ms by which the delivery must be over, retries included. */
  readonly deadline: number;
  /** The whole run, for notifiers that send it as it is (webhook). */
  readonly runJson: string;
}

/** A configured notifier. */
export interface Notifier {
  /** Identifies where it posts (a hash of the URL and thread, never the URL: it holds a secret). */
  readonly target: string;
  deliver(message: SealMessage, input: DeliveryInput): Promise<DeliveryOutcome>;
}
