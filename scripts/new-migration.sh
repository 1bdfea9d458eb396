#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from the last committed
# schema to the working one. (`prisma migrate dev` needs a shadow database, which the engine-free
# setup cannot create; see docs/decisions/002-prisma-engine-free.md.)
# The same migration is written for PostgreSQL, from the derived schema (scripts/postgres-schema.mjs),
# under the same name, so the two histories stay in step (test/db/migrations.test.ts checks it).
set -euo pipefail
name="${1:?usage: npm run db:migration -- <name>}"
id="$(date -u +%Y%m%d%H%M%S)_${name}"
base="$(mktemp --suffix=.prisma)"
base_pg="$(mktemp --suffix=.prisma)"
trap 'rm -f "$base" "$base_pg"' EXIT
git show HEAD:prisma/schema.prisma > "$base"
node scripts/postgres-schema.mjs "$base" "$base_pg"
node scripts/postgres-schema.mjs
mkdir -p "prisma/migrations/$id" "prisma/postgres/migrations/$id"
npx prisma migrate diff --from-schema-datamodel "$base" --to-schema-datamodel prisma/schema.prisma --script > "prisma/migrations/$id/migration.sql"
npx prisma migrate diff --from-schema-datamodel "$base_pg" --to-schema-datamodel prisma/postgres/schema.prisma --script > "prisma/postgres/migrations/$id/migration.sql"
npx prisma generate
npx prisma generate --schema prisma/postgres/schema.prisma
echo "wrote prisma/migrations/$id and prisma/postgres/migrations/$id"
