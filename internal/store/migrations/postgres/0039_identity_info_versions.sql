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

-- The user whose part changed: the row's user_id (memberships, roles) or
-- id (users); '' for envs and roles.
CREATE FUNCTION identity_info_bump() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r record;
    who text;
BEGIN
    IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF;
    IF TG_TABLE_NAME = 'identity_users' THEN
        who := r.id;
    ELSIF TG_TABLE_NAME IN ('identity_envs', 'identity_roles') THEN
        who := '';
    ELSE
        who := r.user_id;
    END IF;
    INSERT INTO identity_info_versions (saas_id, user_id, version) VALUES (r.saas_id, who, 1)
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = identity_info_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE FUNCTION identity_info_bump_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO identity_info_versions (saas_id, user_id, version)
        SELECT saas_id, user_id, 1 FROM identity_members WHERE saas_id = NEW.saas_id AND tenant_id = NEW.id
        ON CONFLICT (saas_id, user_id) DO UPDATE SET version = identity_info_versions.version + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER identity_users_info_update AFTER UPDATE OF email, sign_in_id, attributes ON identity_users
    FOR EACH ROW WHEN (OLD.email IS DISTINCT FROM NEW.email OR OLD.sign_in_id IS DISTINCT FROM NEW.sign_in_id
        OR OLD.attributes IS DISTINCT FROM NEW.attributes)
    EXECUTE FUNCTION identity_info_bump();
CREATE TRIGGER identity_users_info_delete AFTER DELETE ON identity_users
    FOR EACH ROW EXECUTE FUNCTION identity_info_bump();
CREATE TRIGGER identity_members_info AFTER INSERT OR DELETE ON identity_members
    FOR EACH ROW EXECUTE FUNCTION identity_info_bump();
CREATE TRIGGER identity_members_info_update AFTER UPDATE ON identity_members
    FOR EACH ROW WHEN (OLD.attributes IS DISTINCT FROM NEW.attributes) EXECUTE FUNCTION identity_info_bump();
CREATE TRIGGER identity_member_roles_info AFTER INSERT OR DELETE ON identity_member_roles
    FOR EACH ROW EXECUTE FUNCTION identity_info_bump();
CREATE TRIGGER identity_envs_info AFTER UPDATE OR DELETE ON identity_envs
    FOR EACH ROW EXECUTE FUNCTION identity_info_bump();
CREATE TRIGGER identity_roles_info AFTER UPDATE OR DELETE ON identity_roles
    FOR EACH ROW EXECUTE FUNCTION identity_info_bump();
CREATE TRIGGER tenants_info_update AFTER UPDATE OF name, back_office_staff_email, plan_id, deleted_at ON tenants
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.back_office_staff_email IS DISTINCT FROM NEW.back_office_staff_email
        OR OLD.plan_id IS DISTINCT FROM NEW.plan_id OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION identity_info_bump_tenant();
