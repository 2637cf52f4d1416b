package dbtest_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Run(m)) }

// The seed runs once per dialect and key; every call gets its own copy of
// what it stored (migrations included) and the value it returned.
func TestSeeded(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			runs := 0
			seed := func(ctx context.Context, d *db.DB) (string, error) {
				runs++
				_, err := d.Bun.ExecContext(ctx, "INSERT INTO server_keys (name, secret, created_at) VALUES ('seeded', 'x', ?)", time.Now().UTC())
				return "seeded by " + string(d.Dialect), err
			}
			count := func(d *db.DB) int {
				var n int
				if err := d.Bun.QueryRowContext(t.Context(), "SELECT count(*) FROM server_keys WHERE name = 'seeded'").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			a, va := dbtest.Seeded(t, dialect, "test", seed)
			b, vb := dbtest.Seeded(t, dialect, "test", seed)
			if runs != 1 || va != "seeded by "+string(dialect) || vb != va {
				t.Fatalf("%d seedings, values %q and %q", runs, va, vb)
			}
			if _, err := a.Bun.ExecContext(t.Context(), "DELETE FROM server_keys"); err != nil {
				t.Fatal(err)
			}
			if n, m := count(a), count(b); n != 0 || m != 1 {
				t.Errorf("after deleting in one copy: %d and %d seeded rows, want 0 and 1", n, m)
			}
			if c, _ := dbtest.Seeded(t, dialect, "test", seed); count(c) != 1 || runs != 1 {
				t.Errorf("a third copy: %d seeded rows after %d seedings", count(c), runs)
			}
		})
	}
}
