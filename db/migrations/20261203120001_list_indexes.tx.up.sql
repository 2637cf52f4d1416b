-- Indexes for the keyset-paginated lists (issue 9): each list reads its
-- page by walking an index in the list's order (nominations newest first,
-- by id; organisations and users by id) after the cursor's id, so every
-- filter a list accepts leads an index that ends in id. The planner then
-- stops after the page's rows instead of reading and sorting every match.
--
-- Nominations: staff lists are bounded by ministry (nominations_ministry
-- (ministry, id) already exists); the filters are cycle, programme, state,
-- and the organisation's prefecture and industry.
CREATE INDEX nominations_ministry_state ON nominations (ministry, state, id);
--bun:split
CREATE INDEX nominations_cycle ON nominations (cycle_key, id);
--bun:split
CREATE INDEX nominations_programme ON nominations (programme_key, id);
--bun:split
-- Replaces (cycle_key, programme_key, state): the same prefix, which the
-- counts by state of a programme use, now ordered by id for the list.
DROP INDEX nominations_programme_state;
--bun:split
CREATE INDEX nominations_programme_state ON nominations (cycle_key, programme_key, state, id);
--bun:split
CREATE INDEX nominations_cycle_programme ON nominations (cycle_key, programme_key, id);
--bun:split
CREATE INDEX nominations_state ON nominations (state, id);
--bun:split
-- An applicant's own list (and its organisation's other nominations).
CREATE INDEX nominations_organisation ON nominations (organisation_id, id);
--bun:split
-- Organisations by prefecture and industry, in id order; the nomination
-- list's prefecture and industry filters join through them too.
CREATE INDEX organisations_prefecture ON organisations (prefecture, id);
--bun:split
CREATE INDEX organisations_industry ON organisations (industry, id);
--bun:split
-- A secretariat's user list: the users holding a grant in its ministries.
CREATE INDEX role_grants_domain ON role_grants (domain, user_id);
