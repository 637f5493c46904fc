-- The console sessions signed out before their expiry (internal/console),
-- so that every node refuses a copy of their cookie. until_at is the
-- session's own expiry (Unix seconds): a row past it is dead weight, and
-- each sign-out deletes those.
CREATE TABLE console_revoked_sessions (
    id       TEXT PRIMARY KEY,
    until_at BIGINT NOT NULL
);
CREATE INDEX console_revoked_sessions_until ON console_revoked_sessions (until_at);
