/**
 * A fake GitHub API on loopback: get a release by tag, update its body (422 over 125,000
 * characters, as GitHub answers), create a commit status (201; 422 for a commit it does not
 * have or a description over 140 characters), 401 without the right token.
 */
import { startServer, type TestServer } from '../servers.js';

/** The fake and the releases it holds (tag to body). */
export interface FakeGithub {
  readonly server: TestServer;
  readonly apiUrl: string;
  readonly releases: Map<string, { id: number; body: string | null }>;
  /** The commits statuses may be set on (full shas). */
  readonly commits: Set<string>;
  /** Every status created, in order, per sha. */
  readonly statuses: Map<string, { state: string; context: string; description?: string; target_url?: string }[]>;
  close(): Promise<void>;
}

/** Starts the fake for repository `owner/name`, accepting `token`. */
export async function startFakeGithub(repo: string, token: string): Promise<FakeGithub> {
  const releases = new Map<string, { id: number; body: string | null }>();
  const commits = new Set<string>();
  const statuses: FakeGithub['statuses'] = new Map();
  const server = await startServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const json = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { message: 'Bad credentials' });
    const url = new URL(req.url ?? '/', 'http://github');
    const byTag = new RegExp(`^/repos/${repo}/releases/tags/(.+)$`).exec(url.pathname);
    if (req.method === 'GET' && byTag) {
      const release = releases.get(decodeURIComponent(byTag[1] as string));
      return release ? json(200, { id: release.id, tag_name: byTag[1], body: release.body }) : json(404, { message: 'Not Found' });
    }
    const byId = new RegExp(`^/repos/${repo}/releases/(\\d+)$`).exec(url.pathname);
    if (req.method === 'PATCH' && byId) {
      const entry = [...releases.values()].find((r) => r.id === Number(byId[1]));
      if (!entry) return json(404, { message: 'Not Found' });
      const body = (JSON.parse(Buffer.concat(chunks).toString()) as { body: string }).body;
      if (body.length > 125_000) return json(422, { message: 'Validation Failed', errors: [{ resource: 'Release', field: 'body', code: 'custom', message: 'body is too long (maximum is 125000 characters)' }] });
      entry.body = body;
      return json(200, { id: entry.id, body });
    }
    const status = new RegExp(`^/repos/${repo}/statuses/([^/]+)$`).exec(url.pathname);
    if (req.method === 'POST' && status) {
      const sha = decodeURIComponent(status[1] as string);
      // GitHub takes an abbreviated sha too when it is unambiguous.
      const commit = [...commits].find((c) => c.startsWith(sha.toLowerCase()) && sha.length >= 7);
      if (!commit) return json(422, { message: `No commit found for SHA: ${sha}` });
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { state?: string; context?: string; description?: string; target_url?: string };
      if (!['error', 'failure', 'pending', 'success'].includes(body.state ?? '')) return json(422, { message: 'Validation Failed', errors: [{ resource: 'Status', field: 'state', code: 'custom' }] });
      if ((body.description ?? '').length > 140) return json(422, { message: 'Validation Failed', errors: [{ resource: 'Status', code: 'custom', field: 'description', message: 'description is too long (maximum is 140 characters)' }] });
      const entry = { state: body.state ?? '', context: body.context ?? 'default', ...(body.description !== undefined ? { description: body.description } : {}), ...(body.target_url !== undefined ? { target_url: body.target_url } : {}) };
      statuses.set(commit, [...(statuses.get(commit) ?? []), entry]);
      return json(201, { id: statuses.size, ...entry });
    }
    return json(404, { message: 'Not Found' });
  });
  return { server, apiUrl: server.url, releases, commits, statuses, close: () => server.close() };
}
