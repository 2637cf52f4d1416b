-- Changes of call and judging windows made by a secretariat (deadline
-- extensions, reopened judging) without reloading the cycle file: a log per
-- window (stage_key '' is the programme's call), the highest seq in force.
-- The unique key gives concurrent changes of one window a single winner.
CREATE TABLE window_changes (
    id              {{.PK}},
    cycle_key       TEXT    NOT NULL,
    programme_key   TEXT    NOT NULL,
    stage_key       TEXT    NOT NULL,
    seq             INTEGER NOT NULL,
    opens_at        {{.Time}} NOT NULL,
    closes_at       {{.Time}} NOT NULL,
    prev_opens_at   {{.Time}} NOT NULL,
    prev_closes_at  {{.Time}} NOT NULL,
    reason          TEXT    NOT NULL,
    actor_id        TEXT    NOT NULL,
    actor_name      TEXT    NOT NULL,
    changed_at      {{.Time}} NOT NULL,
    UNIQUE (cycle_key, programme_key, stage_key, seq)
);
