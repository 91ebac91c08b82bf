/** @jsxImportSource hono/jsx */
/**
 * A check's evidence, readable: an HTTP exchange as request and response with their headers as
 * tables, the body pretty-printed by its content type, and a bar of where the time went; any
 * other evidence as labelled blocks. Empty sections are left out. Everything from production is
 * text, escaped by JSX, capped, and walked without recursion (boundedJson).
 */
import { basename } from 'node:path';
import type { CheckResult, RunResult } from '../../runner/run-result.js';
import { boundedJson, capText, evidenceText, formatDuration } from './format.js';

type Evidence = CheckResult['evidence'];

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
/** Nothing worth a section: null, '', [], {}. */
const isEmpty = (value: unknown): boolean => value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0) || (isRecord(value) && Object.keys(value).length === 0);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null);

function headerOf(headers: unknown, name: string): string | null {
  if (!isRecord(headers)) return null;
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === name && typeof value === 'string') return value;
  return null;
}

/**
 * A URL with line-break chances after `/` and `.` and before `?`, `&`, `=` and a port's `:`, so
 * that a narrow screen wraps it between its parts, not inside a host name or a port.
 */
export function BreakableUrl({ url }: { url: string }) {
  const parts = url.split(/(?<=\/(?!\/))|(?<=\.)|(?=[?&=])|(?=:\d)/);
  return (
    <span class="url">
      {parts.map((part, i) => (
        <>{i > 0 ? <wbr /> : null}{part}</>
      ))}
    </span>
  );
}

/** Longer JSON bodies are shown as sent: parsing megabytes on every view of the page buys nothing, only 20,000 characters are shown. */
const MAX_INDENTED = 256 * 1024;

