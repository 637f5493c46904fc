-- The SaaSus AWS Marketplace API (/v1/awsmarketplace): per-SaaS settings
-- and the links from AWS plan names (contract dimensions) to pricing plans.
--
-- aws_settings holds the values of PUT /settings ('' until set) and the
-- listing status; sign_up_url is where the fulfillment flow sends the
-- buyer ('' until set: saasplane's own sign-up page). external_id is the
-- random sts:ExternalId saasplane generates for the CloudFormation launch
-- link ('' until the link is first asked for); role_external_id is what the
-- user pasted into PUT /settings, usually the same value.
--
-- aws_plans has no foreign key to pricing_plans: a plan may be deleted or
-- the catalog reset while linked; the service checks the plan exists when
-- the link is saved and when it is applied.

CREATE TABLE aws_settings (
    saas_id              TEXT PRIMARY KEY REFERENCES saas (id),
    product_code         TEXT NOT NULL DEFAULT '',
    role_arn             TEXT NOT NULL DEFAULT '',
    role_external_id     TEXT NOT NULL DEFAULT '',
    sns_topic_arn        TEXT NOT NULL DEFAULT '',
    cas_bucket_name      TEXT NOT NULL DEFAULT '',
    cas_sns_topic_arn    TEXT NOT NULL DEFAULT '',
    seller_sns_topic_arn TEXT NOT NULL DEFAULT '',
    sqs_arn              TEXT NOT NULL DEFAULT '',
    sign_up_url          TEXT NOT NULL DEFAULT '',
    listing_status       TEXT NOT NULL DEFAULT 'no_listing',
    external_id          TEXT NOT NULL DEFAULT ''
);

CREATE TABLE aws_plans (
    saas_id   TEXT NOT NULL REFERENCES saas (id),
    plan_name TEXT NOT NULL,
    plan_id   TEXT NOT NULL,
    PRIMARY KEY (saas_id, plan_name)
);
