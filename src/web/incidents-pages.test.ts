/**
 * The post-mortem pages through `app.request()`: the list, one post-mortem, the release page's
 * link to its incidents, overdue actions, escaping of what people typed, and read access.
 * A real store (PGlite in a temp dir), no port.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookingIncident } from '../../test/helpers/incidents.js';
import { createWebFixture, type WebFixture } from '../../test/helpers/web.js';
import type { ActionItem, Incident } from '../incidents/model.js';
import type { StoredIncident } from '../store/incidents.js';

const HOSTILE = `<script>alert("pwned")</script>"><img src=x onerror=alert(1)>`;
/** Noon local time: "today" is 2026-11-21 in any time zone. */
const NOW = new Date(2026, 10, 21, 12, 0, 0);

let web: WebFixture;
beforeAll(async () => {
  web = await createWebFixture({ deps: { now: () => NOW } });
}, 60_000);
afterAll(async () => {
  await web?.close();
});

const request = (path: string, init?: RequestInit) => web.app.request(path, init);
const page = async (path: string) => {
  const response = await request(path);
  expect(response.status).toBe(200);
  return response.text();
};

function action(overrides: Partial<ActionItem> & Pick<ActionItem, 'id' | 'title'>): ActionItem {
  return { type: 'prevent', owner: 'Priya Patel', due: '2026-12-05', status: 'open', ...overrides };
}

async function open(app: string, overrides: Partial<Omit<Incident, 'id'>> = {}): Promise<StoredIncident> {
  await web.ledger.recordRelease({ app, version: overrides.release ?? 'v4.2.0' });
  return web.incidents.create(bookingIncident({ app, ...overrides }));
}

/** The `<tr>` of an incident in the list, or of an action on its page. */
function row(html: string, attribute: string, id: number): string {
  const match = new RegExp(`<tr[^>]*data-${attribute}="${id}"[^>]*>.*?</tr>`, 's').exec(html);
  expect(match, `row ${attribute} ${id}`).not.toBeNull();
  return (match as RegExpExecArray)[0];
}

describe('GET /incidents', () => {
  it('lists post-mortems newest first with severity, status, release link, outage and open actions, linked from every page', async () => {
    const first = await open('list-app', { title: 'First outage', severity: 2, status: 'draft' });
    const second = await open('list-app', { title: 'Second outage', release: 'v5.0.0' });
    const html = await page('/incidents');
    expect(html.indexOf(`data-incident="${second.id}"`)).toBeLessThan(html.indexOf(`data-incident="${first.id}"`));
    const newest = row(html, 'incident', second.id);
    expect(newest).toContain(`href="/incidents/${second.id}"`);
    expect(newest).toContain('SEV1');
    expect(newest).toContain('in review');
    expect(newest).toContain('href="/releases/list-app/v5.0.0"');
    expect(newest).toContain('Second outage');
    expect(newest).toContain('<td data-label="Outage">2h 54m</td>');
    expect(newest).toContain('<td data-label="Open actions">3</td>');
    expect(row(html, 'incident', first.id)).toContain('SEV2');
    expect(await page('/deployments')).toContain('<a href="/incidents">Incidents</a>');
  });

  it('filters by app, says how to open one when there are none, and answers an unknown app with 404', async () => {
    const mine = await open('filter-app', { title: 'Filtered outage' });
    await open('other-app', { title: 'Somebody else’s outage' });
    await web.ledger.recordRelease({ app: 'quiet-app', version: 'v1' });
    const html = await page('/incidents?app=filter-app');
    expect(html).toContain(`data-incident="${mine.id}"`);
    expect(html).toContain('Filtered outage');
    expect(html).not.toContain('other-app</a>');
    expect(html).not.toContain('Somebody else');
    const quiet = await page('/incidents?app=quiet-app');
    expect(quiet).toContain('No incidents of quiet-app yet');
    expect(quiet).toContain('seal incident open quiet-app --release V --title T');
    const unknown = await request('/incidents?app=nobody-app');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('No app &quot;nobody-app&quot; in the ledger.');
  });

  it('highlights an open action past its due date as overdue, but not a done one or one due later', async () => {
    const late = await open('dues-app', {
      actions: [
        action({ id: 1, title: 'Add an alert on booking errors above 1%', due: '2026-11-20' }),
        action({ id: 2, title: 'Add a canary for schema changes', due: '2026-11-21' }),
        action({ id: 3, title: 'Add a runbook for schema rollbacks', due: '2026-11-01', status: 'done' }),
      ],
    });
    const fine = await open('dues-app', {
      title: 'Nothing late here',
      actions: [action({ id: 1, title: 'Add a smoke check for login', due: '2026-11-01', status: 'done' }), action({ id: 2, title: 'Add a dashboard', due: '2026-12-01' })],
    });
    const list = await page('/incidents?app=dues-app');
    expect(row(list, 'incident', late.id)).toContain('<span class="overdue">1 overdue</span>');
    expect(row(list, 'incident', fine.id)).not.toContain('overdue');

    const detail = await page(`/incidents/${late.id}`);
    const pastDue = row(detail, 'action', 1);
    expect(pastDue).toContain('class="overdue"');
    expect(pastDue).toContain('<strong class="overdue">overdue</strong>');
    expect(row(detail, 'action', 2)).not.toContain('overdue');
    expect(row(detail, 'action', 3)).not.toContain('overdue');
    expect(row(detail, 'action', 3)).toContain('<td>done</td>');
    expect(await page(`/incidents/${fine.id}`)).not.toContain('overdue');
  });
});

