-- How a SaaS's hosted pages look (internal/identity): the JSON of its
-- customize-page settings and customize pages; '' means the defaults.

ALTER TABLE identity_settings ADD COLUMN page_settings TEXT NOT NULL DEFAULT '';
