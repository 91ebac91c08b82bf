/** `--json`: exactly one JSON document, the run result, on stdout. */
import type { RunResult } from '../runner/run-result.js';

/** Writes the run result as one JSON document. */
export function writeJsonResult(stream: NodeJS.WritableStream, result: RunResult): void {
  stream.write(`${JSON.stringify(result, null, 2)}\n`);
}
