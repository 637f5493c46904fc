-- The users of each SaaS's user pool and their sign-in sessions
-- (internal/identity).
--
-- A user signs in with an email or a sign-in id (the other is ''); each is
-- unique per SaaS without regard to case (email_key, sign_in_key: lower
-- case, '' when unused). password_hash is an argon2id PHC string;
-- attributes the user's SaaS-wide attributes as a JSON object; seq keeps
-- users in creation order. Times are Unix microseconds.
--
-- A session is one sign-in: refresh_hash is the SHA-256 of its refresh
-- token (hex), expires_at the refresh token's end. Ending a session
-- deletes its row; a user's sessions go before the user.

CREATE TABLE identity_users (
    saas_id       TEXT NOT NULL REFERENCES saas (id),
    id            TEXT NOT NULL,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL,
    sign_in_id    TEXT NOT NULL,
    sign_in_key   TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    attributes    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    seq           BIGINT NOT NULL,
    PRIMARY KEY (saas_id, id),
    CHECK ((email_key = '') <> (sign_in_key = ''))
);
CREATE UNIQUE INDEX identity_users_email ON identity_users (saas_id, email_key) WHERE email_key <> '';
CREATE UNIQUE INDEX identity_users_sign_in_id ON identity_users (saas_id, sign_in_key) WHERE sign_in_key <> '';
CREATE UNIQUE INDEX identity_users_order ON identity_users (saas_id, seq);

CREATE TABLE identity_sessions (
    saas_id      TEXT NOT NULL,
    id           TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    refresh_hash TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (saas_id, id),
    FOREIGN KEY (saas_id, user_id) REFERENCES identity_users (saas_id, id)
);
CREATE UNIQUE INDEX identity_sessions_refresh ON identity_sessions (saas_id, refresh_hash);
CREATE INDEX identity_sessions_user ON identity_sessions (saas_id, user_id);
