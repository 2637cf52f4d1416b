-- Failed sign-in attempts, counted per bucket ("account:<hash of the
-- normalised email>" or "address:<client address>") in a fixed window that
-- starts at the first attempt after the previous window ended. Kept in the
-- database so that the limit holds across restarts and across server
-- processes; an attempt is counted before its password is checked, so
-- concurrent attempts cannot overrun the limit.
CREATE TABLE login_attempts (
    bucket       TEXT    NOT NULL PRIMARY KEY,
    attempts     INTEGER NOT NULL,
    window_start {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX login_attempts_window_start ON login_attempts (window_start);
