-- Accounts, keys and the pricing catalog. Times are Unix microseconds (UTC).
-- Every domain row carries saas_id, and every key and reference includes it,
-- so one SaaS can never reach another's rows, even by guessing ids.

CREATE TABLE saas (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    api_key     TEXT PRIMARY KEY,
    saas_id     TEXT NOT NULL REFERENCES saas (id),
    secret_key  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_saas ON api_keys (saas_id);

CREATE TABLE meters (
    seq             INTEGER PRIMARY KEY,
    saas_id         TEXT NOT NULL REFERENCES saas (id),
    id              TEXT NOT NULL,
    unit_name       TEXT NOT NULL,
    display_name    TEXT NOT NULL,
    description     TEXT NOT NULL,
    aggregate_usage TEXT NOT NULL DEFAULT '',
    used            BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (saas_id, id),
    UNIQUE (saas_id, unit_name)
);

CREATE TABLE pricing_units (
    seq                INTEGER PRIMARY KEY,
    saas_id            TEXT NOT NULL REFERENCES saas (id),
    id                 TEXT NOT NULL,
    name               TEXT NOT NULL,
    display_name       TEXT NOT NULL,
    description        TEXT NOT NULL,
    type               TEXT NOT NULL,
    currency           TEXT NOT NULL,
    unit_amount        BIGINT NOT NULL DEFAULT 0,
    recurring_interval TEXT NOT NULL,
    upper_count        BIGINT NOT NULL DEFAULT 0,
    meter_id           TEXT,
    aggregate_usage    TEXT NOT NULL DEFAULT '',
    tiers              TEXT NOT NULL DEFAULT '[]',
    used               BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (saas_id, id),
    FOREIGN KEY (saas_id, meter_id) REFERENCES meters (saas_id, id)
);
CREATE INDEX pricing_units_meter ON pricing_units (saas_id, meter_id);

CREATE TABLE pricing_menus (
    seq          INTEGER PRIMARY KEY,
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (saas_id, id)
);

CREATE TABLE pricing_menu_units (
    saas_id  TEXT NOT NULL,
    menu_id  TEXT NOT NULL,
    position INTEGER NOT NULL,
    unit_id  TEXT NOT NULL,
    PRIMARY KEY (saas_id, menu_id, position),
    FOREIGN KEY (saas_id, menu_id) REFERENCES pricing_menus (saas_id, id) ON DELETE CASCADE,
    FOREIGN KEY (saas_id, unit_id) REFERENCES pricing_units (saas_id, id)
);
CREATE INDEX pricing_menu_units_unit ON pricing_menu_units (saas_id, unit_id);

CREATE TABLE pricing_plans (
    seq          INTEGER PRIMARY KEY,
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT NOT NULL,
    used         BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (saas_id, id)
);

CREATE TABLE pricing_plan_menus (
    saas_id  TEXT NOT NULL,
    plan_id  TEXT NOT NULL,
    position INTEGER NOT NULL,
    menu_id  TEXT NOT NULL,
    PRIMARY KEY (saas_id, plan_id, position),
    FOREIGN KEY (saas_id, plan_id) REFERENCES pricing_plans (saas_id, id) ON DELETE CASCADE,
    FOREIGN KEY (saas_id, menu_id) REFERENCES pricing_menus (saas_id, id)
);
CREATE INDEX pricing_plan_menus_menu ON pricing_plan_menus (saas_id, menu_id);

CREATE TABLE tax_rates (
    seq          INTEGER PRIMARY KEY,
    saas_id      TEXT NOT NULL REFERENCES saas (id),
    id           TEXT NOT NULL,
    name         TEXT NOT NULL,
    display_name TEXT NOT NULL,
    percentage   TEXT NOT NULL,
    inclusive    BOOLEAN NOT NULL,
    country      TEXT NOT NULL,
    description  TEXT NOT NULL,
    UNIQUE (saas_id, id),
    UNIQUE (saas_id, name)
);
