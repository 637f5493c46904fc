-- The API log: one row per authenticated /v1 request, written in batches by
-- the recorder and deleted once ttl has passed. Times are Unix microseconds.
--
-- No foreign key to saas: the table is append-only and high-churn, the
-- writer never reads, and entries must never stand in the way of changes
-- elsewhere. Every query is scoped by saas_id all the same.
--
-- api_logs_listing serves the listing, newest first, with a keyset cursor
-- over (created_at, api_log_id); api_logs_ttl serves the purge.

CREATE TABLE api_logs (
    saas_id         TEXT NOT NULL,
    api_log_id      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    ttl             BIGINT NOT NULL,
    trace_id        TEXT NOT NULL,
    api_key         TEXT NOT NULL,
    request_method  TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    request_uri     TEXT NOT NULL,
    remote_address  TEXT NOT NULL,
    referer         TEXT NOT NULL,
    request_body    TEXT NOT NULL,
    response_body   TEXT NOT NULL,
    PRIMARY KEY (saas_id, api_log_id)
);
CREATE INDEX api_logs_listing ON api_logs (saas_id, created_at, api_log_id);
CREATE INDEX api_logs_ttl ON api_logs (ttl);
