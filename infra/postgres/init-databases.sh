#!/usr/bin/env bash
# A role and a database per service, each role owning only its own database (the services never
# share one). Run once by the postgres image on an empty data directory
# (/docker-entrypoint-initdb.d). Development passwords: dev-<service>.
set -euo pipefail

for service in aid-applications disability-subsidies child-welfare elderly-care minor-protection village-governance; do
  name=${service//-/_}
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER}" --dbname postgres <<SQL
CREATE ROLE ${name} LOGIN PASSWORD 'dev-${service}';
CREATE DATABASE ${name} OWNER ${name};
REVOKE ALL ON DATABASE ${name} FROM PUBLIC;
SQL
done
