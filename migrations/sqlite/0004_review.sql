-- studybot schema, step 4 (SQLite): personal spaced repetition (FSRS). Keep in step with
-- migrations/postgres/0004_review.sql.

-- A member's memory of one question in one server: the FSRS state (phase, stability,
-- difficulty, when due, ...) written in the same transaction as the answer that changed it.
CREATE TABLE review_cards (
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    question_id    TEXT    NOT NULL,
    topic          TEXT    NOT NULL,
    phase          TEXT    NOT NULL,
    stability      REAL    NOT NULL,
    difficulty     REAL    NOT NULL,
    due_at         INTEGER NOT NULL,
    last_review    INTEGER,
    reps           INTEGER NOT NULL,
    lapses         INTEGER NOT NULL,
    step           INTEGER NOT NULL,
    scheduled_days INTEGER NOT NULL,
    answered       INTEGER NOT NULL DEFAULT 0,
    correct        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id, question_id)
);
-- "What is due for this member" reads straight off this index.
CREATE INDEX review_cards_due ON review_cards (guild_id, user_id, due_at);

-- Answers that fed a card and are not a post's (daily and quiz answers are in `answers`):
-- for the review streak, new cards per day and stats. source: 'review' or 'exam' (the
-- check also admits 'daily' and 'quiz').
CREATE TABLE review_log (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    question_id TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('daily', 'quiz', 'review', 'exam')),
    correct     BOOLEAN NOT NULL,
    was_new     BOOLEAN NOT NULL,
    rating      TEXT    NOT NULL,
    reviewed_at INTEGER NOT NULL
);
CREATE INDEX review_log_member ON review_log (guild_id, user_id, reviewed_at);

-- A server's review settings (defaults when no row: retention 0.9, 10 new a day).
CREATE TABLE review_settings (
    guild_id          INTEGER PRIMARY KEY,
    desired_retention REAL    NOT NULL,
    new_per_day       INTEGER NOT NULL
);

-- Who wants a daily "reviews due" reminder, and the last local date one was sent (so never two
-- in a day, whichever process sends it).
CREATE TABLE review_reminders (
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    enabled   BOOLEAN NOT NULL,
    last_sent TEXT,
    PRIMARY KEY (guild_id, user_id)
);
