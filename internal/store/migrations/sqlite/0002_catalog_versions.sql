-- A per-SaaS counter bumped by every write to the pricing catalog. Readers
-- compare it, inside their snapshot, with the version of what they cached.
CREATE TABLE catalog_versions (
    saas_id TEXT PRIMARY KEY REFERENCES saas (id),
    version BIGINT NOT NULL
);
