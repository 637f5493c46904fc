-- Versions of what userinfo answers, so that a node may keep the answer
-- and check it with one cheap read. A row per user (user_id = the user's
-- id) counts changes to that user's own part: the user row, their
-- memberships and their roles. The row with user_id '' counts changes
-- that reach every user of the SaaS: envs and roles renamed or deleted.
-- A tenant's name, staff email or plan bumps each member of it.
--
-- The triggers below keep the counters, so that no write path can forget
-- to: a reader compares both counters, in its own snapshot, with those of
-- the answer it holds. Inserts of users, envs and roles change no answer
-- that exists yet, so they bump nothing.
CREATE TABLE identity_info_versions (
    saas_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (saas_id, user_id)
);

CREATE TRIGGER identity_users_info_update AFTER UPDATE OF email, sign_in_id, attributes ON identity_users
WHEN OLD.email IS NOT NEW.email OR OLD.sign_in_id IS NOT NEW.sign_in_id OR OLD.attributes IS NOT NEW.attributes
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (NEW.saas_id, NEW.id, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_users_info_delete AFTER DELETE ON identity_users
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (OLD.saas_id, OLD.id, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_members_info_insert AFTER INSERT ON identity_members
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (NEW.saas_id, NEW.user_id, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_members_info_update AFTER UPDATE ON identity_members
WHEN OLD.attributes IS NOT NEW.attributes
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (NEW.saas_id, NEW.user_id, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_members_info_delete AFTER DELETE ON identity_members
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (OLD.saas_id, OLD.user_id, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_member_roles_info_insert AFTER INSERT ON identity_member_roles
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (NEW.saas_id, NEW.user_id, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_member_roles_info_delete AFTER DELETE ON identity_member_roles
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (OLD.saas_id, OLD.user_id, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_envs_info_update AFTER UPDATE ON identity_envs
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (NEW.saas_id, '', 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_envs_info_delete AFTER DELETE ON identity_envs
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (OLD.saas_id, '', 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_roles_info_update AFTER UPDATE ON identity_roles
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (NEW.saas_id, '', 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER identity_roles_info_delete AFTER DELETE ON identity_roles
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (OLD.saas_id, '', 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER tenants_info_update AFTER UPDATE OF name, back_office_staff_email, plan_id, deleted_at ON tenants
WHEN OLD.name IS NOT NEW.name OR OLD.back_office_staff_email IS NOT NEW.back_office_staff_email
    OR OLD.plan_id IS NOT NEW.plan_id OR OLD.deleted_at IS NOT NEW.deleted_at
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version)
        SELECT saas_id, user_id, 1 FROM identity_members WHERE saas_id = NEW.saas_id AND tenant_id = NEW.id
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = version + 1;
END;