describe('GET /incidents/<id>', () => {
  it('shows the post-mortem with every section of the report, in order', async () => {
    const incident = await open('detail-app');
    const html = await page(`/incidents/${incident.id}`);
    expect(html).toContain(`<h1>Post-mortem #${incident.id}: Patients could not book appointments</h1>`);
    expect(html.indexOf('This is a blameless post-mortem.')).toBeGreaterThan(html.indexOf('<h1>'));
    expect(html).toContain('href="/releases/detail-app/v4.2.0"');
    expect(html).toContain('SEV1');
    expect([...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((m) => m[1])).toEqual([
      'Summary',
      'Impact',
      'Timeline (UTC)',
      'Key metrics',
      'Root cause',
      'Contributing factors',
      'What went well',
      'What went wrong',
      'Where we got lucky',
      'Action items',
      'Supporting information',
      'What publishing still needs',
    ]);
    expect(html).toContain('<tr><th>Users affected</th><td>2,340</td></tr>');
    expect(html).toContain('<tr><th>Support calls</th><td>17</td></tr>');
    expect(html).toContain('<tr><th>Outage (impact to mitigation)</th><td>2h 54m</td></tr>');
    // In time order, in UTC, milestones in bold.
    const merged = html.indexOf('2026-11-20 03:02 UTC</time>: <strong>change merged</strong>: PR 812 merged');
    const detected = html.indexOf('2026-11-20 05:31 UTC</time>: <strong>detected</strong>:');
    expect(merged).toBeGreaterThan(0);
    expect(detected).toBeGreaterThan(merged);
    expect(html).toContain('2026-11-20 06:00 UTC</time>: On-call paged the database team');
    expect(html).toContain('<tr><th>Time to detect</th><td>17m</td></tr>');
    expect(html).toContain('<tr><th>Time to resolve</th><td>15h 16m</td></tr>');
    expect(html).toContain('<tr><th>Merge to impact</th><td>2h 12m</td></tr>');
    // The chain of whys, numbered, with a branch nested under its why.
    const whys = /<ol class="whys">(.*?)<\/ol>/s.exec(html)?.[1] ?? '';
    expect(whys.match(/<li>Why\? /g)).toHaveLength(5);
    expect(whys).toContain('did not have yet.<ul><li>The staging schema was built from every migration.</li></ul></li>');
    expect(html).toContain('<strong>Systemic cause:</strong> Releases could ship code ahead');
    expect(html).toContain('<li>The release was cut within 24 h of the freeze (deadline pressure).</li>');
    expect(html).toContain('<li>Phone bookings used another path.</li>');
    const proved = row(html, 'action', 1);
    expect(proved).toContain('proved by smoke check <code>book appointment</code>');
    expect(proved).toContain('<td>detect</td><td>Priya Patel</td><td>2026-12-05</td><td>open</td>');
    expect(row(html, 'action', 2)).toContain('<a href="https://tracker.example.com/issues/42" rel="noopener noreferrer">');
    expect(html).toContain('<li>Grafana: booking errors 18:14-21:08</li>');
    expect(html).toContain('Nothing: the post-mortem passes');
  });

  it('says what publishing still needs, and which run proved a credited action', async () => {
    const draft = await open('draft-app', {
      status: 'draft',
      timeline: [],
      impact: null,
      whys: [],
      root_cause: null,
      actions: [action({ id: 1, title: 'Add a smoke check that books an appointment', status: 'done', check: 'book appointment', credited: { run_id: 'run-7f3a', version: 'v4.2.1', at: '2026-11-21T01:00:00Z' } })],
    });
    const html = await page(`/incidents/${draft.id}`);
    const needs = html.slice(html.indexOf('What publishing still needs'));
    expect(needs).toContain('publishing needs the impact_started milestone');
    expect(needs).toContain('publishing needs a root cause');
    expect(needs).toContain('publishing needs the impact');
    expect(html).toContain('unknown (needs impact_started, mitigated)');
    expect(html).toContain('(no events yet)');
    const credited = row(html, 'action', 1);
    expect(credited).toContain('proved by smoke check <code>book appointment</code>');
    expect(credited).toContain('passed in run <a href="/releases/draft-app/v4.2.1?run=run-7f3a"><code>run-7f3a</code></a> (v4.2.1)');
  });

  it('shows hostile text as text: in the title, the whys, the timeline, the actions and their links', async () => {
    const incident = await open('hostile-app', {
      title: `Outage ${HOSTILE}`,
      summary: HOSTILE,
      timeline: [{ at: '2026-11-20T18:14:00Z', text: `Seal red: ${HOSTILE}`, milestone: 'impact_started', from_seal: 'run-1' }],
      whys: [{ answer: `Why ${HOSTILE}`, children: [{ answer: HOSTILE }] }],
      root_cause: HOSTILE,
      actions: [
        action({ id: 1, title: `Fix ${HOSTILE}`, owner: HOSTILE, link: 'javascript:alert(1)' }),
        action({ id: 2, title: 'Add a check', link: `https://example.com/"><script>alert(2)</script>` }),
        action({ id: 3, title: 'Add an alert', link: 'data:text/html,<script>alert(3)</script>' }),
      ],
    });
    for (const path of [`/incidents/${incident.id}`, '/incidents?app=hostile-app', '/releases/hostile-app/v4.2.0']) {
      const html = await page(path);
      expect(html, path).not.toContain('<script>alert');
      expect(html, path).not.toContain('<img src=x');
      expect(html, path).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    }
    const html = await page(`/incidents/${incident.id}`);
    expect(html).not.toContain('href="javascript:');
    expect(html).not.toContain('href="data:');
    expect(row(html, 'action', 1)).toContain('<td class="url">javascript:alert(1)</td>');
    expect(row(html, 'action', 3)).not.toContain('<a ');
    // An http(s) link stays a link, its quotes escaped inside the attribute.
    expect(row(html, 'action', 2)).toContain('<a href="https://example.com/&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" rel="noopener noreferrer">');
  });

  it('answers an unknown or non-numeric id with the board\'s 404 page', async () => {
    const unknown = await request('/incidents/987654');
    expect(unknown.status).toBe(404);
    const text = await unknown.text();
    expect(text).toContain('<h1>Not found</h1>');
    expect(text).toContain('No incident 987654.');
    for (const id of ['abc', '1e3', '-1', '99999999999999999999']) {
      const response = await request(`/incidents/${id}`);
      expect(response.status, id).toBe(404);
      expect(await response.text(), id).toContain('an incident id is a number');
    }
  });
});

describe('the release page', () => {
  it('links the incidents opened on the release, and says nothing of incidents when there are none', async () => {
    const incident = await open('release-app', { title: 'Bookings failed' });
    await web.ledger.recordRelease({ app: 'release-app', version: 'v4.2.1' });
    const html = await page('/releases/release-app/v4.2.0');
    expect(html).toContain(`<p class="incidents">Incidents: <a href="/incidents/${incident.id}">#${incident.id} SEV1: Bookings failed</a></p>`);
    expect(await page('/releases/release-app/v4.2.1')).not.toContain('class="incidents"');
  });
});

describe('a board that is not public', () => {
  let closed: WebFixture;
  let id: number;
  beforeAll(async () => {
    closed = await createWebFixture({ readAccess: 'token' });
    await closed.ledger.recordRelease({ app: 'secret-app', version: 'v4.2.0' });
    id = (await closed.incidents.create(bookingIncident({ app: 'secret-app', title: 'Secret outage' }))).id;
  }, 60_000);
  afterAll(async () => {
    await closed?.close();
  });

  it('sends a browser without a token to the login form, and shows the incidents with a read token', async () => {
    for (const path of ['/incidents?app=secret-app', `/incidents/${id}`]) {
      const response = await closed.app.request(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toBe(`/login?next=${encodeURIComponent(path)}`);
      expect(await response.text(), path).not.toContain('Secret outage');
      const allowed = await closed.app.request(path, { headers: { authorization: `Bearer ${closed.readToken}` } });
      expect(allowed.status, path).toBe(200);
      expect(await allowed.text(), path).toContain('Secret outage');
    }
  });
});
