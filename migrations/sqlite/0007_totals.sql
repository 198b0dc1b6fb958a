-- A total's key leads with the member: (member, server, channel, period, kind). The key serves
-- both the upsert of each answer and deleting a member's data, so the separate (member, server)
-- index goes (one index fewer to write per new total). SQLite cannot change a primary key in
-- place: build the new table, copy, swap; the trigger is dropped and created again around it.
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
    PRIMARY KEY (user_id, guild_id, channel_id, period, kind)
);

INSERT INTO score_totals_new (guild_id, channel_id, period, kind, user_id, points, answered, correct, accuracy, last_at)
SELECT guild_id, channel_id, period, kind, user_id, points, answered, correct, accuracy, last_at
FROM score_totals;

DROP TABLE score_totals;
ALTER TABLE score_totals_new RENAME TO score_totals;

-- Leaderboard order within (server, channel, period, kind): points, then accuracy, then who
-- got there first.
CREATE INDEX score_totals_rank ON score_totals (guild_id, channel_id, period, kind, points DESC, accuracy DESC, last_at ASC, user_id ASC);

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
    ON CONFLICT (user_id, guild_id, channel_id, period, kind) DO UPDATE SET
        points   = score_totals.points + excluded.points,
        answered = score_totals.answered + 1,
        correct  = score_totals.correct + excluded.correct,
        accuracy = (score_totals.correct + excluded.correct) * 1000000 / (score_totals.answered + 1),
        last_at  = max(score_totals.last_at, excluded.last_at);
END;

-- The notes of answers not yet in the totals (PostgreSQL adds answers to the totals in the
-- background, see its 0007). SQLite's trigger above adds each answer as it is inserted (one
-- writer, no row versions), so nothing is ever noted here; the table exists so that both
-- databases have the same tables.
CREATE TABLE score_pending (
    post_id  INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    guild_id INTEGER NOT NULL
);
