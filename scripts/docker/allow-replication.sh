#!/bin/sh
# Run once by the postgres image when it creates the primary's data folder (docker-compose.yml):
# the replica signs in as the database owner to stream the primary's changes.
echo "host replication ${POSTGRES_USER} all scram-sha-256" >>"$PGDATA/pg_hba.conf"
