// Package db stores awardflow's data with bun, on PostgreSQL (pgdialect
// over pgx; production) or on an embedded SQLite file (sqlitedialect over
// the pure-Go modernc driver; the zero-setup default). It implements
// workflow.Store: row structs, converters, migrations and the translation
// of driver errors into workflow's error codes. It holds no business rules.
package db

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	"github.com/uptrace/bun/driver/sqliteshim"
	"github.com/uptrace/bun/migrate"
)

// Dialect names a supported database.
type Dialect string

// The supported databases.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// DB is an open database.
type DB struct {
	Bun     *bun.DB
	Dialect Dialect
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// sqlitePragmas make SQLite safe for concurrent writers (BEGIN IMMEDIATE
// and a busy timeout instead of SQLITE_BUSY), durable enough (WAL with
// synchronous=NORMAL), and enforce foreign keys, which are off by default.
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Open opens the database a DSN names: "postgres://…" (or "postgresql://…")
// or "sqlite:PATH". It checks that the database answers.
func Open(ctx context.Context, dsn string) (*DB, error) {
	var (
		sqldb   *sql.DB
		d       *DB
		err     error
		dialect Dialect
	)
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		dialect = Postgres
		if sqldb, err = openPostgres(dsn); err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		sqldb.SetMaxOpenConns(20)
		sqldb.SetMaxIdleConns(20)
		sqldb.SetConnMaxIdleTime(5 * time.Minute)
		d = &DB{Bun: bun.NewDB(sqldb, pgdialect.New()), Dialect: Postgres}
	case strings.HasPrefix(dsn, "sqlite:"):
		dialect = SQLite
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" || strings.ContainsAny(path, "?#") {
			return nil, fmt.Errorf("sqlite DSN must be sqlite:PATH with a plain file path, got %q", dsn)
		}
		u := url.URL{Scheme: "file", Opaque: path, RawQuery: sqlitePragmas}
		if sqldb, err = sql.Open(sqliteshim.ShimName, u.String()); err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		d = &DB{Bun: bun.NewDB(sqldb, sqlitedialect.New()), Dialect: SQLite}
	default:
		return nil, fmt.Errorf("unsupported database DSN %q: use postgres://… or sqlite:PATH", redact(dsn))
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.Bun.PingContext(pingCtx); err != nil {
		d.Bun.Close()
		// Drivers may explain over several lines; configuration errors are one.
		return nil, fmt.Errorf("connect to %s database %s: %s", dialect, redact(dsn), strings.Join(strings.Fields(err.Error()), " "))
	}
	return d, nil
}

// openPostgres opens a pgx pool that sends each statement in one round
// trip (pgx's exec mode) unless the DSN names default_query_exec_mode.
// bun writes every argument into the statement's text, so no two
// statements share a text: pgx's default mode would prepare each one
// (a round trip of its own, and a parse) before running it, fill its
// statement cache with statements never run again, and spend another
// round trip deallocating the ones it evicts.
func openPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if u, err := url.Parse(dsn); err != nil || !u.Query().Has("default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	return stdlib.OpenDB(*cfg), nil
}

// redact hides a password in a DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// Close closes the database.
func (d *DB) Close() error { return d.Bun.Close() }

func (d *DB) migrator() (*migrate.Migrator, error) {
	ms := migrate.NewMigrations()
	if err := ms.Discover(migrationFiles); err != nil {
		return nil, fmt.Errorf("discover migrations: %w", err)
	}
	data := map[string]string{"PK": "BIGSERIAL PRIMARY KEY", "Time": "TIMESTAMPTZ"}
	if d.Dialect == SQLite {
		data = map[string]string{"PK": "INTEGER PRIMARY KEY AUTOINCREMENT", "Time": "TIMESTAMP"}
	}
	return migrate.NewMigrator(d.Bun, ms, migrate.WithTemplateData(data), migrate.WithMarkAppliedOnSuccess(true)), nil
}

// Migrate applies every pending migration and returns their names.
func (d *DB) Migrate(ctx context.Context) ([]string, error) {
	m, err := d.migrator()
	if err != nil {
		return nil, err
	}
	if err := m.Init(ctx); err != nil {
		return nil, fmt.Errorf("initialise migrations: %w", err)
	}
	if err := m.Lock(ctx); err != nil {
		return nil, fmt.Errorf("lock migrations: %w", err)
	}
	defer m.Unlock(ctx) //nolint:errcheck // the lock row is removed; a failure here is reported by the next Lock
	g, err := m.Migrate(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	var names []string
	for _, mg := range g.Migrations {
		names = append(names, mg.Name)
	}
	return names, nil
}

// ErrSchemaOutdated reports a database whose schema lags the binary's.
var ErrSchemaOutdated = errors.New("database schema is out of date")

// CheckSchema returns ErrSchemaOutdated (wrapped, naming the pending
// migrations) unless every migration the binary knows has been applied.
func (d *DB) CheckSchema(ctx context.Context) error {
	m, err := d.migrator()
	if err != nil {
		return err
	}
	var exists bool
	q := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bun_migrations')"
	if d.Dialect == Postgres {
		q = "SELECT to_regclass('bun_migrations') IS NOT NULL"
	}
	if err := d.Bun.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if !exists {
		return fmt.Errorf("%w: no migrations applied; run `awardflow migrate`", ErrSchemaOutdated)
	}
	ms, err := m.MigrationsWithStatus(ctx)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if pending := ms.Unapplied(); len(pending) > 0 {
		return fmt.Errorf("%w: %d migration(s) pending, first %s; run `awardflow migrate`", ErrSchemaOutdated, len(pending), pending[0].Name)
	}
	return nil
}

// Migrations returns the embedded migration files.
func Migrations() fs.FS { return migrationFiles }
