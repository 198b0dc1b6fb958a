-- studybot schema, step 1 (SQLite). Times are UTC milliseconds since the Unix epoch; local
-- dates are 'YYYY-MM-DD' text. Keep in step with migrations/postgres/0001_init.sql.

CREATE TABLE guilds (
    guild_id   INTEGER PRIMARY KEY,
    time_zone  TEXT    NOT NULL DEFAULT 'UTC',
    joined_at  INTEGER NOT NULL,
    left_at    INTEGER
);

CREATE TABLE daily_schedules (
    guild_id       INTEGER NOT NULL,
    channel_id     INTEGER NOT NULL,
    local_time     TEXT    NOT NULL, -- 'HH:MM'
    time_zone      TEXT    NOT NULL, -- IANA name
    days           TEXT    NOT NULL DEFAULT 'mon,tue,wed,thu,fri,sat,sun',
    topics         TEXT    NOT NULL DEFAULT '', -- comma-separated; empty = all
    exams          TEXT    NOT NULL DEFAULT '',
    window_minutes INTEGER,                        -- empty = until the next post, at most 24 h
    mention_role   INTEGER,
    seed           INTEGER NOT NULL,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    paused_reason  TEXT,
    slot_date      TEXT,    -- local date of the next slot to post
    next_due_at    INTEGER,     -- when to try it: the slot's instant, or a retry after it
    PRIMARY KEY (guild_id, channel_id)
);
CREATE INDEX daily_schedules_due ON daily_schedules (next_due_at);

CREATE TABLE posts (
    post_id     INTEGER PRIMARY KEY,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('daily', 'quiz')),
    question_id TEXT    NOT NULL,
    topic       TEXT    NOT NULL,
    local_date  TEXT,
    message_id  INTEGER,
    state       TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('claimed', 'open', 'closed')),
    posted_at   INTEGER NOT NULL,
    closes_at   INTEGER,
    closed_at   INTEGER,
    -- Daily posts: the slot's instant, and who holds the claim (state 'claimed') since when.
    due_at      INTEGER,
    claimed_by  TEXT,
    claimed_at  INTEGER,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
);
CREATE UNIQUE INDEX posts_daily_slot ON posts (channel_id, local_date) WHERE kind = 'daily';
CREATE INDEX posts_channel ON posts (guild_id, channel_id, kind, local_date);
CREATE INDEX posts_closing ON posts (state, closes_at);

CREATE TABLE answers (
    post_id     INTEGER NOT NULL REFERENCES posts (post_id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    choice      TEXT    NOT NULL,
    correct     BOOLEAN NOT NULL,
    points      INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    week_key    TEXT    NOT NULL, -- the periods the answer counts in, in the server's zone
    month_key   TEXT    NOT NULL,
    PRIMARY KEY (post_id, user_id)
);
CREATE INDEX answers_user ON answers (guild_id, user_id);

-- Running totals per (server, channel or 0 for the whole server, period, user), kept by the
-- trigger below in the same statement as the answer, so a leaderboard reads a few rows, not
-- every answer.
CREATE TABLE score_totals (
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    period     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    points     INTEGER NOT NULL,
    answered   INTEGER NOT NULL,
    correct    INTEGER NOT NULL,
    accuracy   INTEGER NOT NULL, -- correct / answered in millionths, for ordering
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id, period, user_id)
);
-- Leaderboard order: points, then accuracy, then who got there first.
CREATE INDEX score_totals_rank ON score_totals (guild_id, channel_id, period, points DESC, accuracy DESC, last_at ASC, user_id ASC);
-- Deleting a member's data, in one server or all.
CREATE INDEX score_totals_user ON score_totals (user_id, guild_id);

-- Each answer adds to six totals: (whole server, its channel) x (all time, its week, its month).
CREATE TRIGGER answers_add_to_totals AFTER INSERT ON answers
BEGIN
    INSERT INTO score_totals (guild_id, channel_id, period, user_id, points, answered, correct, accuracy, last_at)
    SELECT NEW.guild_id, s.channel_id, k.period, NEW.user_id, NEW.points, 1, NEW.correct, NEW.correct * 1000000, NEW.answered_at
    FROM (SELECT 0 AS channel_id UNION ALL SELECT NEW.channel_id) AS s,
         (SELECT 'all' AS period UNION ALL SELECT NEW.week_key UNION ALL SELECT NEW.month_key) AS k
    WHERE true
    ON CONFLICT (guild_id, channel_id, period, user_id) DO UPDATE SET
        points   = score_totals.points + excluded.points,
        answered = score_totals.answered + 1,
        correct  = score_totals.correct + excluded.correct,
        accuracy = (score_totals.correct + excluded.correct) * 1000000 / (score_totals.answered + 1),
        last_at  = max(score_totals.last_at, excluded.last_at);
END;

CREATE TABLE member_roles (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    role_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id, role_id)
);
CREATE INDEX member_roles_role ON member_roles (guild_id, role_id);
