-- What an applicant sees of its nomination before results are released:
-- applicant_version and applicant_updated_at move only with the steps the
-- applicant can see (create, answer edits, submit, return, resubmit,
-- withdraw), so that version, ETag and updated_at tell no staff step.
-- History rows carry the applicant version after their step. Releases
-- record an explicit confirmation of undecided nominations, with the counts
-- by state it confirmed.
ALTER TABLE nominations ADD COLUMN applicant_version INTEGER NOT NULL DEFAULT 0;
--bun:split
ALTER TABLE nominations ADD COLUMN applicant_updated_at {{.Time}};
--bun:split
ALTER TABLE nomination_history ADD COLUMN applicant_version INTEGER NOT NULL DEFAULT 0;
--bun:split
-- Existing history: number the applicant-visible steps of each nomination
-- 1, 2, ... (answer edits left no history, so a row takes the count of
-- visible steps up to it) and let staff steps carry the count before them.
UPDATE nomination_history SET applicant_version = (
    SELECT COUNT(*) FROM nomination_history AS h
    WHERE h.nomination_id = nomination_history.nomination_id
      AND h.version <= nomination_history.version
      AND h.action IN ('create', 'submit', 'return', 'resubmit', 'withdraw'));
--bun:split
-- Existing nominations: a draft's or returned nomination's every change
-- since the last staff step is the applicant's own (edits); otherwise the
-- applicant last saw its latest visible step.
UPDATE nominations SET
    applicant_version = COALESCE((SELECT MAX(h.applicant_version) FROM nomination_history AS h
        WHERE h.nomination_id = nominations.id), 0)
        + CASE WHEN state IN ('draft', 'returned') THEN version - COALESCE((SELECT MAX(h.version) FROM nomination_history AS h
            WHERE h.nomination_id = nominations.id), version) ELSE 0 END,
    applicant_updated_at = CASE WHEN state IN ('draft', 'returned') THEN updated_at ELSE COALESCE((SELECT MAX(h.at) FROM nomination_history AS h
        WHERE h.nomination_id = nominations.id AND h.action IN ('create', 'submit', 'return', 'resubmit', 'withdraw')), updated_at) END;
--bun:split
ALTER TABLE releases ADD COLUMN confirmed_undecided TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE releases ADD COLUMN confirm_reason TEXT NOT NULL DEFAULT '';
