-- studybot schema, step 2 (SQLite): live quiz sessions, quiz posts linked to their session, and
-- score totals per kind of question. Keep in step with migrations/postgres/0002_quiz.sql.

-- A live quiz: started by a member in `parent_channel_id`, run in `channel_id` (the thread made
-- for it, or the same channel) by the process `holder`. Answers are stored as they arrive, so a
-- quiz whose process died keeps its points and is marked 'abandoned' at the next start.
CREATE TABLE quiz_sessions (
    quiz_id           INTEGER PRIMARY KEY,
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,
    parent_channel_id INTEGER NOT NULL,
    started_by        INTEGER NOT NULL,
    holder            TEXT    NOT NULL,
    topic             TEXT,
    exam              TEXT,
    questions         INTEGER NOT NULL,
    seconds           INTEGER NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'running'
                      CHECK (state IN ('running', 'completed', 'stopped', 'silent', 'abandoned')),
    started_at        INTEGER NOT NULL,
    ended_at          INTEGER
);
-- One running quiz per channel: where it runs, and where it was started.
CREATE UNIQUE INDEX quiz_sessions_running_channel ON quiz_sessions (channel_id) WHERE state = 'running';
CREATE UNIQUE INDEX quiz_sessions_running_parent ON quiz_sessions (parent_channel_id) WHERE state = 'running';
-- Abandoning the running quizzes of a process, or the ones too old to be alive.
CREATE INDEX quiz_sessions_running_since ON quiz_sessions (started_at) WHERE state = 'running';
CREATE INDEX quiz_sessions_guild ON quiz_sessions (guild_id);

-- A quiz question is a post of kind 'quiz' linked to its session.
ALTER TABLE posts ADD COLUMN quiz_id INTEGER REFERENCES quiz_sessions (quiz_id);
CREATE INDEX posts_quiz ON posts (quiz_id) WHERE quiz_id IS NOT NULL;

-- Totals per kind: 'all' (the rows so far), 'daily' and 'quiz'. SQLite cannot change a primary
-- key in place: build the new table, copy, backfill the per-kind rows from the answers, swap.
DROP TRIGGER answers_add_to_totals;

CREATE TABLE score_totals_new (
    guild_id   INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    period     TEXT    NOT NULL,
    kind       TEXT    NOT NULL DEFAULT 'all' CHECK (kind IN ('all', 'daily', 'quiz')),
    user_id    INTEGER NOT NULL,
    points     INTEGER NOT NULL,
    answered   INTEGER NOT NULL,
    correct    INTEGER NOT NULL,
    accuracy   INTEGER NOT NULL, -- correct / answered in millionths, for ordering
    last_at    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, channel_id, period, kind, user_id)
);

INSERT INTO score_totals_new (guild_id, channel_id, period, kind, user_id, points, answered, correct, accuracy, last_at)
SELECT guild_id, channel_id, period, 'all', user_id, points, answered, correct, accuracy, last_at
FROM score_totals;

-- Per kind: (whole server, its channel) x (all time, its week, its month), as the trigger adds.
INSERT INTO score_totals_new (guild_id, channel_id, period, kind, user_id, points, answered, correct, accuracy, last_at)
SELECT a.guild_id,
       CASE WHEN s.n = 0 THEN 0 ELSE a.channel_id END,
       CASE k.n WHEN 0 THEN 'all' WHEN 1 THEN a.week_key ELSE a.month_key END,
       p.kind,
       a.user_id,
       SUM(a.points),
       COUNT(*),
       SUM(CASE WHEN a.correct THEN 1 ELSE 0 END),
       SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) * 1000000 / COUNT(*),
       MAX(a.answered_at)
FROM answers a
JOIN posts p ON p.post_id = a.post_id
CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1) AS s
CROSS JOIN (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2) AS k
GROUP BY 1, 2, 3, 4, 5;

DROP TABLE score_totals;
ALTER TABLE score_totals_new RENAME TO score_totals;

-- Leaderboard order within (server, channel, period, kind): points, then accuracy, then who
-- got there first.
CREATE INDEX score_totals_rank ON score_totals (guild_id, channel_id, period, kind, points DESC, accuracy DESC, last_at ASC, user_id ASC);
-- Deleting a member's data, in one server or all.
CREATE INDEX score_totals_user ON score_totals (user_id, guild_id);

-- Each answer adds to twelve totals: (whole server, its channel) x (all time, its week, its
-- month) x (all kinds, its post's kind).
CREATE TRIGGER answers_add_to_totals AFTER INSERT ON answers
BEGIN
    INSERT INTO score_totals (guild_id, channel_id, period, kind, user_id, points, answered, correct, accuracy, last_at)
    SELECT NEW.guild_id, s.channel_id, k.period, t.kind, NEW.user_id, NEW.points, 1, NEW.correct, NEW.correct * 1000000, NEW.answered_at
    FROM (SELECT 0 AS channel_id UNION ALL SELECT NEW.channel_id) AS s,
         (SELECT 'all' AS period UNION ALL SELECT NEW.week_key UNION ALL SELECT NEW.month_key) AS k,
         (SELECT 'all' AS kind UNION ALL SELECT p.kind FROM posts p WHERE p.post_id = NEW.post_id) AS t
    WHERE true
    ON CONFLICT (guild_id, channel_id, period, kind, user_id) DO UPDATE SET
        points   = score_totals.points + excluded.points,
        answered = score_totals.answered + 1,
        correct  = score_totals.correct + excluded.correct,
        accuracy = (score_totals.correct + excluded.correct) * 1000000 / (score_totals.answered + 1),
        last_at  = max(score_totals.last_at, excluded.last_at);
END;
