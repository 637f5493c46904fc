-- Forgotten passwords (internal/identity, the hosted forgot-password
-- page): a reset pending for a login key, with the SHA-256 of the 6-digit
-- code mailed for it, the wrong codes tried, and its end (Unix
-- microseconds). user_id is '' when no user with an email has the login:
-- the row is written all the same, so that a request does the same work
-- for every login. One per login; a new request replaces it.

CREATE TABLE identity_password_resets (
    saas_id    TEXT NOT NULL REFERENCES saas (id),
    login_key  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (saas_id, login_key)
);
CREATE INDEX identity_password_resets_expiry ON identity_password_resets (expires_at);
