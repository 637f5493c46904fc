-- tenants_version counts tenant deletions per SaaS. The metering committer
-- reads it (with the time zone and catalog version) once per batch and
-- keeps "this tenant is active" and "this meter has this id" between
-- batches only while neither version has moved, so it need not look every
-- tenant and meter up again in every transaction, and a deletion committed
-- by any process is still seen by the next batch.
ALTER TABLE saas ADD COLUMN tenants_version BIGINT NOT NULL DEFAULT 0;
