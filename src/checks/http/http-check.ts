/** The `http` check: one read-only request (plus same-host redirects when asked) and its assertions. */
import { request } from 'undici';
import type { HttpCheckSpec } from '../../config/types.js';
import { isAllowedHost } from '../../config/urls.js';
import type { Assertion, AttemptOutcome } from '../../runner/run-result.js';
import { makeAssertion, outcomeOf } from '../assertion.js';
import type { CheckContext } from '../types.js';
import { assertHttp } from './assertions.js';
import { decodeBody, readCapped } from './read-body.js';
import { createTimedAgent, type Timings } from './timed-agent.js';

/** Response headers kept as evidence (plus any header named in `expect.headers`). */
const EVIDENCE_HEADERS = ['content-type', 'content-length', 'location', 'cache-control', 'server', 'date', 'etag', 'last-modified', 'age', 'via', 'x-cache', 'x-request-id', 'x-runtime', 'x-powered-by', 'strict-transport-security', 'set-cookie'];
/** How much of the body is kept as an excerpt in the evidence. */
export const BODY_EXCERPT_CHARS = 2048;

/** Runs one attempt of an http check. */
export async function runHttpCheck(spec: HttpCheckSpec, { app, signal }: CheckContext): Promise<AttemptOutcome> {
  const timings: Timings = {};
  const agent = createTimedAgent({ connectTimeoutMs: spec.timeoutMs, ca: app.ca }, timings);
  const started = performance.now();
  const redirects: { status: number; location: string }[] = [];
  const evidence: Record<string, unknown> = { request: { method: spec.method, url: spec.url, headers: spec.headers }, timings, redirects };
  try {
    let url = new URL(spec.url);
    for (;;) {
      const response = await request(url, { method: spec.method, headers: { 'user-agent': USER_AGENT, ...spec.headers }, dispatcher: agent, signal });
      timings.first_byte_ms = Math.round(performance.now() - started);
      const location = headerValue(response.headers.location);
      if (spec.followRedirects && response.statusCode >= 300 && response.statusCode < 400 && location) {
        // dump() reads a redirect's (normally tiny) body up to a limit, then lets the socket go.
        await response.body.dump({ limit: 64 * 1024 });
        const next = new URL(location, url);
        redirects.push({ status: response.statusCode, location: next.href });
        const refusal = refuseRedirect(spec, next, redirects.length);
        if (refusal) return { outcome: 'failed', assertions: [refusal], error: null, evidence };
        url = next;
        continue;
      }
      const headers = normalizeHeaders(response.headers);
      const body = await readCapped(response.body, spec.maxBodyBytes);
      const durationMs = Math.round(performance.now() - started);
      timings.download_ms = durationMs - timings.first_byte_ms;
      timings.total_ms = durationMs;
      const text = decodeBody(body.bytes, headers['content-type']);
      const wanted = new Set([...EVIDENCE_HEADERS, ...Object.keys(spec.expect.headers ?? {}).map((h) => h.toLowerCase())]);
      evidence.response = {
        status: response.statusCode,
        url: url.href,
        headers: Object.fromEntries(Object.entries(headers).filter(([name]) => wanted.has(name))),
        body_bytes: body.bytes.length,
        body_truncated: body.truncated,
        body_excerpt: excerpt(text, headers['content-type']),
      };
      const assertions = assertHttp(spec.expect, {
        status: response.statusCode,
        headers,
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
    agent.destroy().catch(() => undefined);
  }
}

/** Identifies the seal in production logs, so its traffic can be told apart from users'. */
export const USER_AGENT = 'smoke-seal/0.1 (+read-only smoke check)';

function refuseRedirect(spec: HttpCheckSpec, next: URL, count: number): Assertion | null {
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

/** Says in one line why production could not be reached; the error code helps a search. */
export function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : null;
  const code = (error as NodeJS.ErrnoException).code ?? (cause && 'code' in cause ? String(cause.code) : undefined);
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'aborted';
  const message = cause && cause.message !== error.message ? `${error.message}: ${cause.message}` : error.message;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
