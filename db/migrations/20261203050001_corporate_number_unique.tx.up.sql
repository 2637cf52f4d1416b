-- One organisation per corporate number (法人番号): a second organisation
-- claiming a number another already holds is refused (the service checks
-- first, in the same transaction; this index settles races). Organisations
-- without a number (NULL) are not constrained.
--
-- A database that already holds two organisations with the same number
-- cannot take this index. The migration then REFUSES with the error
--   CHECK constraint "merge_organisations_sharing_a_corporate_number_first"
-- (PostgreSQL: violates check constraint ...; SQLite: CHECK constraint
-- failed: ...), and changes nothing. Find them with
--   SELECT corporate_number, COUNT(*) FROM organisations
--   WHERE corporate_number IS NOT NULL GROUP BY corporate_number HAVING COUNT(*) > 1;
-- merge each set into one organisation (or clear the wrong number), then
-- run `awardflow migrate` again.
CREATE TEMPORARY TABLE corporate_number_duplicates (
    sets INTEGER NOT NULL,
    CONSTRAINT merge_organisations_sharing_a_corporate_number_first CHECK (sets = 0)
);
--bun:split
INSERT INTO corporate_number_duplicates (sets)
SELECT COUNT(*) FROM (
    SELECT corporate_number FROM organisations
    WHERE corporate_number IS NOT NULL
    GROUP BY corporate_number HAVING COUNT(*) > 1
) AS duplicated;
--bun:split
DROP TABLE corporate_number_duplicates;
--bun:split
DROP INDEX organisations_corporate_number;
--bun:split
CREATE UNIQUE INDEX organisations_corporate_number ON organisations (corporate_number)
WHERE corporate_number IS NOT NULL;
