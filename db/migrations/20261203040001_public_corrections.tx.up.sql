-- Corrections of published fields and withdrawn publications (issue 8):
-- the secretariat's corrections of a nomination's public fields, overlaid
-- on its submitted snapshot in later publications (the snapshot is never
-- changed), and the withdrawal of a version before its embargo ends.
CREATE TABLE public_corrections (
    nomination_id BIGINT NOT NULL PRIMARY KEY REFERENCES nominations (id),
    content       TEXT   NOT NULL,
    updated_by    TEXT   NOT NULL,
    updated_at    {{.Time}} NOT NULL
);
--bun:split
ALTER TABLE publications ADD COLUMN withdrawn_at {{.Time}};
--bun:split
ALTER TABLE publications ADD COLUMN withdrawn_by TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE publications ADD COLUMN withdraw_reason TEXT NOT NULL DEFAULT '';
