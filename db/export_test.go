package db

import (
	"context"

	"github.com/uptrace/bun/migrate"
)

// MigrateBefore applies the migrations whose names sort before name, so a
// test can put older data in place before a migration runs over it. The
// template data are migrator()'s.
func (d *DB) MigrateBefore(ctx context.Context, name string) error {
	all := migrate.NewMigrations()
	if err := all.Discover(migrationFiles); err != nil {
		return err
	}
	some := migrate.NewMigrations()
	for _, m := range all.Sorted() {
		if m.Name < name {
			some.Add(m)
		}
	}
	data := map[string]string{"PK": "BIGSERIAL PRIMARY KEY", "Time": "TIMESTAMPTZ"}
	if d.Dialect == SQLite {
		data = map[string]string{"PK": "INTEGER PRIMARY KEY AUTOINCREMENT", "Time": "TIMESTAMP"}
	}
	m := migrate.NewMigrator(d.Bun, some, migrate.WithTemplateData(data), migrate.WithMarkAppliedOnSuccess(true))
	if err := m.Init(ctx); err != nil {
		return err
	}
	_, err := m.Migrate(ctx)
	return err
}

// NewStoreWithoutAudit is a store that writes no audit log, so benchmarks
// can measure what the log costs.
func NewStoreWithoutAudit(d *DB) *Store { return &Store{db: d, noAudit: true} }
