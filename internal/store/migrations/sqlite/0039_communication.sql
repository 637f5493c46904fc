-- The Communication API (internal/communication): the feedback that a
-- SaaS's users give about it, the comments on each feedback, and the
-- users' votes for it.
--
-- A feedback's user_id is its author, a user of the SaaS when it was
-- written; it has no foreign key, so the feedback stays when its author is
-- deleted. status is 0 to 3 (communication.Status). A vote is one user's,
-- once per feedback (the primary key), and goes with its user: deleting
-- the user from identity_users deletes the user's votes. Deleting a
-- feedback deletes its comments and votes (the store does it; the foreign
-- keys make sure nothing is added to a feedback being deleted). seq keeps
-- feedback in creation order per SaaS, comments and votes per feedback.
-- Times are Unix microseconds.

CREATE TABLE communication_feedbacks (
    saas_id     TEXT NOT NULL REFERENCES saas (id),
    id          TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    status      BIGINT NOT NULL CHECK (status BETWEEN 0 AND 3),
    created_at  BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (saas_id, id)
);
CREATE UNIQUE INDEX communication_feedbacks_order ON communication_feedbacks (saas_id, seq);

CREATE TABLE communication_comments (
    saas_id     TEXT NOT NULL,
    feedback_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (saas_id, id),
    UNIQUE (saas_id, feedback_id, seq),
    FOREIGN KEY (saas_id, feedback_id) REFERENCES communication_feedbacks (saas_id, id)
);

CREATE TABLE communication_votes (
    saas_id     TEXT NOT NULL,
    feedback_id TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (saas_id, feedback_id, user_id),
    UNIQUE (saas_id, feedback_id, seq),
    FOREIGN KEY (saas_id, feedback_id) REFERENCES communication_feedbacks (saas_id, id),
    FOREIGN KEY (saas_id, user_id) REFERENCES identity_users (saas_id, id) ON DELETE CASCADE
);
CREATE INDEX communication_votes_user ON communication_votes (saas_id, user_id);
