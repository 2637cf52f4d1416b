-- Judging: panels, declared affiliations and conflicts, assignments and
-- assignment proposals, scores with their audit trail, and applied
-- decisions. stage_versions counts changes to a stage's panel and
-- assignments, so that a proposal applies only to the state it was made from.
CREATE TABLE panel_members (
    cycle_key     TEXT   NOT NULL,
    programme_key TEXT   NOT NULL,
    stage_key     TEXT   NOT NULL,
    user_id       BIGINT NOT NULL REFERENCES users (id),
    role          TEXT   NOT NULL,
    industries    TEXT   NOT NULL,
    prefectures   TEXT   NOT NULL,
    added_by      TEXT   NOT NULL,
    added_at      {{.Time}} NOT NULL,
    PRIMARY KEY (cycle_key, programme_key, stage_key, user_id)
);
--bun:split
CREATE TABLE affiliations (
    id               {{.PK}},
    user_id          BIGINT NOT NULL REFERENCES users (id),
    organisation_id  BIGINT REFERENCES organisations (id),
    corporate_number TEXT   NOT NULL,
    name             TEXT   NOT NULL,
    declared_at      {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX affiliations_user ON affiliations (user_id);
--bun:split
CREATE TABLE declared_conflicts (
    id              {{.PK}},
    user_id         BIGINT NOT NULL REFERENCES users (id),
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    source          TEXT   NOT NULL,
    reason          TEXT   NOT NULL,
    created_by      TEXT   NOT NULL,
    created_at      {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX declared_conflicts_user ON declared_conflicts (user_id);
--bun:split
CREATE TABLE assignments (
    cycle_key      TEXT   NOT NULL,
    programme_key  TEXT   NOT NULL,
    stage_key      TEXT   NOT NULL,
    nomination_id  BIGINT NOT NULL REFERENCES nominations (id),
    user_id        BIGINT NOT NULL REFERENCES users (id),
    source         TEXT   NOT NULL,
    created_by     TEXT   NOT NULL,
    created_at     {{.Time}} NOT NULL,
    recused_at     {{.Time}},
    recusal_reason TEXT   NOT NULL,
    PRIMARY KEY (cycle_key, programme_key, stage_key, nomination_id, user_id)
);
--bun:split
CREATE TABLE stage_versions (
    cycle_key     TEXT   NOT NULL,
    programme_key TEXT   NOT NULL,
    stage_key     TEXT   NOT NULL,
    version       BIGINT NOT NULL,
    PRIMARY KEY (cycle_key, programme_key, stage_key)
);
--bun:split
CREATE TABLE assignment_proposals (
    id              {{.PK}},
    cycle_key       TEXT    NOT NULL,
    programme_key   TEXT    NOT NULL,
    stage_key       TEXT    NOT NULL,
    seed            BIGINT  NOT NULL,
    use_preferences BOOLEAN NOT NULL,
    base_version    BIGINT  NOT NULL,
    pairs           TEXT    NOT NULL,
    report          TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    created_by      TEXT    NOT NULL,
    created_at      {{.Time}} NOT NULL,
    decided_by      TEXT    NOT NULL,
    decided_at      {{.Time}}
);
--bun:split
CREATE TABLE scores (
    cycle_key     TEXT    NOT NULL,
    programme_key TEXT    NOT NULL,
    stage_key     TEXT    NOT NULL,
    nomination_id BIGINT  NOT NULL REFERENCES nominations (id),
    user_id       BIGINT  NOT NULL REFERENCES users (id),
    vals          TEXT    NOT NULL,
    comment       TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    submitted_at  {{.Time}},
    updated_at    {{.Time}} NOT NULL,
    PRIMARY KEY (cycle_key, programme_key, stage_key, nomination_id, user_id)
);
--bun:split
CREATE TABLE score_events (
    id            {{.PK}},
    cycle_key     TEXT    NOT NULL,
    programme_key TEXT    NOT NULL,
    stage_key     TEXT    NOT NULL,
    nomination_id BIGINT  NOT NULL,
    user_id       BIGINT  NOT NULL,
    actor_id      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    vals          TEXT    NOT NULL,
    comment       TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    at            {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE decisions (
    id            {{.PK}},
    cycle_key     TEXT NOT NULL,
    programme_key TEXT NOT NULL,
    stage_key     TEXT NOT NULL,
    spec          TEXT NOT NULL,
    outcomes      TEXT NOT NULL,
    applied_by    TEXT NOT NULL,
    applied_at    {{.Time}} NOT NULL
);
