package dbtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/awardflow/awardflow/db"
)

// seed is one seeded database: a PostgreSQL database or an SQLite file
// that is never opened again once seeded, only copied.
type seed struct {
	once  sync.Once
	name  string // PostgreSQL database name or SQLite file path
	value any
	err   error
}

var (
	seedMu    sync.Mutex
	seeds     = map[string]*seed{} // by dialect and key
	seededPGs []string             // the PostgreSQL seeds' names, for Run to drop
	seedDir   string               // the SQLite seeds' directory, made on first use
)

// Seeded returns a fresh copy of a database holding what fn stored, and
// the value fn returned (such as the accounts it created). fn runs once
// per dialect and key in a test binary, on a migrated database of its
// own; every call then copies the result: CREATE DATABASE … TEMPLATE on
// PostgreSQL, the checkpointed file on SQLite. The copy is removed when
// the test ends like Open's; the seeded databases by Run, which the
// package's TestMain must call.
func Seeded[T any](t testing.TB, dialect db.Dialect, key string, fn func(ctx context.Context, d *db.DB) (T, error)) (*db.DB, T) {
	t.Helper()
	var admin *sql.DB
	if dialect == db.Postgres {
		admin = adminDB(t)
		template(t, admin) // built here, so that a failure is reported, not cached
	}
	seedMu.Lock()
	s := seeds[string(dialect)+"/"+key]
	if s == nil {
		s = &seed{}
		seeds[string(dialect)+"/"+key] = s
	}
	seedMu.Unlock()
	s.once.Do(func() {
		s.err = errors.New("seeding stopped") // kept if fn ends the test that seeds
		s.name, s.value, s.err = makeSeed(t, dialect, admin, func(ctx context.Context, d *db.DB) (any, error) { return fn(ctx, d) })
	})
	if s.err != nil {
		t.Fatalf("seed %s database %q: %v", dialect, key, s.err)
	}
	v, ok := s.value.(T)
	if !ok {
		t.Fatalf("seed %q holds a %T, not a %T", key, s.value, v)
	}
	if dialect == db.Postgres {
		return clone(t, admin, s.name), v
	}
	return copySQLite(t, s.name), v
}

// makeSeed creates a migrated database, runs fn on it and closes it, so
// that nothing holds it open when it is copied.
func makeSeed(t testing.TB, dialect db.Dialect, admin *sql.DB, fn func(context.Context, *db.DB) (any, error)) (string, any, error) {
	ctx := context.Background()
	if dialect == db.Postgres {
		name := "awardflow_seed_" + randomHex()
		if err := withLock(admin, func(c *sql.Conn) error {
			_, err := c.ExecContext(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template(t, admin)))
			return err
		}); err != nil {
			return "", nil, err
		}
		seedMu.Lock()
		seededPGs = append(seededPGs, name) // dropped by Run even if seeding fails
		seedMu.Unlock()
		d, err := db.Open(ctx, dsnFor(t, name))
		if err != nil {
			return "", nil, err
		}
		v, err := fn(ctx, d)
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		return name, v, err
	}
	seedMu.Lock()
	var err error
	if seedDir == "" {
		seedDir, err = os.MkdirTemp("", "awardflow-seed-")
	}
	seedMu.Unlock()
	if err != nil {
		return "", nil, err
	}
	name := filepath.Join(seedDir, randomHex()+".db")
	v, err := buildSQLite(name, fn)
	return name, v, err
}

// Run runs the tests and then removes the databases Seeded made; call it
// from TestMain: os.Exit(dbtest.Run(m)). The seeds have random names, so
// leftovers of a killed run never clash with the next.
func Run(m *testing.M) int {
	code := m.Run()
	seedMu.Lock()
	defer seedMu.Unlock()
	for _, name := range seededPGs {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "dbtest: drop seeded database %s: %v\n", name, err)
			code = max(code, 1)
		}
	}
	if seedDir != "" {
		if err := os.RemoveAll(seedDir); err != nil {
			fmt.Fprintf(os.Stderr, "dbtest: %v\n", err)
			code = max(code, 1)
		}
	}
	return code
}
