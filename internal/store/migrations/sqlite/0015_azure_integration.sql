-- saasplane's own Azure Marketplace integration (/v1/azuremarketplace):
-- the ISV side of a SaaS selling through Microsoft's marketplace.
--
-- azure_settings: the Entra app the SaaS calls the Fulfillment API as, and
-- an optional base URL overriding the server's --azure-endpoint.
-- client_secret is write-only in the API.
--
-- azure_plans links an Azure plan id to a pricing plan.
--
-- azure_subscriptions links a SaaS subscription to a tenant, with the
-- marketplace's view of it as last read (synced_at: when it was asked
-- for; an older view never overwrites a newer one) and the time stamp of
-- the newest operation applied (last_operation_at).
--
-- azure_operations remembers every operation handled (from a webhook or a
-- reconciliation) with its outcome, so the same operation twice changes
-- nothing the second time.
--
-- azure_meter_dimensions and azure_usage_reports: hourly usage reporting
-- through the metering API, one outbox row per subscription, dimension and
-- hour (Unix seconds), with a lease (claimed_until).

CREATE TABLE azure_settings (
    saas_id              TEXT PRIMARY KEY REFERENCES saas (id),
    fulfillment_base_url TEXT NOT NULL DEFAULT '',
    tenant_id            TEXT NOT NULL DEFAULT '',
    client_id            TEXT NOT NULL DEFAULT '',
    client_secret        TEXT NOT NULL DEFAULT ''
);

CREATE TABLE azure_plans (
    saas_id       TEXT NOT NULL REFERENCES saas (id),
    azure_plan_id TEXT NOT NULL,
    plan_id       TEXT NOT NULL,
    PRIMARY KEY (saas_id, azure_plan_id)
);

CREATE TABLE azure_subscriptions (
    saas_id           TEXT NOT NULL REFERENCES saas (id),
    subscription_id   TEXT NOT NULL,
    tenant_id         TEXT NOT NULL,
    name              TEXT NOT NULL DEFAULT '',
    offer_id          TEXT NOT NULL DEFAULT '',
    azure_plan_id     TEXT NOT NULL DEFAULT '',
    quantity          BIGINT NOT NULL DEFAULT 0,
    status            TEXT NOT NULL,
    beneficiary_email TEXT NOT NULL DEFAULT '',
    last_operation_at BIGINT NOT NULL DEFAULT 0,
    synced_at         BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (saas_id, subscription_id),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id)
);
CREATE INDEX azure_subscriptions_tenant ON azure_subscriptions (saas_id, tenant_id);

CREATE TABLE azure_operations (
    saas_id         TEXT NOT NULL REFERENCES saas (id),
    operation_id    TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    action          TEXT NOT NULL DEFAULT '',
    source          TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    operation_at    BIGINT NOT NULL DEFAULT 0,
    received_at     BIGINT NOT NULL,
    PRIMARY KEY (saas_id, operation_id)
);
CREATE INDEX azure_operations_received ON azure_operations (saas_id, received_at);

CREATE TABLE azure_meter_dimensions (
    saas_id   TEXT NOT NULL REFERENCES saas (id),
    meter_id  TEXT NOT NULL,
    dimension TEXT NOT NULL,
    PRIMARY KEY (saas_id, meter_id),
    FOREIGN KEY (saas_id, meter_id) REFERENCES meters (saas_id, id)
);

CREATE TABLE azure_usage_reports (
    saas_id         TEXT NOT NULL REFERENCES saas (id),
    subscription_id TEXT NOT NULL,
    dimension       TEXT NOT NULL,
    hour            BIGINT NOT NULL,
    quantity        BIGINT NOT NULL,
    plan_id         TEXT NOT NULL,
    status          TEXT NOT NULL,
    result          TEXT NOT NULL DEFAULT '',
    usage_event_id  TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    claimed_until   BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    sent_at         BIGINT,
    PRIMARY KEY (saas_id, subscription_id, dimension, hour)
);
CREATE INDEX azure_usage_reports_pending ON azure_usage_reports (status, hour) WHERE status = 'pending';
