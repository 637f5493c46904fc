-- Usage counts. An entry is the count of one meter of one tenant at one
-- Unix second; a day row is the exact roll-up (sum, max, number of
-- entries) of a counter over one calendar day in the SaaS's time zone.

ALTER TABLE saas ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';

CREATE TABLE metering_entries (
    saas_id   TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    meter_id  TEXT NOT NULL,
    ts        BIGINT NOT NULL,
    count     BIGINT NOT NULL,
    PRIMARY KEY (saas_id, tenant_id, meter_id, ts),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id),
    FOREIGN KEY (saas_id, meter_id) REFERENCES meters (saas_id, id)
) WITHOUT ROWID;
CREATE INDEX metering_entries_meter ON metering_entries (saas_id, meter_id);

CREATE TABLE metering_days (
    saas_id   TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    meter_id  TEXT NOT NULL,
    day       TEXT NOT NULL,
    sum       BIGINT NOT NULL,
    max       BIGINT NOT NULL,
    entries   BIGINT NOT NULL,
    PRIMARY KEY (saas_id, tenant_id, meter_id, day),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id),
    FOREIGN KEY (saas_id, meter_id) REFERENCES meters (saas_id, id)
) WITHOUT ROWID;

CREATE TABLE idempotency_keys (
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result       TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (saas_id, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
