-- Each SaaS's user-pool settings (internal/identity): the callback URL of
-- the hosted sign-in page (auth-info), and its domain name and mail
-- addresses (basic-info). A SaaS without a row has every setting unset
-- (''). The row is written at the first change.

CREATE TABLE identity_settings (
    saas_id             TEXT NOT NULL PRIMARY KEY REFERENCES saas (id),
    callback_url        TEXT NOT NULL,
    domain_name         TEXT NOT NULL,
    from_email_address  TEXT NOT NULL,
    reply_email_address TEXT NOT NULL
);
