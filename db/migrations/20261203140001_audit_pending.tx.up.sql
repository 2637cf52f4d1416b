-- Unsealed audit entries (db/audit.go): a transaction inserts the entries of
-- its writes here, each with its content hash (SHA-256 over cycle,
-- programme, kind, ids, time and canonical payload; workflow/audit.go), and
-- takes no lock and no position in the chain. The sealer (Store.SealAudit)
-- moves committed entries into audit_log in id order, assigning seq,
-- prev_hash and hash and moving the head, in one transaction: an entry is
-- either here or sealed, never both. audit_log and its sealed rows are
-- unchanged, so its columns stay NOT NULL.
CREATE TABLE audit_pending (
    id             {{.PK}},
    cycle_key      TEXT    NOT NULL,
    programme_key  TEXT    NOT NULL,
    kind           TEXT    NOT NULL,
    nomination_id  BIGINT  NOT NULL,
    ref_id         BIGINT  NOT NULL,
    payload        TEXT    NOT NULL,
    at             {{.Time}} NOT NULL,
    content_hash   TEXT    NOT NULL
);
--bun:split
CREATE UNIQUE INDEX audit_pending_ref ON audit_pending (kind, ref_id);
--bun:split
CREATE INDEX audit_pending_programme ON audit_pending (cycle_key, programme_key, id);
