-- AWS Marketplace usage reporting.
--
-- aws_meter_dimensions links a meter to the AWS dimension its usage is
-- reported under (one dimension per meter).
--
-- aws_usage_reports is the outbox of BatchMeterUsage: one row per buyer,
-- dimension and hour (Unix seconds of the hour's start), written once when
-- the hour closes, with the quantity of that hour. status: pending (to
-- send), sent (AWS answered; result holds its status: Success,
-- CustomerNotSubscribed, DuplicateRecord), expired (older than AWS's
-- 24-hour window before it could be sent) or failed (refused for good).
-- claimed_until leases a row to one sender at a time.

CREATE TABLE aws_meter_dimensions (
    saas_id   TEXT NOT NULL REFERENCES saas (id),
    meter_id  TEXT NOT NULL,
    dimension TEXT NOT NULL,
    PRIMARY KEY (saas_id, meter_id),
    FOREIGN KEY (saas_id, meter_id) REFERENCES meters (saas_id, id)
);

CREATE TABLE aws_usage_reports (
    saas_id             TEXT NOT NULL REFERENCES saas (id),
    customer_identifier TEXT NOT NULL,
    dimension           TEXT NOT NULL,
    hour                BIGINT NOT NULL,
    quantity            BIGINT NOT NULL,
    status              TEXT NOT NULL,
    result              TEXT NOT NULL DEFAULT '',
    metering_record_id  TEXT NOT NULL DEFAULT '',
    attempts            INTEGER NOT NULL DEFAULT 0,
    last_error          TEXT NOT NULL DEFAULT '',
    claimed_until       BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    sent_at             BIGINT,
    PRIMARY KEY (saas_id, customer_identifier, dimension, hour)
);
CREATE INDEX aws_usage_reports_pending ON aws_usage_reports (status, hour) WHERE status = 'pending';
