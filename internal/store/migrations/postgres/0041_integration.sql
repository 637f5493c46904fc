-- The Integration API (internal/integration): each SaaS's Amazon
-- EventBridge settings, at most one row per SaaS. aws_account_id is 12
-- digits, aws_region one of the regions the service accepts (checked by
-- the service, not here). Times are Unix microseconds.
CREATE TABLE integration_eventbridge_settings (
    saas_id        TEXT PRIMARY KEY REFERENCES saas (id),
    aws_account_id TEXT NOT NULL,
    aws_region     TEXT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- The AWS emulator's EventBridge (internal/awsemu): every entry PutEvents
-- accepted, newest last (seq). saas_id is the SaaS whose partner source
-- (aws.partner/saasus.io/<saas_id>/event) the entry names, '' for any
-- other source; it has no foreign key, as a source may name any id.
-- event_time is the entry's Time (or the call's), received_at when the
-- emulator received it.
CREATE TABLE awsemu_events (
    seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    saas_id     TEXT NOT NULL,
    region      TEXT NOT NULL,
    event_bus   TEXT NOT NULL,
    source      TEXT NOT NULL,
    detail_type TEXT NOT NULL,
    detail      TEXT NOT NULL,
    event_time  BIGINT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX awsemu_events_saas ON awsemu_events (saas_id, seq);
