-- A SaaS's notification messages (internal/identity): the JSON object of
-- its mail templates by name; '' means the defaults.

ALTER TABLE identity_settings ADD COLUMN notification_messages TEXT NOT NULL DEFAULT '';
