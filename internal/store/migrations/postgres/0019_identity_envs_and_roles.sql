-- The envs and roles of each SaaS's user pool (internal/identity). A
-- user holds roles per tenant and per env. Env ids are chosen by the SaaS;
-- names are unique per SaaS. Every SaaS has its production env, id 3,
-- from its creation (the store adds it with the SaaS); this migration
-- gives it to the SaaSes that exist already.

CREATE TABLE identity_envs (
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    id           BIGINT NOT NULL CHECK (id > 0),
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    PRIMARY KEY (saas_id, id),
    UNIQUE (saas_id, name)
);

-- seq keeps roles in creation order.
CREATE TABLE identity_roles (
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    seq          INTEGER NOT NULL,
    PRIMARY KEY (saas_id, name)
);
CREATE INDEX identity_roles_order ON identity_roles (saas_id, seq);

INSERT INTO identity_envs (saas_id, id, name, display_name)
    SELECT id, 3, 'prod', 'Production' FROM saas;
