-- The audit log: one append-only, hash-chained log per programme (cycle key
-- and programme key) of every nomination history row, score event and answer
-- edit, written in the same transaction as the change (db/audit.go). seq runs
-- 1, 2, … per programme; hash = SHA-256 over seq, prev_hash, kind, the ids,
-- at and the canonical payload (workflow/audit.go), so editing, deleting or
-- inserting an entry breaks the chain. `awardflow audit verify` checks it.
CREATE TABLE audit_log (
    id             {{.PK}},
    cycle_key      TEXT    NOT NULL,
    programme_key  TEXT    NOT NULL,
    seq            BIGINT  NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    nomination_id  BIGINT  NOT NULL,
    ref_id         BIGINT  NOT NULL,
    payload        TEXT    NOT NULL,
    at             {{.Time}} NOT NULL,
    UNIQUE (cycle_key, programme_key, seq)
);
--bun:split
CREATE UNIQUE INDEX audit_log_ref ON audit_log (kind, ref_id);
--bun:split
CREATE INDEX audit_log_nomination ON audit_log (nomination_id);
--bun:split
-- The newest entry of each chain: appending locks this row for the last
-- statements of the transaction only, and a deleted newest entry shows.
CREATE TABLE audit_heads (
    cycle_key      TEXT    NOT NULL,
    programme_key  TEXT    NOT NULL,
    seq            BIGINT  NOT NULL,
    hash           TEXT    NOT NULL,
    PRIMARY KEY (cycle_key, programme_key)
);
--bun:split
-- Answer edits: who changed which answers of a nomination, before and after
-- (changes is JSON: [{"field", "before", "after"}]).
CREATE TABLE answer_edits (
    id                {{.PK}},
    nomination_id     BIGINT  NOT NULL REFERENCES nominations (id),
    version           INTEGER NOT NULL,
    applicant_version INTEGER NOT NULL,
    actor_id          TEXT    NOT NULL,
    actor_name        TEXT    NOT NULL,
    role              TEXT    NOT NULL,
    changes           TEXT    NOT NULL,
    at                {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX answer_edits_nomination ON answer_edits (nomination_id, id);
--bun:split
-- The chains start here: history rows and score events already stored have
-- no entries (no backfill), and verify checks only the rows after these ids.
CREATE TABLE audit_start (
    history_after      BIGINT NOT NULL,
    score_events_after BIGINT NOT NULL
);
--bun:split
INSERT INTO audit_start (history_after, score_events_after)
SELECT COALESCE((SELECT MAX(id) FROM nomination_history), 0), COALESCE((SELECT MAX(id) FROM score_events), 0);
