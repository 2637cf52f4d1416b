-- Judging integrity (issue 8): panel members carry a version so that a
-- change names the version it edits; a judge declares a conflict with an
-- organisation, or an affiliation with an organisation, corporate number or
-- name (compared by its key), once: existing duplicates are dropped, keeping
-- the first declaration. A submitted score that the chair or the
-- secretariat reopened records who did and why; score events record the
-- score before each change and the reason of a reopening.
ALTER TABLE panel_members ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
--bun:split
DELETE FROM declared_conflicts WHERE id NOT IN (SELECT MIN(id) FROM declared_conflicts GROUP BY user_id, organisation_id);
--bun:split
CREATE UNIQUE INDEX declared_conflicts_once ON declared_conflicts (user_id, organisation_id);
--bun:split
ALTER TABLE affiliations ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
--bun:split
-- Existing names were stored NFKC-normalised; their key is recomputed by the
-- service when names are compared, the column only keeps new duplicates out.
UPDATE affiliations SET name_key = name;
--bun:split
DELETE FROM affiliations WHERE organisation_id IS NOT NULL
    AND id NOT IN (SELECT MIN(id) FROM affiliations WHERE organisation_id IS NOT NULL GROUP BY user_id, organisation_id);
--bun:split
DELETE FROM affiliations WHERE corporate_number <> ''
    AND id NOT IN (SELECT MIN(id) FROM affiliations WHERE corporate_number <> '' GROUP BY user_id, corporate_number);
--bun:split
DELETE FROM affiliations WHERE name_key <> ''
    AND id NOT IN (SELECT MIN(id) FROM affiliations WHERE name_key <> '' GROUP BY user_id, name_key);
--bun:split
CREATE UNIQUE INDEX affiliations_organisation_once ON affiliations (user_id, organisation_id) WHERE organisation_id IS NOT NULL;
--bun:split
CREATE UNIQUE INDEX affiliations_corporate_number_once ON affiliations (user_id, corporate_number) WHERE corporate_number <> '';
--bun:split
CREATE UNIQUE INDEX affiliations_name_once ON affiliations (user_id, name_key) WHERE name_key <> '';
--bun:split
ALTER TABLE scores ADD COLUMN reopened_at {{.Time}};
--bun:split
ALTER TABLE scores ADD COLUMN reopened_by TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE scores ADD COLUMN reopen_reason TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE score_events ADD COLUMN kind TEXT NOT NULL DEFAULT 'save';
--bun:split
ALTER TABLE score_events ADD COLUMN reason TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE score_events ADD COLUMN before_status TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE score_events ADD COLUMN before_vals TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE score_events ADD COLUMN before_comment TEXT NOT NULL DEFAULT '';
--bun:split
CREATE INDEX score_events_entry ON score_events (cycle_key, programme_key, stage_key, nomination_id);
