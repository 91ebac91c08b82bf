/** What the guard did for a check, as the run result shows it: shared by exec probes and spec checks. */
import type { Channel } from '../guard/guard.js';
import { describeBlocked, type BlockedRequest } from '../runner/run-result.js';

/** Allowed requests and refused connections listed in the evidence (the count says how many in all). */
const MAX_LISTED = 20;

/** The writes the guard answered on a channel, as the run result lists them. */
export function blockedBy(channel: Channel, check: string): BlockedRequest[] {
  return channel.blocked.map((b) => ({ check, method: b.method, url: b.url, ...(b.why !== b.method ? { reason: b.why } : {}) }));
}

/** What the guard did for a check, labelled for whoever reads its output. */
export function guardEvidence(channel: Channel, blocked: readonly BlockedRequest[]): Record<string, unknown> {
  return {
    ...(blocked.length > 0 ? { guard_answered: `${describeBlocked(blocked.length)}: the guard answered ${blocked.length === 1 ? 'it' : 'them'} itself (204, never sent to production): what the check saw after ${blocked.length === 1 ? 'it' : 'them'} (output, responses, pages) came from the guard's answer, not production's` } : {}),
    ...(channel.allowed.length > 0 ? { allowed_requests: channel.allowed.slice(0, MAX_LISTED).map((a) => ({ method: a.method, url: a.url, reason: a.reason })), allowed_count: channel.allowed.length } : {}),
    ...(channel.outsideProxy.length > 0 ? { outside_proxy: channel.outsideProxy.slice(0, MAX_LISTED).map((o) => `${o.target}: refused by the network sandbox (not production, not through the proxy)`) } : {}),
    ...(channel.tlsRefusals.length > 0 ? { tls_refused: channel.tlsRefusals.slice(0, MAX_LISTED).map((t) => `${t.host}: ${t.detail}`) } : {}),
    ...(channel.upstreamErrors.length > 0 ? { upstream_errors: channel.upstreamErrors.slice(0, MAX_LISTED) } : {}),
  };
}

/** The run warning when `network_sandbox: auto` found no sandbox. */
export function sandboxWarning(reason: string): string {
  return `network sandbox unavailable (${reason}): exec probes and specs ran with the guard's proxy variables only, so a program that ignores them was not contained (network_sandbox: auto)`;
}
