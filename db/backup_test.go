package db_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
)

// TestBackup: on SQLite a verified 0600 copy, never over an existing file;
// on PostgreSQL a refusal naming pg_dump, with nothing written.
func TestBackup(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		out := filepath.Join(t.TempDir(), "copy.db")
		res, err := d.Backup(ctx, out)
		if d.Dialect == db.Postgres {
			if !errors.Is(err, db.ErrBackupPostgres) {
				t.Fatalf("got %v, want ErrBackupPostgres", err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a file was written: %v", err)
			}
			return
		}
		if err != nil || res.Migrations == 0 || res.Bytes == 0 {
			t.Fatalf("backup: %+v, %v", res, err)
		}
		if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("copy: %v, %v", fi, err)
		}
		if _, err := d.Backup(ctx, out); err == nil {
			t.Fatal("backup over an existing file succeeded")
		}
		entries, _ := os.ReadDir(filepath.Dir(out))
		if len(entries) != 1 {
			t.Errorf("files beside the copy: %v", entries)
		}
	})
}
