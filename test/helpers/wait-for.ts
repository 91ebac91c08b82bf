/** Waits for a condition another thread or process brings about (on the file system, in a database): checked every 20 ms, for at most `ms`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}
