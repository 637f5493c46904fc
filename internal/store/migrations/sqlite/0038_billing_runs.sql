-- Invoice runs: the finalization of every tenant's invoice for one period
-- of one SaaS, by hand or by the scheduled period close, with counters
-- that say how far it got. The scheduled close runs each period once,
-- ever: the partial unique index refuses a second scheduled run however
-- many servers try.

CREATE TABLE billing_runs (
    seq         INTEGER PRIMARY KEY,
    saas_id     TEXT NOT NULL REFERENCES saas (id),
    id          TEXT NOT NULL,
    period      TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    status      TEXT NOT NULL,
    tenants     BIGINT NOT NULL DEFAULT 0,
    finalized   BIGINT NOT NULL DEFAULT 0,
    existing    BIGINT NOT NULL DEFAULT 0,
    skipped     BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    failures    TEXT NOT NULL DEFAULT '[]',
    created_at  BIGINT NOT NULL,
    started_at  BIGINT,
    finished_at BIGINT,
    UNIQUE (saas_id, id)
);
CREATE UNIQUE INDEX billing_runs_scheduled ON billing_runs (saas_id, period) WHERE started_by = 'schedule';
CREATE INDEX billing_runs_period ON billing_runs (saas_id, period, status);
CREATE INDEX billing_runs_saas ON billing_runs (saas_id, seq);
