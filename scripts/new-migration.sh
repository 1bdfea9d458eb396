#!/usr/bin/env bash
# Writes prisma/migrations/<timestamp>_<name>/migration.sql: the SQL from the last committed
# schema to the working one. (`prisma migrate dev` needs a shadow database, which the engine-free
# setup cannot create; see docs/decisions/002-prisma-engine-free.md.)
set -euo pipefail
name="${1:?usage: npm run db:migration -- <name>}"
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
base="$(mktemp --suffix=.prisma)"
git show HEAD:prisma/schema.prisma > "$base"
mkdir -p "$dir"
npx prisma migrate diff --from-schema-datamodel "$base" --to-schema-datamodel prisma/schema.prisma --script > "$dir/migration.sql"
rm -f "$base"
echo "wrote $dir/migration.sql"
