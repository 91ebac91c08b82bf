/**
 * Post-mortems in the store, run twice: on the embedded PGlite store in a temp dir and on the
 * machine's real Postgres. A refused change leaves nothing behind; scenario actions are credited
 * only by a later green seal in which their check passed; DORA figures in `stats`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, postgresSkipReason } from '../../test/helpers/postgres.js';
import { runResult } from '../../test/helpers/run-results.js';
import { addAction, addEvent, addWhy, IncidentInputError, newIncident } from '../incidents/edit.js';
import { openDb, type OpenDb } from './db.js';
import { incidentId, IncidentStore } from './incidents.js';
import { Ledger } from './ledger.js';

const postgresSkip = await postgresSkipReason();
const HOUR = 3600_000;

function contract(name: string, open: () => Promise<{ store: OpenDb; cleanup: () => Promise<void> }>): void {
  describe(name, () => {
    let store: OpenDb;
    let cleanup: () => Promise<void>;
    let ledger: Ledger;
    let incidents: IncidentStore;
    beforeAll(async () => {
      ({ store, cleanup } = await open());
      ledger = new Ledger(store.db);
      incidents = new IncidentStore(store.db);
    }, 60_000);
    afterAll(async () => {
      await store?.close();
      await cleanup?.();
    });

    it('opens incidents on apps and releases the ledger knows, and says which exist when not', async () => {
      await ledger.recordRelease({ app: 'booking', version: 'v4.2.0' });
      const opened = await incidents.create(newIncident({ app: 'booking', release: 'v4.2.0', title: 'Patients could not book' }));
      expect(opened).toMatchObject({ app: 'booking', release: 'v4.2.0', title: 'Patients could not book', status: 'draft' });
      expect(await incidents.get(opened.id)).toEqual(opened);
      expect((await incidents.ofRelease('booking', 'v4.2.0')).map((i) => i.id)).toEqual([opened.id]);
      await expect(incidents.create(newIncident({ app: 'bookng', release: null, title: 'x' }))).rejects.toThrow(/no app "bookng" in the ledger \(apps: .*booking/);
      await expect(incidents.create(newIncident({ app: 'booking', release: 'v9', title: 'x' }))).rejects.toThrow('--release: no release "v9" of booking in the ledger');
      expect(await incidents.get(999_999)).toBeNull();
      expect(incidentId('#12')).toBe(12);
      expect(incidentId('12a')).toBeNull();
    });

    it('stores a change whole, or nothing when the change is refused', async () => {
      await ledger.recordRelease({ app: 'atomic', version: 'v1' });
      const opened = await incidents.create(newIncident({ app: 'atomic', release: 'v1', title: 'Outage' }));
      const changed = await incidents.update(opened.id, (i) => addEvent(i, { at: '2026-11-20T18:14:00+13:00', milestone: 'impact_started' }));
      expect(changed?.timeline).toEqual([{ at: '2026-11-20T05:14:00.000Z', text: 'impact started', milestone: 'impact_started' }]);
      const before = await incidents.get(opened.id);
      await expect(incidents.update(opened.id, (i) => addAction(addWhy(i, { answer: 'first half of the change' }).incident, { title: 'x', owner: 'TBD', due: '2026-12-01' }, { today: '2026-11-21', now: new Date().toISOString() }).incident)).rejects.toBeInstanceOf(IncidentInputError);
      expect(await incidents.get(opened.id)).toEqual(before);
      await expect(incidents.update(opened.id, (i) => ({ ...i, app: 'other' }))).rejects.toThrow("an incident's id, app and release do not change");
      expect(await incidents.update(999_999, (i) => i)).toBeNull();
    });

    it('keeps both of two concurrent changes (the row is locked while one is made)', async () => {
      await ledger.recordRelease({ app: 'busy', version: 'v1' });
      const opened = await incidents.create(newIncident({ app: 'busy', release: 'v1', title: 'Outage' }));
      await Promise.all(Array.from({ length: 6 }, (_, n) => incidents.update(opened.id, (i) => addWhy(i, { answer: `why from writer ${n}` }).incident)));
      expect((await incidents.get(opened.id))?.whys).toHaveLength(6);
    });

    it('credits a scenario action only when its check passed in a green seal recorded after the action', async () => {
      const app = 'scenario';
      await ledger.recordRelease({ app, version: 'v1' });
      const base = Date.now();
      const iso = (ms: number): string => new Date(base + ms).toISOString();
      // Before the action: a green seal in which the check passed does not count, even one that
      // says it finished later (a runner's clock is not the store's: recording order decides).
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: iso(-HOUR) }, [{ name: 'book appointment', status: 'passed' }]), 'v1');
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: iso(HOUR / 2) }, [{ name: 'book appointment', status: 'passed' }]), 'v1');
      const opened = await incidents.create(newIncident({ app, release: 'v1', title: 'Booking broke' }));
      await incidents.update(opened.id, (i, now) => {
        const one = addAction(i, { title: 'Add the booking smoke check', owner: 'Priya', due: '2099-01-01', check: 'book appointment' }, { today: '2026-11-21', now }).incident;
        return addAction(one, { title: 'Add the cancel smoke check', owner: 'Priya', due: '2099-01-01', check: 'cancel appointment' }, { today: '2026-11-21', now }).incident;
      });
      expect(await incidents.creditProvedActions(app)).toEqual([]);
      // After it: a red seal (the check passed, another failed), a green seal without the
      // check, a green seal where it was only flaky, a green seal of another app: none count.
      await ledger.recordSeal(runResult(app, { verdict: 'red', finished_at: iso(HOUR) }, [{ name: 'book appointment', status: 'passed' }, { name: 'home', status: 'failed' }]), 'v1');
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: iso(2 * HOUR) }, [{ name: 'home', status: 'passed' }]), 'v1');
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: iso(3 * HOUR) }, [{ name: 'book appointment', status: 'flaky' }]), 'v1');
      await ledger.recordRelease({ app: 'elsewhere', version: 'v1' });
      await ledger.recordSeal(runResult('elsewhere', { verdict: 'green', finished_at: iso(3 * HOUR) }, [{ name: 'book appointment', status: 'passed' }]), 'v1');
      // A located seal, red as a whole: its eu-west run, green with the check passing, proves nothing.
      const located = randomUUID();
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: iso(3 * HOUR), location: 'eu-west', part_of: located }, [{ name: 'book appointment', status: 'passed' }]), 'v1', { historyOnly: true });
      await ledger.recordSeal(runResult(app, { run_id: located, verdict: 'red', finished_at: iso(3 * HOUR) }, [{ name: 'eu-west: book appointment', status: 'passed' }, { name: 'us-east: book appointment', status: 'failed' }]), 'v1');
      expect(await incidents.creditProvedActions(app)).toEqual([]);
      expect((await incidents.get(opened.id))?.actions.map((a) => a.status)).toEqual(['open', 'open']);
      // The check is in the suite now and passes in a green seal: that action, and only it, is done.
      const proof = runResult(app, { verdict: 'green', finished_at: iso(4 * HOUR) }, [{ name: 'home', status: 'passed' }, { name: 'book appointment', status: 'passed' }]);
      await ledger.recordSeal(proof, 'v1');
      expect(await incidents.creditProvedActions(app)).toEqual([{ incident: opened.id, action: 1, title: 'Add the booking smoke check', check: 'book appointment', run_id: proof.run_id }]);
      const after = await incidents.get(opened.id);
      expect(after?.actions[0]).toMatchObject({ status: 'done', credited: { run_id: proof.run_id, version: 'v1', at: iso(4 * HOUR) } });
      expect(after?.actions[1]?.status).toBe('open');
      // Credited once: asking again changes nothing.
      expect(await incidents.creditProvedActions(app)).toEqual([]);
    });

    it('reports DORA change failure rate and failed-deployment recovery time in stats', async () => {
      const app = 'dora';
      const now = Date.now();
      const since = new Date(now - 24 * HOUR).toISOString();
      const t = (hoursAgo: number): string => new Date(now - hoursAgo * HOUR).toISOString();
      expect(await ledger.stats(app, since)).toMatchObject({ change_failure_rate: null, failed_deployments: 0, failed_deployment_recovery: { median_ms: null, median: 'n/a', recovered: 0, unrecovered: 0 } });
      // v1 green. v2 red at -9h, fixed forward by v3 sealed green at -7h. v4 green but with an
      // incident (impact -5h, mitigated -4h30m). v5 red, not recovered yet.
      await ledger.recordRelease({ app, version: 'v1', deployedAt: t(12) });
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: t(11.9) }), 'v1');
      await ledger.recordRelease({ app, version: 'v2', deployedAt: t(10) });
      await ledger.recordSeal(runResult(app, { verdict: 'red', finished_at: t(9) }), 'v2');
      await ledger.recordRelease({ app, version: 'v3', deployedAt: t(7.5) });
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: t(7) }), 'v3');
      await ledger.recordRelease({ app, version: 'v4', deployedAt: t(6) });
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: t(5.9) }), 'v4');
      const incident = await incidents.create(newIncident({ app, release: 'v4', title: 'Slow checkout' }));
      await incidents.update(incident.id, (i) => addEvent(addEvent(i, { at: t(5), milestone: 'impact_started' }), { at: t(4.5), milestone: 'mitigated' }));
      await ledger.recordRelease({ app, version: 'v5', deployedAt: t(1) });
      await ledger.recordSeal(runResult(app, { verdict: 'red', finished_at: t(0.9) }), 'v5');
      const stats = await ledger.stats(app, since);
      // v2: deployed -10h, recovered -7h = 3h; v4: 30m (the incident's own milestones). Median 1h 45m.
      expect(stats).toMatchObject({ deployments: 5, failed_deployments: 3, change_failure_rate: 3 / 5, failed_deployment_recovery: { median_ms: 1.75 * HOUR, median: '1h 45m', recovered: 2, unrecovered: 1 } });
      // A rollback: v5 is rolled back and v4, the release before it, re-sealed green 40m after the deploy.
      await ledger.recordSeal(runResult(app, { verdict: 'green', finished_at: t(1 / 3) }), 'v4');
      expect((await ledger.stats(app, since)).failed_deployment_recovery).toEqual({ median_ms: 40 * 60_000, median: '40m', recovered: 3, unrecovered: 0 });
    });
  });
}

contract('incidents on the embedded store (PGlite in a temp dir)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seal-incidents-'));
  return { store: await openDb({ databaseUrl: null, dataDir: dir }), cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) };
});

if (postgresSkip) {
  describe('incidents on Postgres', () => {
    it.skip(postgresSkip, () => undefined);
  });
} else {
  contract('incidents on Postgres (127.0.0.1:5432, a database of its own)', async () => {
    const database = await createTestDatabase();
    return { store: await openDb({ databaseUrl: database.url, dataDir: '/nonexistent' }), cleanup: database.drop };
  });
}
