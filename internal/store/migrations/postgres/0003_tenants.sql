-- Tenants, their declared attributes and their plan history.
-- A plan or tax rate reference is NULL when absent. A pending reservation
-- is the pair (next_plan_id, next_plan_at) with next_plan_at NOT NULL;
-- next_plan_id NULL there means "end the plan at next_plan_at".
-- Deleted tenants keep their row (deleted_at) so usage and history stay.

CREATE TABLE tenants (
    seq                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    saas_id                 TEXT NOT NULL REFERENCES saas (id),
    id                      TEXT NOT NULL,
    name                    TEXT NOT NULL,
    back_office_staff_email TEXT NOT NULL,
    attributes              TEXT NOT NULL DEFAULT '{}',
    billing_info            TEXT,
    plan_id                 TEXT,
    next_plan_id            TEXT,
    next_plan_at            BIGINT,
    next_tax_rate_id        TEXT,
    next_proration          TEXT NOT NULL DEFAULT '',
    next_delete_usage       BOOLEAN,
    created_at              BIGINT NOT NULL,
    deleted_at              BIGINT,
    UNIQUE (saas_id, id),
    FOREIGN KEY (saas_id, plan_id) REFERENCES pricing_plans (saas_id, id),
    FOREIGN KEY (saas_id, next_plan_id) REFERENCES pricing_plans (saas_id, id),
    FOREIGN KEY (saas_id, next_tax_rate_id) REFERENCES tax_rates (saas_id, id)
);
CREATE INDEX tenants_due ON tenants (next_plan_at) WHERE next_plan_at IS NOT NULL AND deleted_at IS NULL;
CREATE INDEX tenants_plan ON tenants (saas_id, plan_id);

CREATE TABLE tenant_plan_histories (
    saas_id            TEXT NOT NULL,
    tenant_id          TEXT NOT NULL,
    position           INTEGER NOT NULL,
    plan_id            TEXT,
    applied_at         BIGINT NOT NULL,
    tax_rate_id        TEXT,
    proration_behavior TEXT NOT NULL DEFAULT '',
    delete_usage       BOOLEAN,
    PRIMARY KEY (saas_id, tenant_id, position),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id),
    FOREIGN KEY (saas_id, plan_id) REFERENCES pricing_plans (saas_id, id),
    FOREIGN KEY (saas_id, tax_rate_id) REFERENCES tax_rates (saas_id, id)
);

CREATE TABLE tenant_attributes (
    seq            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    saas_id        TEXT NOT NULL REFERENCES saas (id),
    attribute_name TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    attribute_type TEXT NOT NULL,
    UNIQUE (saas_id, attribute_name)
);
