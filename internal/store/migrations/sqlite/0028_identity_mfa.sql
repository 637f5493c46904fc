-- Users' second factor (internal/identity): a TOTP authenticator app.
-- pending_secret is a secret handed out and not yet confirmed with a
-- code; secret the confirmed one; enabled whether sign-in asks for a
-- code; last_step the 30-second step of the last code accepted, so that
-- no code works twice. A user without a row has no second factor.

CREATE TABLE identity_mfa (
    saas_id        TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    pending_secret TEXT NOT NULL,
    secret         TEXT NOT NULL,
    enabled        BOOLEAN NOT NULL,
    last_step      BIGINT NOT NULL,
    PRIMARY KEY (saas_id, user_id),
    FOREIGN KEY (saas_id, user_id) REFERENCES identity_users (saas_id, id)
);
