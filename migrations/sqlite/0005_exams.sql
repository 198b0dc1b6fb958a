-- studybot schema, step 5 (SQLite): timed mock exams. Keep in step with
-- migrations/postgres/0005_exams.sql.

-- A member's mock exam in a server: the session (answers, flags, position, start, deadline,
-- submission) as JSON, the questions as they were shown (JSON), and the graded result once
-- submitted. `version` changes with every save, so two clicks at once cannot lose an answer.
CREATE TABLE exam_sessions (
    exam_id      INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    exam         TEXT    NOT NULL,
    session      TEXT    NOT NULL,
    questions    TEXT    NOT NULL,
    version      INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER NOT NULL,
    deadline     INTEGER NOT NULL,
    submitted_at INTEGER,
    result       TEXT
);
-- One open exam per member and server.
CREATE UNIQUE INDEX exam_sessions_open ON exam_sessions (guild_id, user_id) WHERE submitted_at IS NULL;
-- Open exams whose time ran out, for the auto-submit.
CREATE INDEX exam_sessions_deadline ON exam_sessions (deadline) WHERE submitted_at IS NULL;
-- A member's history.
CREATE INDEX exam_sessions_member ON exam_sessions (guild_id, user_id, started_at);
