-- The signing keys of each SaaS's user pool (internal/identity): RSA
-- keys that sign its users' ID and access tokens. kid is the key's id in
-- the JWKS; private_key is the PKCS #8 DER of the key, base64; a key is
-- published from created_at and signs from active_at (Unix microseconds),
-- until a newer key is active. Keys that no live token can need are
-- deleted by the service.

CREATE TABLE identity_signing_keys (
    saas_id     TEXT NOT NULL REFERENCES saas (id),
    kid         TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    active_at   BIGINT NOT NULL,
    PRIMARY KEY (saas_id, kid)
);
