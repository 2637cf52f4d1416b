// Package dbtest gives each test its own migrated database: a fresh SQLite
// file, or a PostgreSQL database cloned from a migrated template (about
// 50 ms). Each runs the same test against both with Each.
//
// PostgreSQL is found at $AWARDFLOW_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable). When it cannot
// be reached the PostgreSQL half fails if $CI is set, and is skipped with a
// message otherwise.
package dbtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/awardflow/awardflow/db"
)

// DefaultPostgres is the admin DSN used when $AWARDFLOW_TEST_POSTGRES is unset.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Each runs fn as two subtests, "sqlite" and "postgres", each with its own
// freshly migrated database.
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			fn(t, Open(t, dialect))
		})
	}
}

// Open returns a freshly migrated database of the given dialect, closed
// and removed when the test ends.
func Open(t testing.TB, dialect db.Dialect) *db.DB {
	t.Helper()
	if dialect == db.SQLite {
		return SQLite(t)
	}
	return Postgres(t)
}

// SQLite returns a migrated SQLite database in a temporary file.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	tmpl, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("build SQLite template: %v", err)
	}
	return copySQLite(t, tmpl)
}

var (
	sqliteOnce sync.Once
	sqliteTmpl string
	sqliteErr  error
)

// sqliteTemplate returns a migrated SQLite file in the temporary
// directory, named after the migrations and kept across runs like the
// PostgreSQL template; copying it is faster than migrating.
func sqliteTemplate() (string, error) {
	sqliteOnce.Do(func() {
		var hash string
		if hash, sqliteErr = migrationsHash(); sqliteErr != nil {
			return
		}
		path := filepath.Join(os.TempDir(), "awardflow-tmpl-"+hash+".db")
		if _, err := os.Stat(path); err == nil {
			sqliteTmpl = path
			return
		}
		// Each process builds its own and renames it into place, atomically.
		building := path + "." + randomHex()
		if _, sqliteErr = buildSQLite(building, nil); sqliteErr == nil {
			sqliteErr = os.Rename(building, path)
		}
		os.Remove(building) //nolint:errcheck // gone once renamed
		sqliteTmpl = path
	})
	return sqliteTmpl, sqliteErr
}

// buildSQLite migrates a new SQLite file at path, runs fn on it if given
// and closes it, the WAL merged, so that the file alone can be copied.
func buildSQLite(path string, fn func(context.Context, *db.DB) (any, error)) (any, error) {
	ctx := context.Background()
	d, err := db.Open(ctx, "sqlite:"+path)
	if err != nil {
		return nil, err
	}
	var v any
	if _, err = d.Migrate(ctx); err == nil && fn != nil {
		v, err = fn(ctx, d)
	}
	if err == nil {
		_, err = d.Bun.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if fi, serr := os.Stat(path + "-wal"); err == nil && serr == nil && fi.Size() > 0 {
		err = fmt.Errorf("%s: %d bytes left in the WAL after closing", path, fi.Size())
	}
	return v, err
}

// copySQLite copies the SQLite file at from into the test's temporary
// directory and opens the copy, closed when the test ends.
func copySQLite(t testing.TB, from string) *db.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	if err := copyFile(from, path); err != nil {
		t.Fatal(err)
	}
	d, err := db.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

// PostgresDSN returns the admin DSN tests use.
func PostgresDSN() string {
	if dsn := os.Getenv("AWARDFLOW_TEST_POSTGRES"); dsn != "" {
		return dsn
	}
	return DefaultPostgres
}

// EmptyPostgres returns the DSN of a new, empty PostgreSQL database (no
// migrations applied), dropped when the test ends.
func EmptyPostgres(t testing.TB) string {
	t.Helper()
	admin := adminDB(t)
	name := "awardflow_t_" + randomHex()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	return dsnFor(t, name)
}

// Postgres returns a migrated PostgreSQL database of its own.
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	admin := adminDB(t)
	return clone(t, admin, template(t, admin))
}

// clone returns a new database copied from tmpl, dropped when the test
// ends; nothing may be connected to tmpl.
func clone(t testing.TB, admin *sql.DB, tmpl string) *db.DB {
	t.Helper()
	name := "awardflow_t_" + randomHex()
	// Cloning reads the template; serialise clones so that none finds it busy.
	if err := withLock(admin, func(c *sql.Conn) error {
		_, err := c.ExecContext(context.Background(), fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, tmpl))
		return err
	}); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	d, err := db.Open(context.Background(), dsnFor(t, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// adminDB connects to the admin database once per test binary.
func adminDB(t testing.TB) *sql.DB {
	t.Helper()
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", PostgresDSN())
		if adminErr == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			adminErr = admin.PingContext(ctx)
		}
	})
	if adminErr != nil {
		msg := fmt.Sprintf("PostgreSQL at %s is not reachable (%v); start it with "+
			"`pg_ctlcluster --skip-systemctl-redirect 15 main start` or set AWARDFLOW_TEST_POSTGRES", PostgresDSN(), adminErr)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip("skipping PostgreSQL half: " + msg)
	}
	return admin
}

// withLock runs fn holding a cluster-wide advisory lock, so that test
// binaries running in parallel build the template once and clone it safely.
func withLock(admin *sql.DB, fn func(*sql.Conn) error) error {
	ctx := context.Background()
	c, err := admin.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "SELECT pg_advisory_lock(74201)"); err != nil {
		return err
	}
	defer c.ExecContext(ctx, "SELECT pg_advisory_unlock(74201)") //nolint:errcheck // released with the session anyway
	return fn(c)
}

var (
	tmplOnce sync.Once
	tmplName string
	tmplErr  error
)

// template returns the name of a migrated template database, named after a
// hash of the migrations so that a changed schema gets a new template.
func template(t testing.TB, admin *sql.DB) string {
	t.Helper()
	tmplOnce.Do(func() {
		var hash string
		if hash, tmplErr = migrationsHash(); tmplErr != nil {
			return
		}
		tmplName = "awardflow_tmpl_" + hash
		tmplErr = withLock(admin, func(c *sql.Conn) error {
			ctx := context.Background()
			var exists bool
			if err := c.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", tmplName).Scan(&exists); err != nil {
				return err
			}
			if exists {
				return nil
			}
			building := tmplName + "_build"
			c.ExecContext(ctx, "DROP DATABASE IF EXISTS "+building+" WITH (FORCE)") //nolint:errcheck // leftover of a killed run
			if _, err := c.ExecContext(ctx, "CREATE DATABASE "+building); err != nil {
				return err
			}
			d, err := db.Open(ctx, dsnFor(t, building))
			if err != nil {
				return err
			}
			_, err = d.Migrate(ctx)
			d.Close()
			if err != nil {
				return err
			}
			_, err = c.ExecContext(ctx, fmt.Sprintf("ALTER DATABASE %s RENAME TO %s", building, tmplName))
			return err
		})
	})
	if tmplErr != nil {
		t.Fatalf("build template database: %v", tmplErr)
	}
	return tmplName
}

// migrationsHash is a short hash of the migrations, so that templates of
// a changed schema get a new name.
func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(db.Migrations(), ".", func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(db.Migrations(), path)
		h.Write([]byte(path))
		h.Write(data)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

func dropDatabase(t testing.TB, admin *sql.DB, name string) {
	if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
		t.Errorf("drop test database %s: %v", name, err)
	}
}

func dsnFor(t testing.TB, name string) string {
	u, err := url.Parse(PostgresDSN())
	if err != nil {
		t.Fatalf("bad AWARDFLOW_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func randomHex() string {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
