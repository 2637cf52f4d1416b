package db_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestDeclarationsOnceMigration: the migration that makes declarations
// unique keeps the first of the duplicates stored before it, then refuses
// new ones.
func TestDeclarationsOnceMigration(t *testing.T) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(dialect), func(t *testing.T) {
			dsn := "sqlite:" + filepath.Join(t.TempDir(), "old.db")
			if dialect == db.Postgres {
				dsn = dbtest.EmptyPostgres(t)
			}
			d, err := db.Open(t.Context(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if err := d.MigrateBefore(t.Context(), "20261203030001"); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, d)
			u, err := e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: "judge@test.example", Name: "審査員", Password: "long enough password",
				Role: workflow.RoleJudge, Domain: "mic"})
			if err != nil {
				t.Fatal(err)
			}
			o, _ := e.org(t, "株式会社重複")
			at := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
			for i, reason := range []string{"最初", "二度目", "三度目"} {
				if _, err := d.Bun.NewRaw(`INSERT INTO declared_conflicts (user_id, organisation_id, source, reason, created_by, created_at)
					VALUES (?, ?, 'declared', ?, 'old', ?)`, u.ID, o.ID, reason, at.Add(time.Duration(i)*time.Minute)).Exec(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
			for _, a := range []struct {
				org          any
				number, name string
			}{
				{o.ID, "", ""}, {o.ID, "", ""},
				{nil, "4011001098993", ""}, {nil, "4011001098993", "別名"},
				{nil, "", "株式会社テレワーク工房"}, {nil, "", "株式会社テレワーク工房"},
			} {
				if _, err := d.Bun.NewRaw(`INSERT INTO affiliations (user_id, organisation_id, corporate_number, name, declared_at) VALUES (?, ?, ?, ?, ?)`,
					u.ID, a.org, a.number, a.name, at).Exec(e.ctx); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := d.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			judge := workflow.Actor{ID: u.ActorID(), UserID: u.ID, Name: u.Name, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
			affs, dcs, err := e.svc.MyConflicts(e.ctx, judge)
			if err != nil {
				t.Fatal(err)
			}
			if len(dcs) != 1 || dcs[0].Reason != "最初" {
				t.Fatalf("conflicts after the migration: %+v", dcs)
			}
			if len(affs) != 3 || affs[0].ID != 1 || affs[1].ID != 3 || affs[2].ID != 5 {
				t.Fatalf("affiliations after the migration: %+v", affs)
			}
			if _, err := e.svc.DeclareConflict(e.ctx, judge, o.ID, "四度目"); workflow.ErrorCode(err) != workflow.Conflict {
				t.Fatalf("declaring again after the migration: %v", err)
			}
			if _, err := e.svc.DeclareAffiliation(e.ctx, judge, workflow.Affiliation{Name: "テレワーク工房"}); workflow.ErrorCode(err) != workflow.Conflict {
				t.Fatalf("declaring the name again after the migration: %v", err)
			}
		})
	}
}
