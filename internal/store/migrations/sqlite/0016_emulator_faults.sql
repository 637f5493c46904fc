-- The emulators' injected faults, stored so that every node of one
-- database sees and consumes the same ones (they were kept in one
-- process's memory). One row per fault: emulator is 'aws' or 'azure',
-- kind is what it targets (an AWS operation, '*', DeliverNotification; an
-- Azure fault kind), fault holds the rest as JSON, remaining counts the
-- calls it still affects (the row goes at 0). seq keeps them in the order
-- they were added: the first match is consumed first.

CREATE TABLE emulator_faults (
    seq        INTEGER PRIMARY KEY,
    emulator   TEXT NOT NULL,
    saas_id    TEXT NOT NULL REFERENCES saas (id),
    kind       TEXT NOT NULL,
    fault      TEXT NOT NULL,
    remaining  INTEGER NOT NULL CHECK (remaining > 0),
    created_at BIGINT NOT NULL
);
CREATE INDEX emulator_faults_saas ON emulator_faults (emulator, saas_id, seq);
