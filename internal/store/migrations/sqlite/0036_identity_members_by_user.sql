-- A user's memberships in membership order (userinfo, on every request of
-- every app; a user's tenants). With only (saas_id, user_id) and
-- (saas_id, seq) to choose from, SQLite walked the SaaS's whole
-- membership list in seq order to spare a sort: a read that grew with the
-- SaaS's members instead of the user's. This index serves both the user
-- and the order; it replaces identity_members_user, its prefix.

CREATE INDEX identity_members_user_seq ON identity_members (saas_id, user_id, seq);
DROP INDEX identity_members_user;
