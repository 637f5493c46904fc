-- The usage-report outboxes lose their lease. A SaaS's round is a job of
-- the jobs engine, unique per SaaS (jobs.ReportAWSUsageOf,
-- jobs.ReportAzureUsageOf), so no two senders read one SaaS's pending
-- reports at once and rows need no claim. What the column still says is
-- when a pending report may be tried again, after a failed attempt's
-- backoff: it is renamed for that. A row a sender had leased keeps its
-- lease's end as its next attempt, when it would have become claimable
-- again anyway.

ALTER TABLE aws_usage_reports RENAME COLUMN claimed_until TO next_attempt_at;
ALTER TABLE azure_usage_reports RENAME COLUMN claimed_until TO next_attempt_at;
