/**
 * A fake Discord on loopback that behaves like the real webhook API where we depend on it:
 * execute (`?wait=true`, `thread_id`, `thread_name` creating a forum post), edit message,
 * 400 for bodies over Discord's limits, 429 with `retry_after`, 404 Unknown Webhook once
 * deleted, 404 Unknown Message, and who a message would really ping under `allowed_mentions`.
 */
import { startServer, type TestServer } from '../servers.js';

/** A message the fake holds. */
export interface FakeMessage {
  id: string;
  channelId: string;
  body: Record<string, unknown>;
  edits: number;
  /** Mentions Discord would turn into pings, by its rules. */
  pings: string[];
}

/** The fake and its controls. */
export interface FakeDiscord {
  readonly server: TestServer;
  /** The webhook URL to configure. */
  readonly webhookUrl: string;
  readonly messages: Map<string, FakeMessage>;
  /** Requests in order: `METHOD path?query`. */
  readonly calls: string[];
  /** Answer the next n requests with 429 and this retry_after (seconds). */
  rateLimit(n: number, retryAfter: number): void;
  /** The webhook was deleted: 404 Unknown Webhook from now on. */
  deleteWebhook(): void;
  /** Stop answering at all (a hung Discord). */
  hang(): void;
  /** A bucket of one request per `seconds`: answers say so in X-RateLimit-*, and a request too early gets a 429. */
  bucket(seconds: number): void;
  /** 429s answered so far. */
  readonly limitedCount: () => number;
  close(): Promise<void>;
}

const LIMITS = { content: 2000, embeds: 10, title: 256, description: 4096, fields: 25, total: 6000 };

function limitErrors(body: Record<string, unknown>): string[] {
  const errors: string[] = [];
  if (typeof body.content === 'string' && body.content.length > LIMITS.content) errors.push('content: Must be 2000 or fewer in length.');
  const embeds = Array.isArray(body.embeds) ? (body.embeds as { title?: string; description?: string; fields?: unknown; footer?: { text?: string } }[]) : [];
  if (embeds.length > LIMITS.embeds) errors.push('embeds: Must be 10 or fewer in length.');
  if (!body.content && embeds.length === 0) errors.push('Cannot send an empty message');
  let total = 0;
  for (const embed of embeds) {
    const title = embed.title ?? '';
    const description = embed.description ?? '';
    const fields = Array.isArray(embed.fields) ? (embed.fields as { name: string; value: string }[]) : [];
    const footer = embed.footer?.text ?? '';
    if (title.length > LIMITS.title) errors.push('embeds.0.title: Must be 256 or fewer in length.');
    if (description.length > LIMITS.description) errors.push('embeds.0.description: Must be 4096 or fewer in length.');
    if (fields.length > LIMITS.fields) errors.push('embeds.0.fields: Must be 25 or fewer in length.');
    total += title.length + description.length + footer.length + fields.reduce((s, f) => s + f.name.length + f.value.length, 0);
  }
  if (total > LIMITS.total) errors.push('embeds: Embed size exceeds maximum size of 6000');
  return errors;
}

/** Who the content pings, by Discord's allowed_mentions rules (embeds never ping). */
function pingsOf(body: Record<string, unknown>): string[] {
  const content = typeof body.content === 'string' ? body.content : '';
  const allowed = body.allowed_mentions as { parse?: string[]; roles?: string[]; users?: string[] } | undefined;
  const parse = allowed ? (allowed.parse ?? []) : ['everyone', 'roles', 'users'];
  const pings: string[] = [];
  if (/@(everyone|here)/.test(content) && parse.includes('everyone')) pings.push('@everyone');
  for (const [, role] of content.matchAll(/<@&(\d+)>/g)) if (parse.includes('roles') || allowed?.roles?.includes(role as string)) pings.push(`role ${role}`);
  for (const [, user] of content.matchAll(/<@!?(\d+)>/g)) if (parse.includes('users') || allowed?.users?.includes(user as string)) pings.push(`user ${user}`);
  return pings;
}

/** Starts the fake. */
export async function startFakeDiscord(): Promise<FakeDiscord> {
  const messages = new Map<string, FakeMessage>();
  const calls: string[] = [];
  let limited = 0;
  let retryAfter = 0;
  let deleted = false;
  let hung = false;
  let bucketSeconds = 0;
  let bucketReset = 0;
  let limitedCount = 0;
  let nextId = 1_000_000;
  // Threads that exist: the configured release-notes thread, and forum posts made here.
  const threads = new Set(['777']);
  const server = await startServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://discord');
    calls.push(`${req.method} ${url.pathname}${url.search}`);
    if (hung) return; // never answers
    const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => void res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (bucketSeconds > 0 && Date.now() < bucketReset) {
      limitedCount++;
      const left = (bucketReset - Date.now()) / 1000;
      return json(429, { message: 'You are being rate limited.', retry_after: left, global: false }, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': left.toFixed(3) });
    }
    if (bucketSeconds > 0) {
      bucketReset = Date.now() + bucketSeconds * 1000;
      res.setHeader('x-ratelimit-limit', '1');
      res.setHeader('x-ratelimit-remaining', '0');
      res.setHeader('x-ratelimit-reset-after', String(bucketSeconds));
    }
    if (limited > 0) {
      limitedCount++;
      limited--;
      return json(429, { message: 'You are being rate limited.', retry_after: retryAfter, global: false }, { 'retry-after': String(Math.ceil(retryAfter)), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': String(retryAfter) });
    }
    const match = /^\/api\/webhooks\/(\d+)\/([\w-]+)(?:\/messages\/(\d+))?$/.exec(url.pathname);
    if (!match || match[2] !== 'secret-token' || deleted) return json(404, { message: 'Unknown Webhook', code: 10015 });
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Record<string, unknown>;
    const errors = limitErrors(body);
    if (errors.length > 0) return json(400, { message: 'Invalid Form Body', code: 50035, errors });
    const thread = url.searchParams.get('thread_id');
    if (thread && !threads.has(thread)) return json(404, { message: 'Unknown Channel', code: 10003 });
    if (req.method === 'POST') {
      if (url.searchParams.get('wait') !== 'true') return void res.writeHead(204).end();
      const id = String(nextId++);
      const channelId = thread ?? (typeof body.thread_name === 'string' ? String(nextId++) : '42');
      threads.add(channelId);
      const message = { id, channelId, body, edits: 0, pings: pingsOf(body) };
      messages.set(id, message);
      return json(200, { id, channel_id: channelId, content: body.content, embeds: body.embeds });
    }
    if (req.method === 'PATCH' && match[3]) {
      const message = messages.get(match[3]);
      if (!message || (thread && message.channelId !== thread)) return json(404, { message: 'Unknown Message', code: 10008 });
      message.body = body;
      message.edits++;
      // Edits never ping anyone, whatever they say.
      return json(200, { id: message.id, channel_id: message.channelId });
    }
    return json(405, { message: '405: Method Not Allowed', code: 0 });
  });
  return {
    server,
    webhookUrl: `${server.url}/api/webhooks/123456/secret-token`,
    messages,
    calls,
    rateLimit: (n, seconds) => {
      limited = n;
      retryAfter = seconds;
    },
    deleteWebhook: () => {
      deleted = true;
    },
    hang: () => {
      hung = true;
    },
    bucket: (seconds) => {
      bucketSeconds = seconds;
    },
    limitedCount: () => limitedCount,
    close: () => server.close(),
  };
}
