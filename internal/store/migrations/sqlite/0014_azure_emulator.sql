-- saasplane's built-in Azure Marketplace emulator (internal/azemu): what
-- /api/saas, /api/usageEvent(s), /api/batchUsageEvent and /azure serve to
-- an ISV developing offline.
--
-- azemu_identities: one publisher identity per SaaS (tenant, app, client
-- secret, RSA key), inserted if absent then read, so processes agree.
-- azemu_settings: the SaaS's webhook URL and emulator knobs.
-- azemu_offers: an offer and its plans (JSON, azemu.Plan).
-- azemu_subscriptions / azemu_tokens / azemu_operations: the Fulfillment
-- API's state; version is the v1 eTag. due_at is when an InProgress
-- operation completes by itself (0: never).
-- azemu_usage: accepted usage events; one per resource, dimension, hour.
-- azemu_webhooks: the outbox, written in the transaction of the change,
-- delivered in seq order per subscription; claimed_until is the lease of
-- the deliverer posting it.
-- Times are Unix microseconds.

CREATE TABLE azemu_identities (
    saas_id       TEXT PRIMARY KEY REFERENCES saas (id),
    tenant_id     TEXT NOT NULL UNIQUE,
    client_id     TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    key_pem       TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE azemu_settings (
    saas_id             TEXT PRIMARY KEY REFERENCES saas (id),
    webhook_url         TEXT NOT NULL,
    webhook_api_version TEXT NOT NULL,
    v1_actions          TEXT NOT NULL,
    operation_delay_ms  BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE azemu_offers (
    saas_id    TEXT NOT NULL REFERENCES saas (id),
    offer_id   TEXT NOT NULL,
    plans      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (saas_id, offer_id)
);

CREATE TABLE azemu_subscriptions (
    id                TEXT PRIMARY KEY,
    saas_id           TEXT NOT NULL REFERENCES saas (id),
    name              TEXT NOT NULL,
    offer_id          TEXT NOT NULL,
    plan_id           TEXT NOT NULL,
    quantity          BIGINT NOT NULL,
    status            TEXT NOT NULL,
    beneficiary_email TEXT NOT NULL,
    beneficiary_oid   TEXT NOT NULL,
    beneficiary_tid   TEXT NOT NULL,
    term_unit         TEXT NOT NULL,
    term_start        BIGINT NOT NULL,
    term_end          BIGINT NOT NULL,
    auto_renew        BOOLEAN NOT NULL,
    dry_run           BOOLEAN NOT NULL,
    version           BIGINT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    FOREIGN KEY (saas_id, offer_id) REFERENCES azemu_offers (saas_id, offer_id)
);
CREATE INDEX azemu_subscriptions_saas ON azemu_subscriptions (saas_id, id);

CREATE TABLE azemu_tokens (
    token           TEXT PRIMARY KEY,
    saas_id         TEXT NOT NULL REFERENCES saas (id),
    subscription_id TEXT NOT NULL REFERENCES azemu_subscriptions (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL
);

CREATE TABLE azemu_operations (
    id              TEXT PRIMARY KEY,
    saas_id         TEXT NOT NULL REFERENCES saas (id),
    subscription_id TEXT NOT NULL REFERENCES azemu_subscriptions (id),
    activity_id     TEXT NOT NULL,
    action          TEXT NOT NULL,
    source          TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    quantity        BIGINT NOT NULL,
    status          TEXT NOT NULL,
    api_version     TEXT NOT NULL,
    due_at          BIGINT NOT NULL,
    error_code      TEXT NOT NULL,
    error_message   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX azemu_operations_subscription ON azemu_operations (subscription_id, created_at);
CREATE INDEX azemu_operations_due ON azemu_operations (due_at) WHERE status = 'InProgress' AND due_at > 0;

CREATE TABLE azemu_usage (
    usage_event_id  TEXT PRIMARY KEY,
    saas_id         TEXT NOT NULL REFERENCES saas (id),
    resource_id     TEXT NOT NULL REFERENCES azemu_subscriptions (id),
    offer_id        TEXT NOT NULL,
    plan_id         TEXT NOT NULL,
    dimension       TEXT NOT NULL,
    quantity        DOUBLE PRECISION NOT NULL,
    effective_start BIGINT NOT NULL,
    hour            BIGINT NOT NULL,
    message_time    BIGINT NOT NULL,
    dry_run         BOOLEAN NOT NULL,
    UNIQUE (resource_id, dimension, hour)
);
CREATE INDEX azemu_usage_saas ON azemu_usage (saas_id, hour);

CREATE TABLE azemu_webhooks (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    saas_id         TEXT NOT NULL REFERENCES saas (id),
    subscription_id TEXT NOT NULL,
    operation_id    TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    last_status     INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    last_attempt_at BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    delivered_at    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX azemu_webhooks_pending ON azemu_webhooks (subscription_id, seq) WHERE status = 'pending';
CREATE INDEX azemu_webhooks_due ON azemu_webhooks (next_attempt_at) WHERE status = 'pending';
CREATE INDEX azemu_webhooks_saas ON azemu_webhooks (saas_id, seq);
