-- Temporary codes of each SaaS's user pool (internal/identity): a token
-- set waiting to be exchanged once for its code. code_hash is the SHA-256
-- of the code (hex); the tokens are kept as they will be handed over
-- (refresh_token '' when there is none) until the code is used, or, once
-- expired (expires_at, Unix microseconds), until the next purge.

CREATE TABLE identity_temp_codes (
    saas_id       TEXT NOT NULL REFERENCES saas (id),
    code_hash     TEXT NOT NULL,
    id_token      TEXT NOT NULL,
    access_token  TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_in    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (saas_id, code_hash)
);
CREATE INDEX identity_temp_codes_expiry ON identity_temp_codes (expires_at);
