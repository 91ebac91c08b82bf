import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the committed migrations', () => {
  it('match src/store/schema.ts (drizzle-kit generates nothing new; run `npm run db:generate` after a schema change)', () => {
    // drizzle-kit takes `out` relative to its working directory: work in a copy.
    const work = mkdtempSync(join(tmpdir(), 'seal-migrations-'));
    cpSync(join(ROOT, 'drizzle'), join(work, 'migrations'), { recursive: true });
    writeFileSync(join(work, 'drizzle.config.json'), JSON.stringify({ dialect: 'postgresql', schema: join(ROOT, 'src/store/schema.ts'), out: './migrations' }));
    const before = readdirSync(join(work, 'migrations')).sort();
    const output = execFileSync(process.execPath, [join(ROOT, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--config', 'drizzle.config.json'], { cwd: work, encoding: 'utf8', timeout: 60_000 });
    expect(output).toContain('No schema changes');
    expect(readdirSync(join(work, 'migrations')).sort()).toEqual(before);
  });

  it('are additive only: no migration drops, renames or retypes anything', () => {
    const files = readdirSync(join(ROOT, 'drizzle')).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(join(ROOT, 'drizzle', file), 'utf8');
      expect(text, file).not.toMatch(/\bDROP\s+(TABLE|COLUMN|INDEX|CONSTRAINT|SCHEMA|TYPE)\b|\bRENAME\b|\bALTER\s+COLUMN\b[^;]*\bTYPE\b/i);
    }
  });
});
