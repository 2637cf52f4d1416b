-- The nomination list's size filter (a band of the organisation's regular
-- headcount, 常時雇用), in id order like the other list filters.
CREATE INDEX organisations_regular_headcount ON organisations (regular_headcount, id);
