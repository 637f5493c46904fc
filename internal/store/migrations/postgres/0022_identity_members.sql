-- User attributes, and the tenants' members with the roles they hold
-- (internal/identity).
--
-- A user attribute is declared once per SaaS: saas_wide true for a value on
-- the user (identity_users.attributes), false for a value per membership
-- (identity_members.attributes). Both kinds share the names.
--
-- A member is a user of the SaaS in one of its tenants; attributes is a
-- JSON object of the per-tenant values, seq orders memberships (and pages
-- a search). A member holds roles per env: identity_member_roles.
-- Deleting a tenant deletes its members; deleting an
-- env or a role deletes what was held in it.

CREATE TABLE identity_user_attributes (
    saas_id        TEXT NOT NULL REFERENCES saas (id),
    attribute_name TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    attribute_type TEXT NOT NULL,
    saas_wide      BOOLEAN NOT NULL,
    seq            BIGINT NOT NULL,
    PRIMARY KEY (saas_id, attribute_name)
);

CREATE TABLE identity_members (
    saas_id    TEXT NOT NULL,
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    attributes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seq        BIGINT NOT NULL,
    PRIMARY KEY (saas_id, tenant_id, user_id),
    FOREIGN KEY (saas_id, tenant_id) REFERENCES tenants (saas_id, id),
    FOREIGN KEY (saas_id, user_id) REFERENCES identity_users (saas_id, id)
);
CREATE UNIQUE INDEX identity_members_order ON identity_members (saas_id, seq);
CREATE INDEX identity_members_user ON identity_members (saas_id, user_id);

CREATE TABLE identity_member_roles (
    saas_id   TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    env_id    BIGINT NOT NULL,
    role_name TEXT NOT NULL,
    PRIMARY KEY (saas_id, tenant_id, user_id, env_id, role_name),
    FOREIGN KEY (saas_id, tenant_id, user_id) REFERENCES identity_members (saas_id, tenant_id, user_id),
    FOREIGN KEY (saas_id, env_id) REFERENCES identity_envs (saas_id, id),
    FOREIGN KEY (saas_id, role_name) REFERENCES identity_roles (saas_id, name)
);
CREATE INDEX identity_member_roles_env ON identity_member_roles (saas_id, env_id);
CREATE INDEX identity_member_roles_role ON identity_member_roles (saas_id, role_name);
