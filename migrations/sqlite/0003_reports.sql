-- studybot schema, step 3 (SQLite): what a post showed, and reports of questions by members.
-- Keep in step with migrations/postgres/0003_reports.sql.

-- The question as it was shown (JSON: prompt, choices, answer, explanation, source), so a
-- reveal or a late answer never depends on today's question bank. NULL for posts made before.
ALTER TABLE posts ADD COLUMN shown TEXT;

-- A member's report of a question: per server, who, when, why, and the text they saw.
-- state: 'open' until an admin resolves it (fixed) or dismisses it (nothing to fix).
CREATE TABLE question_reports (
    report_id   INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL, -- 0 once the member had their data deleted
    question_id TEXT    NOT NULL,
    reason      TEXT    NOT NULL CHECK (reason IN ('wrong-answer', 'unclear', 'typo', 'other')),
    details     TEXT,
    shown       TEXT    NOT NULL,
    post_id     INTEGER,
    created_at  INTEGER NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved', 'dismissed')),
    closed_by   INTEGER,
    closed_at   INTEGER
);
-- Open reports of a server by question (the /reports list and the rotation filter).
CREATE INDEX question_reports_open ON question_reports (guild_id, question_id) WHERE state = 'open';
-- A member's reports of a day (the daily limit) and /forget-me.
CREATE INDEX question_reports_member ON question_reports (user_id, guild_id, created_at);
