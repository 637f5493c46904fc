-- A SaaS's sign-in settings (internal/identity), as a JSON object; ''
-- (every SaaS until it changes them) means the defaults.

ALTER TABLE identity_settings ADD COLUMN sign_in_settings TEXT NOT NULL DEFAULT '';
