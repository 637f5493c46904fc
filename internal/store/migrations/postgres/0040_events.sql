-- Outbound events: every successful non-GET call of a SaaS that has a
-- delivery target becomes an event, delivered to each target in order.
--
-- event_endpoints are the SaaS's webhook receivers; secret signs the
-- deliveries (HMAC-SHA256).
CREATE TABLE event_endpoints (
    saas_id     TEXT NOT NULL REFERENCES saas (id),
    id          TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (saas_id, id)
);

-- An event is opened (state 'open', no seq) by the first write
-- transaction of its request, in that transaction, and completed (state
-- 'ready', with the SaaS's next seq and the whole envelope in body) once
-- the response is known. request_id is the server's id of the request;
-- record holds what is known of the call so far (JSON).
CREATE TABLE events (
    saas_id    TEXT NOT NULL REFERENCES saas (id),
    id         TEXT NOT NULL,
    request_id TEXT NOT NULL,
    seq        BIGINT,
    state      TEXT NOT NULL CHECK (state IN ('open', 'ready')),
    event_type TEXT NOT NULL,
    trace_id   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    record     TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (saas_id, id),
    UNIQUE (saas_id, request_id)
);
CREATE UNIQUE INDEX events_seq ON events (saas_id, seq) WHERE seq IS NOT NULL;
CREATE INDEX events_open ON events (created_at) WHERE state = 'open';

-- The last seq given to each SaaS's events: completing an event takes the
-- next one under this row's lock, so seqs follow commit order.
CREATE TABLE event_counters (
    saas_id TEXT PRIMARY KEY REFERENCES saas (id),
    seq     BIGINT NOT NULL
);

-- One row per event and target: the target's queue, worked in seq order.
CREATE TABLE event_deliveries (
    saas_id         TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL,
    event_seq       BIGINT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL,
    next_at         BIGINT NOT NULL,
    first_failed_at BIGINT NOT NULL, -- 0: none (so the next two)
    last_attempt_at BIGINT NOT NULL,
    last_status     INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    delivered_at    BIGINT NOT NULL,
    PRIMARY KEY (saas_id, endpoint_id, event_seq)
);
CREATE INDEX event_deliveries_queue ON event_deliveries (saas_id, endpoint_id, state, event_seq);
