package main

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun/driver/sqliteshim"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
)

var metricsAt = regexp.MustCompile(`metrics on (http://\S+)`)

// TestMetricsListener: with --metrics-addr (or AWARDFLOW_METRICS_ADDR) the
// metrics are served on their own listener and carry every family after a
// request; the API port never serves them, and without the setting there is
// no metrics listener at all.
func TestMetricsListener(t *testing.T) {
	dsn := func() string { return "sqlite:" + filepath.Join(t.TempDir(), "m.db") }
	for _, tc := range []struct {
		name    string
		getenv  func(string) string
		args    []string
		enabled bool
	}{
		{"flag", env("AWARDFLOW_DB", dsn()), []string{"--metrics-addr", "127.0.0.1:0"}, true},
		{"environment", env("AWARDFLOW_DB", dsn(), "AWARDFLOW_METRICS_ADDR", "127.0.0.1:0"), nil, true},
		{"off by default", env("AWARDFLOW_DB", dsn()), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, out := startServer(t, tc.getenv, tc.args...)
			if code, body := get(t, base+"/metrics"); code != 404 {
				t.Errorf("API port serves /metrics: %d %.80s", code, body)
			}
			m := metricsAt.FindStringSubmatch(out.String())
			if !tc.enabled {
				if m != nil {
					t.Fatalf("metrics listener without being asked:\n%s", out)
				}
				return
			}
			if m == nil {
				t.Fatalf("no metrics listener:\n%s", out)
			}
			if code, _ := get(t, base+"/readyz"); code != 200 {
				t.Fatalf("readyz = %d", code)
			}
			code, body := get(t, m[1]) // http://HOST:PORT/metrics
			if code != 200 {
				t.Fatalf("metrics = %d", code)
			}
			for _, want := range []string{
				`awardflow_http_requests_total{method="GET",route="/readyz",status_class="2xx"} 1`,
				`awardflow_http_requests_total{method="GET",route="unmatched",status_class="4xx"} 1`,
				`awardflow_http_request_duration_seconds_bucket{method="GET",route="/readyz",status_class="2xx",le="+Inf"} 1`,
				`awardflow_http_requests_in_flight 0`,
				`go_sql_max_open_connections{db_name="awardflow"}`,
				`go_sql_open_connections{db_name="awardflow"}`,
				`go_sql_wait_count_total{db_name="awardflow"}`,
				`go_goroutines `,
				`go_memstats_heap_alloc_bytes `,
				`go_build_info{`,
				`awardflow_build_info{version="`,
				`process_start_time_seconds `,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		})
	}
}

// TestMetricsAddressIsChecked: a malformed --metrics-addr stops serve before
// it opens anything; one already in use stops it too.
func TestMetricsAddressIsChecked(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	for _, tc := range []struct{ addr, want string }{
		{"9090", `serve: --metrics-addr "9090": want HOST:PORT`},
		{taken.Addr().String(), "serve: metrics: listen tcp"},
	} {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
		_, err := runCmd(t, env("AWARDFLOW_DB", dsn), "serve", "--addr", "127.0.0.1:0", "--metrics-addr", tc.addr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--metrics-addr %s: %v, want %q", tc.addr, err, tc.want)
		}
	}
}

// TestBackupSQLiteWhileWriting: a backup taken while another process's pool
// writes pairs of rows in transactions is a consistent snapshot (an even
// number of rows), mode 0600, carries every migration, and did not stop the
// writer; an existing output file is refused and left alone.
func TestBackupSQLiteWhileWriting(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "live.db")
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Bun.ExecContext(ctx, "CREATE TABLE backup_probe (id INTEGER PRIMARY KEY AUTOINCREMENT, pair INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	writePair := func(i int64) error {
		tx, err := d.Bun.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
		for range 2 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO backup_probe (pair) VALUES (?)", i); err != nil {
				return err
			}
		}
		return tx.Commit()
	}
	for i := range int64(200) { // something to copy before the writer starts
		if err := writePair(i); err != nil {
			t.Fatal(err)
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := int64(1000); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := writePair(i); err != nil {
				writeErr = err
				return
			}
			written.Add(1)
		}
	}()
	for written.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	if _, err := d.Bun.ExecContext(ctx, "CREATE TABLE backup_bulk AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000) SELECT i, randomblob(2000) AS b FROM n"); err != nil {
		t.Fatal(err) // 8 MB, so that the copy takes a while
	}
	out := filepath.Join(dir, "copy.db")
	start := written.Load()
	msg, err := runCmd(t, env("AWARDFLOW_DB", dsn), "backup", "--out", out)
	during := written.Load()
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if err != nil || !strings.Contains(msg, "backed up") {
		t.Fatalf("backup: %q, %v", msg, err)
	}
	if writeErr != nil {
		t.Fatalf("writer failed during the backup: %v", writeErr)
	}
	if during <= start || written.Load() <= during {
		t.Errorf("writes did not go on during and after the backup (%d, %d, %d)", start, during, written.Load())
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	u := url.URL{Scheme: "file", Opaque: out, RawQuery: "mode=ro"}
	c, err := sql.Open(sqliteshim.ShimName, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var rows, pairs, migrations int
	if err := c.QueryRow("SELECT count(*), count(DISTINCT pair) FROM backup_probe").Scan(&rows, &pairs); err != nil {
		t.Fatal(err)
	}
	if err := c.QueryRow("SELECT count(*) FROM bun_migrations").Scan(&migrations); err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(db.Migrations(), "migrations/*.sql")
	if rows != 2*pairs || pairs < 220 || migrations != len(files) {
		t.Errorf("copy: %d rows in %d pairs (want two per pair, at least 220 pairs), %d of %d migrations", rows, pairs, migrations, len(files))
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".copy.db.partial-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	before, _ := os.ReadFile(out)
	if _, err := runCmd(t, env("AWARDFLOW_DB", dsn), "backup", "--out", out); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("the existing file was changed")
	}
}

// TestBackupCommandRefusals: PostgreSQL is refused with pg_dump named (and
// no file written); a missing --out is a usage error.
func TestBackupCommandRefusals(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		dsn  func(t *testing.T) string
		args []string
		want string
	}{
		{"postgres", func(t *testing.T) string { return dbtest.EmptyPostgres(t) }, []string{"--out", filepath.Join(dir, "pg.db")}, "pg_dump"},
		{"postgres, unreachable", func(*testing.T) string { return "postgres://nobody@127.0.0.1:1/x?connect_timeout=1" }, []string{"--out", filepath.Join(dir, "pg.db")}, "pg_dump"},
		{"no output", func(t *testing.T) string { return "sqlite:" + filepath.Join(dir, "x.db") }, nil, "usage: awardflow backup"},
		{"no database file", func(t *testing.T) string { return "sqlite:" + filepath.Join(dir, "missing", "x.db") }, []string{"--out", filepath.Join(dir, "y.db")}, "connect to sqlite"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCmd(t, env("AWARDFLOW_DB", tc.dsn(t)), append([]string{"backup"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("got %v, want one line with %q", err, tc.want)
			}
			if strings.HasPrefix(tc.name, "postgres") && !errors.Is(err, db.ErrBackupPostgres) {
				t.Errorf("not ErrBackupPostgres: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "pg.db")); err == nil {
				t.Error("a file was written")
			}
		})
	}
}
