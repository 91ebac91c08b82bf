/** Times and notes people give about a release, checked the same way on the CLI and the API. */
import { SealError } from '../errors.js';

/** A date and time with an offset (or Z); a bare date means midnight UTC. */
const INSTANT = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** Release notes larger than this are refused: release notes, not a database dump. */
export const MAX_NOTES_BYTES = 1024 * 1024;

/** Whether `text` is an instant `parseInstant` accepts. */
export function isInstant(text: string): boolean {
  return INSTANT.test(text) && !Number.isNaN(Date.parse(text));
}

/** The instant in UTC; `what` names the input in the error ("--deployed-at"). */
export function parseInstant(text: string, what: string): string {
  if (!isInstant(text)) throw new SealError(`${what} must be an ISO 8601 date or date-time with an offset (2026-11-21T14:05:00+01:00), got ${JSON.stringify(text)}`);
  return new Date(text).toISOString();
}