/** The body as people read it: JSON indented, anything else as the text it is. */
export function prettyBody(body: string, contentType: string | null): { text: string; kind: string } {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const json = /[/+]json$/.test(type) || (!type && /^\s*[[{]/.test(body));
  if (json && body.length > MAX_INDENTED) return { text: capText(body, 20_000), kind: 'JSON (too long to indent, shown as sent)' };
  if (json) {
    try {
      // JSON.parse does not recurse on the stack in V8; boundedJson walks with its own stack and stops at what is shown.
      return { text: boundedJson(JSON.parse(body), 20_000), kind: 'JSON' };
    } catch {
      return { text: capText(body, 20_000), kind: 'JSON (cut short, shown as sent)' };
    }
  }
  return { text: capText(body, 20_000), kind: type || 'text' };
}

function HeaderTable({ headers, caption }: { headers: unknown; caption: string }) {
  if (!isRecord(headers) || Object.keys(headers).length === 0) return null;
  // Sorted by name: the store (jsonb) does not keep the order they came in.
  const entries = Object.entries(headers).slice(0, 100).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    <table class="headers">
      <caption>{caption}</caption>
      <tbody>
        {entries.map(([name, value]) => (
          <tr><th scope="row">{capText(name, 200)}</th><td>{evidenceText(value, 2000)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

const PHASES = [
  ['dns', 'DNS'],
  ['connect', 'connect'],
  ['tls', 'TLS'],
  ['wait', 'waiting for the first byte'],
  ['download', 'download'],
] as const;

/** Where an exchange's time went, as a bar (SVG: no inline style) and in words. */
export function TimingsBar({ timings }: { timings: unknown }) {
  if (!isRecord(timings)) return null;
  const total = num(timings.total_ms);
  if (total === null || total <= 0) return null;
  const dns = num(timings.dns_ms) ?? 0;
  const connect = num(timings.connect_ms) ?? 0;
  const tls = num(timings.tls_ms) ?? 0;
  const firstByte = num(timings.first_byte_ms);
  const wait = firstByte === null ? 0 : Math.max(0, firstByte - dns - connect - tls);
  const download = num(timings.download_ms) ?? 0;
  const parts = { dns, connect, tls, wait, download };
  let x = 0;
  const segments = PHASES.flatMap(([key, label]) => {
    const ms = parts[key];
    if (ms <= 0) return [];
    const width = Math.max(0.5, (ms / total) * 100);
    const segment = { key, label, ms, x, width };
    x += width;
    return [segment];
  });
  return (
    <figure class="timings">
      <svg viewBox="0 0 100 6" preserveAspectRatio="none" width="100%" height="12" role="img" aria-label={`total ${formatDuration(total)}`}>
        <rect class="timing-track" x="0" y="0" width="100" height="6" />
        {segments.map((s) => (
          <rect class={`timing-${s.key}`} x={String(s.x)} y="0" width={String(s.width)} height="6"><title>{`${s.label}: ${formatDuration(s.ms)}`}</title></rect>
        ))}
      </svg>
      <figcaption>
        {segments.map((s) => (
          <span class="timing-label"><span class={`swatch timing-${s.key}`}></span>{s.label} {formatDuration(s.ms)}</span>
        ))}
        <span class="timing-label"><strong>total {formatDuration(total)}</strong></span>
      </figcaption>
    </figure>
  );
}

/** An HTTP check's exchange. */
function HttpExchange({ evidence }: { evidence: Evidence }) {
  const request = isRecord(evidence.request) ? evidence.request : {};
  const response = isRecord(evidence.response) ? evidence.response : null;
  const body = response && typeof response.body_excerpt === 'string' ? response.body_excerpt : null;
  const pretty = body === null || body === '' ? null : prettyBody(body, headerOf(response?.headers, 'content-type'));
  const bytes = num(response?.body_bytes);
  const redirects = Array.isArray(evidence.redirects) ? evidence.redirects.slice(0, 20) : [];
  return (
    <div class="exchange">
      <p>
        <code>{typeof request.method === 'string' ? request.method : 'GET'}</code> {typeof request.url === 'string' ? <BreakableUrl url={capText(request.url, 2000)} /> : null}
        {response ? <> → <strong>{typeof response.status === 'number' ? String(response.status) : '?'}</strong></> : null}
      </p>
      <TimingsBar timings={evidence.timings} />
      {redirects.length > 0 ? (
        <ol class="redirects">{redirects.map((r) => <li>{evidenceText(r, 600)}</li>)}</ol>
      ) : null}
      <HeaderTable headers={request.headers} caption="Request headers" />
      <HeaderTable headers={response?.headers} caption="Response headers" />
      {pretty ? (
        <details class="body" open>
          <summary>Response body · {pretty.kind}{bytes !== null ? ` · ${bytes} bytes` : ''}{response?.body_truncated === true ? ' · only the start was read' : ''}</summary>
          <pre>{pretty.text}</pre>
        </details>
      ) : response ? (
        <p class="muted">Empty response body.</p>
      ) : null}
    </div>
  );
}

function Image({ path, run, images, alt }: { path: unknown; run: RunResult; images: readonly string[]; alt: string }) {
  if (typeof path !== 'string') return null;
  const name = basename(path);
  if (images.includes(name)) {
    const src = `/runs/${run.run_id}/evidence/${encodeURIComponent(name)}`;
    return <a href={src}><img class="shot" src={src} alt={alt} loading="lazy" /></a>;
  }
  return <p class="muted">Screenshot on the machine that ran the seal: <code>{path}</code></p>;
}

/** A small object of plain values (a browser check's timings): a table, not JSON. */
function isFlat(value: unknown): value is Record<string, string | number | boolean | null> {
  if (!isRecord(value)) return false;
  const entries = Object.entries(value);
  return entries.length > 0 && entries.length <= 50 && entries.every(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
}

function FlatTable({ value }: { value: Record<string, string | number | boolean | null> }) {
  return (
    <table class="headers">
      <tbody>
        {Object.entries(value).map(([key, inner]) => (
          <tr><th scope="row">{capText(key.replaceAll('_', ' '), 200)}</th><td>{typeof inner === 'number' && key.endsWith('_ms') ? formatDuration(inner) : capText(String(inner), 2000)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

/** Keys shown by their own renderer, not as a generic block. */
const HTTP_KEYS = new Set(['request', 'response', 'timings', 'redirects']);
const FILE_KEYS = new Set(['screenshot', 'trace', 'attachments']);

/** Every piece of a check's evidence that says something. */
export function EvidenceView({ check, run, images }: { check: CheckResult; run: RunResult; images: readonly string[] }) {
  const evidence = check.evidence;
  const http = check.kind === 'http' && isRecord(evidence.request);
  // `guard_answered` says what the check's blocked-writes section above already says.
  const rest = Object.entries(evidence).filter(([key, value]) => !FILE_KEYS.has(key) && key !== 'guard_answered' && !(http && HTTP_KEYS.has(key)) && !isEmpty(value));
  const attachments = Array.isArray(evidence.attachments) ? (evidence.attachments as { name?: unknown; path?: unknown; content_type?: unknown }[]) : [];
  return (
    <div class="evidence">
      <Image path={evidence.screenshot} run={run} images={images} alt={`screenshot of ${check.name}`} />
      {attachments.filter((a) => typeof a.content_type === 'string' && a.content_type.startsWith('image/')).map((a) => (
        <Image path={a.path} run={run} images={images} alt={`${String(a.name)} of ${check.name}`} />
      ))}
      {typeof evidence.trace === 'string' ? (
        <p class="muted">Playwright trace on the machine that ran the seal: <code>npx playwright show-trace {evidence.trace}</code></p>
      ) : null}
      {http ? <HttpExchange evidence={evidence} /> : null}
      {rest.length > 0 ? (
        <dl>
          {rest.map(([key, value]) => (
            <>
              <dt>{key.replaceAll('_', ' ')}</dt>
              <dd>{typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? <pre>{capText(String(value), 8000)}</pre> : isFlat(value) ? <FlatTable value={value} /> : <pre>{evidenceText(value)}</pre>}</dd>
            </>
          ))}
        </dl>
      ) : null}
    </div>
  );
}
