-- Invitations to a tenant (internal/identity). envs is the JSON list of
-- {"id": env id, "role_names": [...]} that the invited user receives on
-- joining; email_key is the lower-case email. status is pending or
-- accepted (an expired invitation is a pending one past expires_at).
-- Times are Unix microseconds; accepted_at is 0 until accepted.

CREATE TABLE identity_invitations (
    saas_id     TEXT NOT NULL,
    id          TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL,
    envs        TEXT NOT NULL,
    inviter_id  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    status      TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (saas_id, id),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id)
);
CREATE INDEX identity_invitations_tenant ON identity_invitations (saas_id, tenant_id, seq);
