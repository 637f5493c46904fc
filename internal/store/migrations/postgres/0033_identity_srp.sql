-- SRP sign-in (internal/identity, POST /v1/auth/sign-in): Cognito's
-- USER_SRP_AUTH checks a password against a verifier, not a hash.
--
-- password_srp_salt and password_srp_verifier (hex) are stored beside
-- password_hash each time a password is set. Existing users have none:
-- a verifier needs the password, so theirs is made at their next
-- sign-in on the hosted page or their next password change, and until
-- then SRP sign-in refuses them like a wrong password.
--
-- identity_settings.pool_secret (hex, '' until the SaaS's first SRP
-- sign-in) keys the made-up salt answered for a login no user has, so
-- that it stays the same on every node and across restarts, like a real
-- user's.
--
-- identity_srp_challenges holds each started SRP sign-in until it is
-- answered (taken, so once) or expires: the server's secret b, with A
-- and B, under the SHA-256 of the opaque session.

ALTER TABLE identity_users ADD COLUMN password_srp_salt TEXT NOT NULL DEFAULT '';
ALTER TABLE identity_users ADD COLUMN password_srp_verifier TEXT NOT NULL DEFAULT '';
ALTER TABLE identity_settings ADD COLUMN pool_secret TEXT NOT NULL DEFAULT '';

CREATE TABLE identity_srp_challenges (
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    session_hash TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    login_key    TEXT NOT NULL,
    public_a     TEXT NOT NULL,
    public_b     TEXT NOT NULL,
    secret_b     TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    PRIMARY KEY (saas_id, session_hash)
);
CREATE INDEX identity_srp_challenges_expiry ON identity_srp_challenges (expires_at);
