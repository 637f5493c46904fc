-- The emulators' deliveries are background jobs now: each subscription
-- with queued messages has one job in River's river_job (kind
-- awsemu.deliver_sns or azemu.deliver_webhooks, queue emulators) that
-- posts them in order. The hand-made deliverers' leases and their "due"
-- index go; every subscription with a pending message gets its job here,
-- so nothing queued before the upgrade is left behind. (River's tables
-- are migrated before ours; River keeps SQLite's job arguments as JSONB.)

INSERT INTO river_job (args, kind, max_attempts, queue, state)
SELECT jsonb_object('subscription_arn', subscription_arn), 'awsemu.deliver_sns', 25, 'emulators', 'available'
FROM (SELECT DISTINCT subscription_arn FROM awsemu_sns_messages WHERE status = 'pending') AS pending;

INSERT INTO river_job (args, kind, max_attempts, queue, state)
SELECT jsonb_object('subscription_id', subscription_id), 'azemu.deliver_webhooks', 25, 'emulators', 'available'
FROM (SELECT DISTINCT subscription_id FROM azemu_webhooks WHERE status = 'pending') AS pending;

DROP INDEX awsemu_sns_messages_due;
DROP INDEX azemu_webhooks_due;
ALTER TABLE awsemu_sns_messages DROP COLUMN claimed_until;
ALTER TABLE azemu_webhooks DROP COLUMN claimed_until;
