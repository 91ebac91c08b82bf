/** Reads a response body up to a cap, then stops downloading: a huge answer costs at most the cap. */

/** The part of a body that was read. */
export interface CappedBody {
  readonly bytes: Buffer;
  /** True when the body was longer than the cap and the rest was not downloaded. */
  readonly truncated: boolean;
}

/** Reads at most `cap` bytes of a stream; leaving the loop early destroys the stream. */
export async function readCapped(body: AsyncIterable<Uint8Array>, cap: number): Promise<CappedBody> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.length > cap) {
      chunks.push(chunk.subarray(0, cap - size));
      return { bytes: Buffer.concat(chunks), truncated: true };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { bytes: Buffer.concat(chunks), truncated: false };
}

/** Decodes a body with the charset its content type names, falling back to UTF-8. */
export function decodeBody(bytes: Buffer, contentType: string | undefined): string {
  const charset = /charset="?([\w-]+)"?/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
