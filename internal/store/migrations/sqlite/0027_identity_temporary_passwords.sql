-- Temporary passwords (internal/identity): a password made by saasplane
-- and mailed to the user (sign-up, reset), or set by an admin as
-- temporary, must be replaced at the next sign-in, and is refused after
-- password_temporary_until (Unix microseconds). 0 means the password is
-- the user's own. Existing users keep theirs.

ALTER TABLE identity_users ADD COLUMN password_temporary_until BIGINT NOT NULL DEFAULT 0;
