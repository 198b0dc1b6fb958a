-- Group standings read each group's members straight off one covering index (server, group,
-- member) instead of the index and the table.
CREATE INDEX member_roles_role_user ON member_roles (guild_id, role_id, user_id);
DROP INDEX member_roles_role;

-- The running totals grow once per statement instead of once per answer: answers inserted
-- together (a group commit, a bulk load) are summed per total first, then one upsert adds each
-- sum, so a member answering in several posts of a batch touches each of their totals once.
-- Each answer still adds to twelve totals: (whole server, its channel) x (all time, its week,
-- its month) x (all kinds, its post's kind).
DROP TRIGGER answers_add_to_totals ON answers;
DROP FUNCTION answers_add_to_totals();
CREATE FUNCTION answers_add_to_totals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO score_totals (guild_id, channel_id, period, kind, user_id, points, answered, correct, accuracy, last_at)
    SELECT a.guild_id, s.channel_id, k.period, t.kind, a.user_id,
           SUM(a.points), COUNT(*), SUM(CASE WHEN a.correct THEN 1 ELSE 0 END),
           SUM(CASE WHEN a.correct THEN 1 ELSE 0 END) * 1000000 / COUNT(*), MAX(a.answered_at)
    FROM new_answers a
    JOIN posts p ON p.post_id = a.post_id
    CROSS JOIN LATERAL (VALUES (0::BIGINT), (a.channel_id)) AS s (channel_id)
    CROSS JOIN LATERAL (VALUES ('all'::TEXT), (a.week_key), (a.month_key)) AS k (period)
    CROSS JOIN LATERAL (VALUES ('all'::TEXT), (p.kind)) AS t (kind)
    GROUP BY 1, 2, 3, 4, 5
    ON CONFLICT (guild_id, channel_id, period, kind, user_id) DO UPDATE SET
        points   = score_totals.points + excluded.points,
        answered = score_totals.answered + excluded.answered,
        correct  = score_totals.correct + excluded.correct,
        accuracy = (score_totals.correct + excluded.correct) * 1000000 / (score_totals.answered + excluded.answered),
        last_at  = GREATEST(score_totals.last_at, excluded.last_at);
    RETURN NULL;
END;
$$;
CREATE TRIGGER answers_add_to_totals AFTER INSERT ON answers REFERENCING NEW TABLE AS new_answers
    FOR EACH STATEMENT EXECUTE FUNCTION answers_add_to_totals();
