-- The stored eligibility of a nomination (workflow.Programme.EligibilityOf:
-- the verdict of the step it stands at, 'pass', 'fail' or 'unknown'), which
-- the service writes with every change of what it depends on, so that the
-- nomination list can filter on it. Verdicts are computed from the answers,
-- the organisation and the cycle's rules (expressions), which SQL cannot
-- evaluate: existing rows start '' (not yet evaluated) and
-- workflow.Service.EvaluateEligibility fills them in, run by `awardflow
-- migrate` after the migrations and by `awardflow serve` at start.
ALTER TABLE nominations ADD COLUMN eligibility TEXT NOT NULL DEFAULT '';
--bun:split
-- The list's verdict filter within a secretariat's ministry, in id order
-- like the other list filters (see 20261203120001_list_indexes).
CREATE INDEX nominations_ministry_eligibility ON nominations (ministry, eligibility, id);
--bun:split
-- Administrators' lists (every ministry) and the rows not yet evaluated.
CREATE INDEX nominations_eligibility ON nominations (eligibility, id);
