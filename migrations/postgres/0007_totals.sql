-- A total's key leads with the member: (member, server, channel, period, kind). The key serves
-- both the upsert of each answer and deleting a member's data, so the separate (member, server)
-- index goes. Every change of a total writes a new row version into each index of the table
-- (the leaderboard order changes with the points, so it cannot be a HOT update), and the index
-- that went cost about a third of the time of recording an answer.
ALTER TABLE score_totals DROP CONSTRAINT score_totals_pkey;
ALTER TABLE score_totals ADD PRIMARY KEY (user_id, guild_id, channel_id, period, kind);
DROP INDEX score_totals_user;

-- Answers reach the totals in the background. Inserting an answer only notes it here (a plain
-- row, no index); the store adds the noted answers to the totals every fraction of a second,
-- and before any read of the totals, in one statement that takes the notes out and sums them
-- per total. A member who answers ten times between two passes then changes each of their
-- twelve totals once instead of ten times: every change of a total writes a new version of the
-- row into both indexes, and that churn was most of the cost of recording an answer. A note
-- leaves in the same transaction that adds it to the totals, so an answer counts exactly once,
-- also with several bot processes adding at once.
CREATE TABLE score_pending (
    post_id  BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    guild_id BIGINT NOT NULL
);
-- A queue: rows come and go all day, so vacuum it after every thousand gone rather than after a
-- fifth of the table, which keeps the scans that take notes short.
ALTER TABLE score_pending SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000);

DROP TRIGGER answers_add_to_totals ON answers;
DROP FUNCTION answers_add_to_totals();
CREATE FUNCTION answers_note_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO score_pending (post_id, user_id, guild_id)
    SELECT post_id, user_id, guild_id FROM new_answers;
    RETURN NULL;
END;
$$;
CREATE TRIGGER answers_note_pending AFTER INSERT ON answers REFERENCING NEW TABLE AS new_answers
    FOR EACH STATEMENT EXECUTE FUNCTION answers_note_pending();

-- Answers already stored before this migration are in the totals already: nothing is pending.

-- Aborts the statement that calls it. A group commit of answers writes their review cards in
-- the same statement, each only if it is still as it was read; when one changed meanwhile
-- (another bot process), this undoes the whole statement and the batch is written again.
CREATE FUNCTION review_cards_changed() RETURNS BIGINT LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a review card changed while its answer was written' USING ERRCODE = 'serialization_failure';
END;
$$;
