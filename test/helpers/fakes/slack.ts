/**
 * A fake Slack incoming webhook on loopback: "ok" for a good message, and Slack's own error
 * answers (400 invalid_payload for a malformed or oversized message, 403 action_prohibited,
 * 404 no_service, 410 channel_is_archived) when told to.
 */
import { startServer, type TestServer } from '../servers.js';

/** The fake and its controls. */
export interface FakeSlack {
  readonly server: TestServer;
  readonly webhookUrl: string;
  /** Messages accepted, as sent. */
  readonly posts: Record<string, unknown>[];
  /** From now on answer every post with this Slack error. */
  fail(status: 400 | 403 | 404 | 410, code: string): void;
  close(): Promise<void>;
}

/** Starts the fake. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const posts: Record<string, unknown>[] = [];
  let failure: { status: number; code: string } | null = null;
  const server = await startServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = (status: number, body: string): void => void res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    if (failure) return text(failure.status, failure.code);
    if (req.method !== 'POST' || !req.url?.startsWith('/services/T000/B000/')) return text(404, 'no_service');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>;
    } catch {
      return text(400, 'invalid_payload');
    }
    const blocks = Array.isArray(body.blocks) ? (body.blocks as { type: string; text?: { text?: string } }[]) : [];
    const tooLong = blocks.some((b) => (b.text?.text?.length ?? 0) > (b.type === 'header' ? 150 : 3000));
    if (typeof body.text !== 'string' || blocks.length > 50 || tooLong) return text(400, 'invalid_payload');
    posts.push(body);
    return text(200, 'ok');
  });
  return {
    server,
    webhookUrl: `${server.url}/services/T000/B000/XXXXXXXX`,
    posts,
    fail: (status, code) => {
      failure = { status, code };
    },
    close: () => server.close(),
  };
}
