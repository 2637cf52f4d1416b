-- Judging reads what one request needs (issue 9): a judge's assignments and
-- scores at a stage are found by index, so listing a judge's entries costs
-- in proportion to that judge's entries, not to the stage. One entry's
-- assignment and score are found by their primary keys.
CREATE INDEX assignments_judge ON assignments (cycle_key, programme_key, stage_key, user_id, nomination_id);
--bun:split
CREATE INDEX scores_judge ON scores (cycle_key, programme_key, stage_key, user_id, nomination_id);
