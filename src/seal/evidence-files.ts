/** The screenshots a run result points at, as files to keep in the store or send to a server. */
import { errorMessage } from '../errors.js';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { withWarning, type RunResult } from '../runner/run-result.js';
import { EVIDENCE_NAME, MAX_EVIDENCE_FILES, type EvidenceStore } from '../store/evidence.js';

/** An image of the run on this machine's disk. */
export interface EvidenceImage {
  /** The name the board knows it by: the file's base name. */
  readonly name: string;
  readonly path: string;
}

/** Screenshots and image attachments of the run's checks, first ones first, at most the store's limit. */
export function evidenceImagesOf(result: RunResult): EvidenceImage[] {
  const images = new Map<string, string>();
  const add = (path: unknown): void => {
    if (typeof path !== 'string') return;
    const name = basename(path);
    if (EVIDENCE_NAME.test(name) && !images.has(name)) images.set(name, path);
  };
  for (const check of result.checks) {
    add(check.evidence.screenshot);
    const attachments = check.evidence.attachments;
    if (Array.isArray(attachments)) for (const a of attachments as { path?: unknown }[]) add(a.path);
  }
  return [...images].slice(0, MAX_EVIDENCE_FILES).map(([name, path]) => ({ name, path }));
}

/** Copies the run's screenshots from this machine's disk into the store, so the board shows them. */
export async function keepEvidence(evidence: EvidenceStore, result: RunResult): Promise<RunResult> {
  let final = result;
  for (const image of evidenceImagesOf(result)) {
    try {
      await evidence.put(result.run_id, image.name, await readFile(image.path));
    } catch (error) {
      final = withWarning(final, `screenshot ${image.name} was not kept for the board: ${errorMessage(error)}`);
    }
  }
  return final;
}
