-- The outbox of mail to the SaaSes' users (internal/mail). A message is
-- written in the transaction that causes it, with its mail.deliver job.
-- status is queued, sent, stored (no SMTP server: kept for reading) or
-- failed; attempts counts the SMTP sends tried; message_id_header is the
-- Message-ID every attempt carries. Times are Unix microseconds; sent_at
-- and last_attempt_at are 0 until they happen.

CREATE TABLE mail_messages (
    id                TEXT NOT NULL PRIMARY KEY,
    saas_id           TEXT NOT NULL REFERENCES saas (id),
    purpose           TEXT NOT NULL,
    from_address      TEXT NOT NULL,
    reply_to          TEXT NOT NULL,
    to_address        TEXT NOT NULL,
    subject           TEXT NOT NULL,
    body              TEXT NOT NULL,
    message_id_header TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    status            TEXT NOT NULL,
    attempts          INTEGER NOT NULL,
    last_error        TEXT NOT NULL,
    last_attempt_at   BIGINT NOT NULL,
    sent_at           BIGINT NOT NULL
);
CREATE INDEX mail_messages_saas ON mail_messages (saas_id, created_at);
CREATE INDEX mail_messages_created ON mail_messages (created_at);
