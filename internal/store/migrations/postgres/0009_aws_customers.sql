-- AWS Marketplace buyers (/v1/awsmarketplace/customers) and the
-- registration tokens that lead to them.
--
-- The fulfillment URL resolves AWS's token to the buyer's identifiers and
-- hands the SaaS a registration token of its own: only its SHA-256 is
-- stored. It is valid until expires_at and can be used once (used_at) to
-- link the buyer to a tenant.
--
-- aws_customers links a buyer to a tenant. Both identifier pairs are kept:
-- customer_identifier with product_code (AWS products before June 2026)
-- and customer_aws_account_id with license_arn (after). status follows the
-- AWS subscription notifications; dimension and entitlement_expires_at are
-- what the last entitlement sync found (the dimension is an AWS plan name).
--
-- aws_notifications remembers every SNS message processed, so a message
-- delivered twice changes nothing the second time.

CREATE TABLE aws_registration_tokens (
    token_hash              TEXT PRIMARY KEY,
    saas_id                 TEXT NOT NULL REFERENCES saas (id),
    customer_identifier     TEXT NOT NULL,
    customer_aws_account_id TEXT NOT NULL,
    product_code            TEXT NOT NULL,
    license_arn             TEXT NOT NULL DEFAULT '',
    created_at              BIGINT NOT NULL,
    expires_at              BIGINT NOT NULL,
    used_at                 BIGINT
);
CREATE INDEX aws_registration_tokens_expiry ON aws_registration_tokens (expires_at);

CREATE TABLE aws_customers (
    saas_id                 TEXT NOT NULL REFERENCES saas (id),
    customer_identifier     TEXT NOT NULL,
    customer_aws_account_id TEXT NOT NULL,
    product_code            TEXT NOT NULL,
    license_arn             TEXT NOT NULL DEFAULT '',
    tenant_id               TEXT NOT NULL,
    status                  TEXT NOT NULL,
    dimension               TEXT NOT NULL DEFAULT '',
    entitlement_expires_at  BIGINT,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    PRIMARY KEY (saas_id, customer_identifier),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id)
);
CREATE INDEX aws_customers_tenant ON aws_customers (saas_id, tenant_id);

CREATE TABLE aws_notifications (
    saas_id             TEXT NOT NULL REFERENCES saas (id),
    message_id          TEXT NOT NULL,
    topic_arn           TEXT NOT NULL,
    action              TEXT NOT NULL,
    customer_identifier TEXT NOT NULL,
    outcome             TEXT NOT NULL,
    received_at         BIGINT NOT NULL,
    PRIMARY KEY (saas_id, message_id)
);
