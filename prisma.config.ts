import { defineConfig } from 'prisma/config';

// Prisma 7 keeps connection settings out of schema.prisma. The migrator itself never
// runs `prisma migrate`; this file serves `prisma generate` and users who apply the
// schema themselves with `prisma migrate deploy`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/postgres' },
});
