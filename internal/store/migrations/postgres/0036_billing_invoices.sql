-- Finalized invoices. The document is the invoice as computed (lines,
-- provenance, taxes, totals: billing.Invoice's JSON) and never changes;
-- the columns beside it are what lists filter and sort by. One invoice per
-- tenant and period, numbered gap-free per SaaS in finalization order.

CREATE TABLE billing_invoices (
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    id           TEXT NOT NULL,
    number       BIGINT NOT NULL,
    tenant_id    TEXT NOT NULL,
    period       TEXT NOT NULL,
    period_start BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    total        BIGINT NOT NULL,
    finalized_at BIGINT NOT NULL,
    document     TEXT NOT NULL,
    PRIMARY KEY (saas_id, id),
    UNIQUE (saas_id, number),
    UNIQUE (saas_id, tenant_id, period),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id)
);
CREATE INDEX billing_invoices_tenant ON billing_invoices (saas_id, tenant_id, number);
