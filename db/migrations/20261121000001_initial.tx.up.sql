-- The initial schema. Rendered per dialect: {{.PK}} is an auto-increment
-- primary key, {{.Time}} a timestamp column (always written in UTC by Go).
CREATE TABLE cycle_versions (
    cycle_key  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    hash       TEXT    NOT NULL,
    definition TEXT    NOT NULL,
    loaded_at  {{.Time}} NOT NULL,
    loaded_by  TEXT    NOT NULL,
    PRIMARY KEY (cycle_key, version)
);
--bun:split
CREATE TABLE releases (
    cycle_key     TEXT NOT NULL,
    programme_key TEXT NOT NULL,
    released_at   {{.Time}} NOT NULL,
    released_by   TEXT NOT NULL,
    PRIMARY KEY (cycle_key, programme_key)
);
--bun:split
CREATE TABLE organisations (
    id                {{.PK}},
    name              TEXT    NOT NULL,
    name_kana         TEXT    NOT NULL,
    legal_form        TEXT    NOT NULL,
    corporate_number  TEXT,
    prefecture        TEXT    NOT NULL,
    municipality      TEXT    NOT NULL,
    industry          TEXT    NOT NULL,
    sme_sector        TEXT,
    total_headcount   INTEGER NOT NULL,
    regular_headcount INTEGER NOT NULL,
    capital           BIGINT,
    version           INTEGER NOT NULL,
    created_at        {{.Time}} NOT NULL,
    updated_at        {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX organisations_corporate_number ON organisations (corporate_number);
--bun:split
CREATE TABLE nominations (
    id              {{.PK}},
    cycle_key       TEXT    NOT NULL,
    cycle_version   INTEGER NOT NULL,
    programme_key   TEXT    NOT NULL,
    ministry        TEXT    NOT NULL,
    organisation_id BIGINT  NOT NULL REFERENCES organisations (id),
    state           TEXT    NOT NULL,
    stage           TEXT    NOT NULL,
    tier            TEXT    NOT NULL,
    award           TEXT    NOT NULL,
    answers         TEXT    NOT NULL,
    snapshot        TEXT,
    return_reason   TEXT    NOT NULL,
    return_due      {{.Time}},
    submitted_at    {{.Time}},
    version         INTEGER NOT NULL,
    created_at      {{.Time}} NOT NULL,
    updated_at      {{.Time}} NOT NULL,
    FOREIGN KEY (cycle_key, cycle_version) REFERENCES cycle_versions (cycle_key, version)
);
--bun:split
-- One live nomination per organisation, programme and cycle.
CREATE UNIQUE INDEX nominations_live ON nominations (organisation_id, cycle_key, programme_key)
    WHERE state <> 'withdrawn';
--bun:split
CREATE INDEX nominations_programme_state ON nominations (cycle_key, programme_key, state);
--bun:split
CREATE INDEX nominations_ministry ON nominations (ministry, id);
--bun:split
CREATE TABLE nomination_history (
    id            {{.PK}},
    nomination_id BIGINT  NOT NULL REFERENCES nominations (id),
    version       INTEGER NOT NULL,
    actor_id      TEXT    NOT NULL,
    actor_name    TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    action        TEXT    NOT NULL,
    from_state    TEXT    NOT NULL,
    to_state      TEXT    NOT NULL,
    stage         TEXT    NOT NULL,
    tier          TEXT    NOT NULL,
    award         TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    due           {{.Time}},
    at            {{.Time}} NOT NULL,
    UNIQUE (nomination_id, version)
);
