-- Server secrets generated on first use (the scoring-sheet signing key when
-- AWARDFLOW_SHEET_KEY is not set), and published award lists: each
-- publication of a programme is a new version with its embargo and reason;
-- earlier versions stay.
CREATE TABLE server_keys (
    name       TEXT NOT NULL PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE publications (
    id            {{.PK}},
    cycle_key     TEXT    NOT NULL,
    programme_key TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    embargo_at    {{.Time}} NOT NULL,
    reason        TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    created_by    TEXT    NOT NULL,
    created_at    {{.Time}} NOT NULL,
    UNIQUE (cycle_key, programme_key, version)
);
