-- saasplane's built-in AWS Marketplace emulator (internal/awsemu): what
-- /aws/marketplace and /aws/sts serve to an ISV developing offline.
--
-- awsemu_products: a product code belongs to the SaaS that first bought it
-- through the emulator admin, so wire calls (scoped by product code) never
-- reach another SaaS's purchases. awsemu_dimensions: every dimension a
-- purchase of the product has had (BatchMeterUsage accepts only these).
-- awsemu_usage keeps every record received for a known product; only one
-- Success record per customer, dimension and hour (partial unique index).
-- Times are Unix microseconds.

CREATE TABLE awsemu_products (
    product_code TEXT PRIMARY KEY,
    saas_id      TEXT NOT NULL REFERENCES saas (id)
);

CREATE TABLE awsemu_dimensions (
    product_code TEXT NOT NULL REFERENCES awsemu_products (product_code),
    dimension    TEXT NOT NULL,
    PRIMARY KEY (product_code, dimension)
);

CREATE TABLE awsemu_purchases (
    customer_identifier     TEXT PRIMARY KEY,
    saas_id                 TEXT NOT NULL REFERENCES saas (id),
    product_code            TEXT NOT NULL REFERENCES awsemu_products (product_code),
    customer_aws_account_id TEXT NOT NULL UNIQUE,
    license_arn             TEXT NOT NULL UNIQUE,
    dimension               TEXT NOT NULL,
    quantity                BIGINT NOT NULL,
    status                  TEXT NOT NULL,
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    expires_at              BIGINT NOT NULL
);
CREATE INDEX awsemu_purchases_saas ON awsemu_purchases (saas_id, created_at);
CREATE INDEX awsemu_purchases_product ON awsemu_purchases (product_code, customer_identifier);

CREATE TABLE awsemu_tokens (
    token               TEXT PRIMARY KEY,
    saas_id             TEXT NOT NULL REFERENCES saas (id),
    customer_identifier TEXT NOT NULL REFERENCES awsemu_purchases (customer_identifier),
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL
);

CREATE TABLE awsemu_sessions (
    access_key_id     TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    session_token     TEXT NOT NULL,
    role_arn          TEXT NOT NULL,
    role_session_name TEXT NOT NULL,
    external_id       TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    expires_at        BIGINT NOT NULL
);

CREATE TABLE awsemu_usage (
    seq                     INTEGER PRIMARY KEY,
    metering_record_id      TEXT NOT NULL UNIQUE,
    saas_id                 TEXT NOT NULL REFERENCES saas (id),
    product_code            TEXT NOT NULL,
    customer_identifier     TEXT NOT NULL,
    customer_aws_account_id TEXT NOT NULL,
    license_arn             TEXT NOT NULL,
    dimension               TEXT NOT NULL,
    hour                    BIGINT NOT NULL,
    usage_at                BIGINT NOT NULL,
    quantity                BIGINT NOT NULL,
    status                  TEXT NOT NULL,
    received_at             BIGINT NOT NULL
);
CREATE UNIQUE INDEX awsemu_usage_once ON awsemu_usage (customer_identifier, dimension, hour) WHERE status = 'Success';
CREATE INDEX awsemu_usage_saas ON awsemu_usage (saas_id, seq);
