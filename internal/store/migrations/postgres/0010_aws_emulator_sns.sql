-- SNS notifications of the AWS Marketplace emulator (internal/awsemu).
--
-- awsemu_sns_identity: the one RSA key and self-signed certificate every
-- message is signed with (id is always 1: insert-if-absent, then read, so
-- several processes on one database share it).
-- awsemu_sns_endpoints: the HTTP endpoint a SaaS receives notifications at.
-- awsemu_sns_subscriptions: one per (SaaS, topic); confirmed_at is NULL
-- until the SubscribeURL was visited.
-- awsemu_sns_messages: the outbox, written in the transaction of the
-- purchase change. Delivered in seq order per subscription; claimed_until
-- is the lease of the deliverer posting it. status: pending, delivered,
-- failed (retries exhausted or subscription deleted), dropped (fault).
-- Times are Unix microseconds.

CREATE TABLE awsemu_sns_identity (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    key_pem    TEXT NOT NULL,
    cert_pem   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE awsemu_sns_endpoints (
    saas_id    TEXT PRIMARY KEY REFERENCES saas (id),
    endpoint   TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE awsemu_sns_subscriptions (
    subscription_arn TEXT PRIMARY KEY,
    saas_id          TEXT NOT NULL REFERENCES saas (id),
    topic_arn        TEXT NOT NULL,
    endpoint         TEXT NOT NULL,
    token            TEXT NOT NULL UNIQUE,
    created_at       BIGINT NOT NULL,
    confirmed_at     BIGINT,
    UNIQUE (saas_id, topic_arn)
);

CREATE TABLE awsemu_sns_messages (
    seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    message_id       TEXT NOT NULL UNIQUE,
    saas_id          TEXT NOT NULL REFERENCES saas (id),
    subscription_arn TEXT NOT NULL,
    endpoint         TEXT NOT NULL,
    type             TEXT NOT NULL,
    topic_arn        TEXT NOT NULL,
    message          TEXT NOT NULL,
    token            TEXT NOT NULL DEFAULT '',
    published_at     BIGINT NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    last_attempt_at  BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    claimed_until    BIGINT NOT NULL DEFAULT 0,
    delivered_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX awsemu_sns_messages_pending ON awsemu_sns_messages (subscription_arn, seq) WHERE status = 'pending';
CREATE INDEX awsemu_sns_messages_due ON awsemu_sns_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX awsemu_sns_messages_saas ON awsemu_sns_messages (saas_id, seq);
