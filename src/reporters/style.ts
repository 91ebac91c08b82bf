/** Terminal styling that respects NO_COLOR/FORCE_COLOR and never writes escape codes to a pipe. */
import { styleText } from 'node:util';

type Format = Parameters<typeof styleText>[0];

/** Paints text when the stream is a colour terminal; returns it untouched otherwise. */
export type Painter = (format: Format, text: string) => string;

/** True when the stream is a terminal that wants colour (NO_COLOR and FORCE_COLOR are honoured). */
export function wantsColor(stream: NodeJS.WritableStream): boolean {
  const tty = stream as NodeJS.WriteStream;
  return Boolean(tty.isTTY) && typeof tty.hasColors === 'function' && tty.hasColors();
}

/** A painter for a stream: colour on a colour terminal, plain text everywhere else. */
export function createPainter(enabled: boolean): Painter {
  if (!enabled) return (_format, text) => text;
  // validateStream: false because the decision (for stderr, not stdout) was made above.
  return (format, text) => styleText(format, text, { validateStream: false });
}
