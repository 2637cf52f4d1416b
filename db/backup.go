package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"

	"github.com/uptrace/bun/driver/sqliteshim"
)

// ErrBackupPostgres is Backup's answer for a PostgreSQL database.
var ErrBackupPostgres = errors.New("backup: PostgreSQL is backed up with its own tools: " +
	"pg_dump --format=custom --file=FILE DSN (or continuous archiving); awardflow backup copies the embedded SQLite file only")

// BackupResult describes a verified backup.
type BackupResult struct {
	Path       string
	Bytes      int64
	Migrations int // applied migrations recorded in the copy
}

// Backup writes a consistent copy of an SQLite database to path while the
// server goes on serving: VACUUM INTO reads one snapshot in a single
// transaction, so writers are neither blocked for long nor half-copied. The
// copy is written beside path under a temporary name with mode 0600 (it
// holds password hashes and personal data), checked (integrity_check, and
// the same applied migrations as the source), and only then renamed to
// path. An existing path is never overwritten. PostgreSQL is refused with
// ErrBackupPostgres.
func (d *DB) Backup(ctx context.Context, path string) (BackupResult, error) {
	if d.Dialect != SQLite {
		return BackupResult{}, ErrBackupPostgres
	}
	if path == "" {
		return BackupResult{}, errors.New("backup: no output file given")
	}
	if _, err := os.Lstat(path); err == nil {
		return BackupResult{}, fmt.Errorf("backup: %s already exists; choose a new file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	want, err := appliedMigrations(ctx, d.Bun.DB)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: read the source's migrations: %w", err)
	}
	// VACUUM INTO writes into an empty file it finds, keeping its mode.
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	tmpName := tmp.Name()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpName)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	if _, err := d.Bun.ExecContext(ctx, "VACUUM INTO ?", tmpName); err != nil {
		return BackupResult{}, fmt.Errorf("backup: VACUUM INTO: %w", err)
	}
	got, err := verifyCopy(ctx, tmpName)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: the copy does not verify: %w", err)
	}
	if !slices.Equal(got, want) {
		return BackupResult{}, fmt.Errorf("backup: the copy records %d migrations, the source %d", len(got), len(want))
	}
	if err := os.Chmod(tmpName, 0o600); err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	// Link, not rename, so that a file created at path meanwhile is not replaced.
	if err := os.Link(tmpName, path); err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	done = true
	os.Remove(tmpName)
	fi, err := os.Stat(path)
	if err != nil {
		return BackupResult{}, fmt.Errorf("backup: %w", err)
	}
	return BackupResult{Path: path, Bytes: fi.Size(), Migrations: len(got)}, nil
}

// verifyCopy opens a copy read-only, checks its integrity and returns its
// applied migrations.
func verifyCopy(ctx context.Context, path string) ([]string, error) {
	u := url.URL{Scheme: "file", Opaque: path, RawQuery: "mode=ro&_pragma=busy_timeout(5000)"}
	c, err := sql.Open(sqliteshim.ShimName, u.String())
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var check string
	if err := c.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil {
		return nil, err
	}
	if check != "ok" {
		return nil, fmt.Errorf("integrity_check: %s", check)
	}
	ms, err := appliedMigrations(ctx, c)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, errors.New("no applied migrations recorded")
	}
	return ms, nil
}

func appliedMigrations(ctx context.Context, c *sql.DB) ([]string, error) {
	rows, err := c.QueryContext(ctx, "SELECT name FROM bun_migrations ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}
