-- When SNS sent each notification (its Timestamp), so that a subscription
-- notification delivered late never undoes a newer one of the same buyer.
ALTER TABLE aws_notifications ADD COLUMN sent_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX aws_notifications_customer ON aws_notifications (saas_id, customer_identifier, sent_at);
