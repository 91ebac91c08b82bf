// The CLI tests spawn ./bin/seal, which runs dist/: compile once so they test the current source.
import { execFileSync } from 'node:child_process';

export default function buildOnce(): void {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
