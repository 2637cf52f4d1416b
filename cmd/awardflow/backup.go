package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/awardflow/awardflow/db"
)

const backupUsage = "awardflow backup --out FILE [--db DSN]"

// backupCmd copies the embedded SQLite database to a new file while the
// server may go on serving (db.Backup: VACUUM INTO, mode 0600, verified).
// PostgreSQL is refused: pg_dump is the tool there.
func backupCmd(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	dsn := fs.String("db", envOr(getenv, "AWARDFLOW_DB", "sqlite:awardflow.db"), "database DSN")
	out := fs.String("out", "", "the file to write (must not exist)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("backup: unexpected argument %q", pos[0])
	}
	if *out == "" {
		return errors.New("usage: " + backupUsage)
	}
	if strings.HasPrefix(*dsn, "postgres://") || strings.HasPrefix(*dsn, "postgresql://") {
		return db.ErrBackupPostgres // before connecting: the answer is the same whether or not it is reachable
	}
	d, err := db.Open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer d.Close()
	res, err := d.Backup(ctx, *out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes, %d migrations, mode 0600)\n", *dsn, res.Path, res.Bytes, res.Migrations)
	return nil
}
