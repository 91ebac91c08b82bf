/** The `http` check: one read-only request (plus same-host redirects when asked) and its assertions. */
import { request } from './undici-core.js';
import type { HttpCheckSpec } from '../../config/types.js';
import { isAllowedHost } from '../../config/urls.js';
import { isSecretName } from '../../redact/redact.js';
import type { Assertion, AttemptOutcome } from '../../runner/run-result.js';
import { makeAssertion, outcomeOf } from '../assertion.js';
import { describeNetworkError } from '../network-error.js';
import type { CheckContext } from '../types.js';
import { assertHttp } from './assertions.js';
import { decodeBody, readCapped } from './read-body.js';
import { createTimedAgent, type Timings } from './timed-agent.js';

/** Response headers kept as evidence (plus any header named in `expect.headers`). */
const EVIDENCE_HEADERS = ['content-type', 'content-length', 'location', 'cache-control', 'server', 'date', 'etag', 'last-modified', 'age', 'via', 'x-cache', 'x-request-id', 'x-runtime', 'x-powered-by', 'strict-transport-security', 'set-cookie'];
/** How much of the body is kept as an excerpt in the evidence. */
export const BODY_EXCERPT_CHARS = 2048;

/** Runs one attempt of an http check. */
export async function runHttpCheck(spec: HttpCheckSpec, { app, signal, redact }: CheckContext): Promise<AttemptOutcome> {
  const timings: Timings = {};
  const agent = createTimedAgent({ connectTimeoutMs: spec.timeoutMs, ca: app.ca }, timings);
  const started = performance.now();
  const redirects: { status: number; location: string }[] = [];
  const evidence: Record<string, unknown> = { request: { method: spec.method, url: spec.url, headers: spec.headers }, timings, redirects };
  // undici does not give up a connection attempt on abort; destroying the agent does.
  const stop = (): void => void agent.destroy().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  const origin = new URL(spec.url).origin;
  try {
    let url = new URL(spec.url);
    for (;;) {
      // Like fetch and curl: credentials go only to the origin they were written for.
      const headers = url.origin === origin ? spec.headers : withoutCredentials(spec.headers);
      const response = await request(url, { method: spec.method, headers: { 'user-agent': USER_AGENT, ...headers }, dispatcher: agent, signal });
      timings.first_byte_ms = Math.round(performance.now() - started);
      const location = headerValue(response.headers.location);
      if (spec.followRedirects && response.statusCode >= 300 && response.statusCode < 400 && location) {
        // dump() reads a redirect's (normally tiny) body up to a limit, then lets the socket go.
        await response.body.dump({ limit: 64 * 1024 });
        const next = new URL(location, url);
        redirects.push({ status: response.statusCode, location: next.href });
        const refusal = refuseRedirect(spec, url, next, redirects.length);
        if (refusal) return { outcome: 'failed', assertions: [refusal], error: null, evidence };
        url = next;
        continue;
      }
      const answer = normalizeHeaders(response.headers);
      const body = await readCapped(response.body, spec.maxBodyBytes);
      const durationMs = Math.round(performance.now() - started);
      timings.download_ms = durationMs - timings.first_byte_ms;
      timings.total_ms = durationMs;
      const text = decodeBody(body.bytes, answer['content-type']);
      const wanted = new Set([...EVIDENCE_HEADERS, ...Object.keys(spec.expect.headers ?? {}).map((h) => h.toLowerCase())]);
      evidence.response = {
        status: response.statusCode,
        url: url.href,
        headers: Object.fromEntries(Object.entries(answer).filter(([name]) => wanted.has(name))),
        body_bytes: body.bytes.length,
        body_truncated: body.truncated,
        body_excerpt: excerpt(redact(text), answer['content-type']),
      };
      const assertions = assertHttp(spec.expect, {
        status: response.statusCode,
        headers: answer,
        body: text,
        bodyBytes: body.bytes.length,
        truncated: body.truncated,
        durationMs,
      });
      return { outcome: outcomeOf(assertions), assertions, error: null, evidence };
    }
  } catch (error) {
    timings.total_ms = Math.round(performance.now() - started);
    return { outcome: 'failed', assertions: [], error: describeNetworkError(error), evidence };
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/** Identifies the seal in production logs, so its traffic can be told apart from users'. */
export const USER_AGENT = 'smoke-seal/0.1 (+read-only smoke check)';

function refuseRedirect(spec: HttpCheckSpec, current: URL, next: URL, count: number): Assertion | null {
  if (current.protocol === 'https:' && next.protocol === 'http:') {
    return makeAssertion('redirect keeps https', false, 'https:', next.protocol, `redirected from https to plain http (${next.host}): refused`);
  }
  if (!isAllowedHost(next, spec.allowedHosts)) {
    return makeAssertion('redirect stays on allowed hosts', false, spec.allowedHosts, next.host, `redirected to ${next.host}, which is not the app's own host (add it to allow_hosts to follow it)`);
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return makeAssertion('redirect stays on http(s)', false, 'http: or https:', next.protocol, `redirected to a ${next.protocol} URL`);
  }
  if (count > spec.maxRedirects) {
    return makeAssertion(`at most ${spec.maxRedirects} redirects`, false, spec.maxRedirects, count, `more than ${spec.maxRedirects} redirects (last to ${next.href})`);
  }
  return null;
}

function withoutCredentials(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !isSecretName(name)));
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function normalizeHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = headerValue(value) ?? '';
  }
  return out;
}

function excerpt(text: string, contentType: string | undefined): string {
  // Binary bodies would only fill the evidence with mojibake; their size says enough.
  if (contentType && /^(image|audio|video|font)\/|octet-stream|zip|pdf/i.test(contentType)) return `[binary body, ${contentType}]`;
  return text.length > BODY_EXCERPT_CHARS ? `${text.slice(0, BODY_EXCERPT_CHARS)}…` : text;
}
