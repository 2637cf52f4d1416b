-- Accounts: users, their sessions, invitations, and role grants with their
-- audit trail. grants_version is bumped with every grant and revocation, so
-- that each server process can tell, on the very next request, that its
-- in-memory enforcer must reload.
CREATE TABLE users (
    id              {{.PK}},
    email           TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    locale          TEXT    NOT NULL,
    password_hash   TEXT,
    organisation_id BIGINT  REFERENCES organisations (id),
    created_at      {{.Time}} NOT NULL,
    updated_at      {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE sessions (
    id         {{.PK}},
    user_id    BIGINT NOT NULL REFERENCES users (id),
    token_hash TEXT   NOT NULL UNIQUE,
    created_at {{.Time}} NOT NULL,
    expires_at {{.Time}} NOT NULL,
    revoked_at {{.Time}}
);
--bun:split
CREATE TABLE role_grants (
    id         {{.PK}},
    user_id    BIGINT NOT NULL REFERENCES users (id),
    role       TEXT   NOT NULL,
    domain     TEXT   NOT NULL,
    granted_by TEXT   NOT NULL,
    granted_at {{.Time}} NOT NULL,
    revoked_by TEXT   NOT NULL DEFAULT '',
    revoked_at {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX role_grants_active ON role_grants (user_id, role, domain) WHERE revoked_at IS NULL;
--bun:split
CREATE TABLE grants_version (
    id      INTEGER PRIMARY KEY,
    version BIGINT  NOT NULL
);
--bun:split
INSERT INTO grants_version (id, version) VALUES (1, 0);
--bun:split
CREATE TABLE invitations (
    id              {{.PK}},
    email           TEXT   NOT NULL,
    name            TEXT   NOT NULL,
    role            TEXT   NOT NULL,
    domain          TEXT   NOT NULL,
    organisation_id BIGINT REFERENCES organisations (id),
    token_hash      TEXT   NOT NULL UNIQUE,
    invited_by      TEXT   NOT NULL,
    created_at      {{.Time}} NOT NULL,
    expires_at      {{.Time}} NOT NULL,
    accepted_at     {{.Time}},
    user_id         BIGINT REFERENCES users (id)
);
