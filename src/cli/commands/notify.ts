/**
 * `seal notify <app> <version>`: tell the app's notifiers of the release's current seal again
 * (after fixing a webhook, say), and rewrite its seal block in the release notes. Discord edits
 * its message; Slack, which cannot edit, says nothing new for the same verdict. Exit 0 when
 * every delivery went through, 1 when one failed or the release has no seal, 2 on bad input.
 */
import { findConfigPath, loadConfig } from '../../config/load.js';
import type { SealConfig } from '../../config/types.js';
import { UnknownAppError, errorMessage } from '../../errors.js';
import { deliverSeal } from '../../notify/deliver.js';
import { buildSealMessage } from '../../notify/message.js';
import { createRedactor } from '../../redact/redact.js';
import { renderSealBlock, upsertSealBlock } from '../../seal/notes-block.js';
import { DeliveryStore } from '../../store/deliveries.js';
import { Ledger } from '../../store/ledger.js';
import type { CliIo } from '../io.js';
import { withStore } from '../store.js';

/** Runs the command; returns the exit code. */
export async function notifyCommand(appName: string, version: string, options: { config?: string; json?: boolean }, io: CliIo): Promise<number> {
  let config: SealConfig;
  try {
    config = loadConfig(findConfigPath(options.config, io.env, io.cwd), io.env);
    if (!config.apps[appName]) throw new UnknownAppError(appName, Object.keys(config.apps), config.source);
  } catch (error) {
    io.stderr.write(`seal: ${errorMessage(error)}\n`);
    return 2;
  }
  const app = config.apps[appName];
  const redactor = createRedactor(config.secrets);
  return withStore(io, async (db) => {
    const ledger = new Ledger(db);
    const release = await ledger.getRelease(appName, version);
    const run = release?.smoke_seal ? await ledger.getRun(release.smoke_seal.run_id) : null;
    if (!release || !run) {
      io.stderr.write(`seal: ${release ? `${appName} ${version} has no seal yet (seal smoke ${appName} --release ${version})` : `no release ${version} of ${appName} in the ledger`}\n`);
      if (options.json) io.stdout.write(`${JSON.stringify({ error: release ? 'not sealed' : 'unknown release' })}\n`);
      return 1;
    }
    const result = run.result;
    await ledger.updateNotes(appName, version, (notes) => upsertSealBlock(notes, renderSealBlock(buildSealMessage(result, app.boardUrl))));
    const report = await deliverSeal({ app, notifiers: config.notifiers, result, releaseId: await ledger.releaseIdOf(appName, version), boardBase: app.boardUrl, store: new DeliveryStore(db), current: true, redact: (text) => redactor.text(text), retryGone: true });
    const outcomes = report.outcomes.map(({ target, outcome }) => ({ target, status: outcome.status, detail: outcome.detail, attempts: outcome.attempts }));
    if (options.json) io.stdout.write(`${JSON.stringify({ app: appName, version, run_id: result.run_id, verdict: result.verdict, notes: 'updated', deliveries: outcomes })}\n`);
    io.stderr.write(`${appName} ${version} (${result.verdict}): the release notes' seal block is up to date\n`);
    if (outcomes.length === 0) io.stderr.write(`no notifiers to tell: ${appName} has no notify:, alert: or github:\n`);
    for (const o of outcomes) io.stderr.write(`${o.status === 'failed' ? 'failed' : o.status.padEnd(9)}  ${o.target}: ${o.detail}\n`);
    return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
  });
}
