import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// The schema's datasource reads DATABASE_URL too, so the default must be in the environment, not only here.
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/evp';
const connectionString = process.env.DATABASE_URL;

/*
 * The Prisma CLI runs here without its native engines (shared/notes/PRISMA.md): the JavaScript schema
 * engine talks to PostgreSQL through the same driver adapter as the application.
 */
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: () => Promise.resolve(new PrismaPg({ connectionString })),
});
