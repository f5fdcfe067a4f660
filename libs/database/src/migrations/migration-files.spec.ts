import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const migrationsDir = join(__dirname, '..', '..', 'prisma', 'migrations');
const migrations = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => ({ name: entry.name, sql: readFileSync(join(migrationsDir, entry.name, 'migration.sql'), 'utf8') }));

/*
 * Prisma's JavaScript schema engine hands each migration to the pg adapter, which splits the file at every
 * semicolon and runs the pieces one by one. A semicolon anywhere else than at the end of a statement (in a
 * comment, a string, a function body) cuts a statement in two and leaves the migration half applied.
 */
describe('migration files', () => {
  describe('when a migration is applied by the JavaScript schema engine', () => {
    it('should have semicolons only at the end of statements', () => {
      expect(migrations.length).toBeGreaterThan(0);
      for (const { name, sql } of migrations) {
        sql.split('\n').forEach((line, index) => {
          const semicolon = line.indexOf(';');
          if (semicolon === -1) return;
          expect(line.trimStart().startsWith('--'), `${name}/migration.sql:${index + 1} has a semicolon in a comment`).toBe(false);
          expect(line.slice(semicolon + 1).trim(), `${name}/migration.sql:${index + 1} has text after its semicolon`).toBe('');
        });
        expect(sql, `${name} must not contain dollar-quoted bodies`).not.toContain('$$');
      }
    });
  });

  describe('when migrations are listed', () => {
    it('should be named <14-digit timestamp>_<name> so they apply in order', () => {
      for (const { name } of migrations) expect(name).toMatch(/^\d{14}_[a-z0-9_]+$/);
    });
  });
});
