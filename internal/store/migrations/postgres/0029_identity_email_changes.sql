-- Pending changes of a user's email (internal/identity): the new address,
-- the SHA-256 (hex) of the code mailed to it, when the code expires (Unix
-- microseconds) and the wrong codes tried. One per user; a new request
-- replaces it, a confirmation or too many wrong codes delete it.

CREATE TABLE identity_email_changes (
    saas_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    new_email  TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   INTEGER NOT NULL,
    PRIMARY KEY (saas_id, user_id),
    FOREIGN KEY (saas_id, user_id) REFERENCES identity_users (saas_id, id)
);
