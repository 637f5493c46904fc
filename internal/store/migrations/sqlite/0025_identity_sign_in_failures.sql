-- Recent failed sign-ins per login (internal/identity): login_key is the
-- lower-case email or sign-in id as typed, whether or not a user has it,
-- so that locking tells nothing about who exists. failures counts those
-- of the window that started at first_at; locked_until is 0 when the
-- login is not locked. Times are Unix microseconds. A successful sign-in
-- deletes the row, and a job deletes those whose window and lock are past.

CREATE TABLE identity_sign_in_failures (
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    login_key    TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    first_at     BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    PRIMARY KEY (saas_id, login_key)
);
