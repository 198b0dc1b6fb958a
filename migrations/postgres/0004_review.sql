-- studybot schema, step 4 (PostgreSQL): personal spaced repetition (FSRS). Keep in step with
-- migrations/sqlite/0004_review.sql.

-- A member's memory of one question in one server: the FSRS state (phase, stability,
-- difficulty, when due, ...) written in the same transaction as the answer that changed it.
CREATE TABLE review_cards (
    guild_id       BIGINT  NOT NULL,
    user_id        BIGINT  NOT NULL,
    question_id    TEXT    NOT NULL,
    topic          TEXT    NOT NULL,
    phase          TEXT    NOT NULL,
    stability      DOUBLE PRECISION NOT NULL,
    difficulty     DOUBLE PRECISION NOT NULL,
    due_at         BIGINT  NOT NULL,
    last_review    BIGINT ,
    reps           BIGINT  NOT NULL,
    lapses         BIGINT  NOT NULL,
    step           BIGINT  NOT NULL,
    scheduled_days BIGINT  NOT NULL,
    answered       BIGINT  NOT NULL DEFAULT 0,
    correct        BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id, question_id)
);
-- "What is due for this member" reads straight off this index.
CREATE INDEX review_cards_due ON review_cards (guild_id, user_id, due_at);

-- Answers that fed a card and are not a post's (daily and quiz answers are in `answers`):
-- for the review streak, new cards per day and stats. source: 'review' or 'exam' (the
-- check also admits 'daily' and 'quiz').
CREATE TABLE review_log (
    guild_id    BIGINT  NOT NULL,
    user_id     BIGINT  NOT NULL,
    question_id TEXT    NOT NULL,
    source      TEXT    NOT NULL CHECK (source IN ('daily', 'quiz', 'review', 'exam')),
    correct     BOOLEAN NOT NULL,
    was_new     BOOLEAN NOT NULL,
    rating      TEXT    NOT NULL,
    reviewed_at BIGINT  NOT NULL
);
CREATE INDEX review_log_member ON review_log (guild_id, user_id, reviewed_at);

-- A server's review settings (defaults when no row: retention 0.9, 10 new a day).
CREATE TABLE review_settings (
    guild_id          BIGINT  PRIMARY KEY,
    desired_retention DOUBLE PRECISION NOT NULL,
    new_per_day       BIGINT  NOT NULL
);

-- Who wants a daily "reviews due" reminder, and the last local date one was sent (so never two
-- in a day, whichever process sends it).
CREATE TABLE review_reminders (
    guild_id  BIGINT  NOT NULL,
    user_id   BIGINT  NOT NULL,
    enabled   BOOLEAN NOT NULL,
    last_sent TEXT,
    PRIMARY KEY (guild_id, user_id)
);
