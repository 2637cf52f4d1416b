package db_test

import (
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// withAndWithoutAudit runs fn with the service writing the audit log (as in
// production) and with a store that writes none, on both databases; setup
// prepares the data with the production service first.
func withAndWithoutAudit[T any](b *testing.B, setup func(b *testing.B, d *db.DB) (*env, T), fn func(b *testing.B, e *env, data T)) {
	for _, mode := range []string{"audit", "none"} {
		b.Run(mode, func(b *testing.B) {
			for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
				b.Run(string(dialect), func(b *testing.B) {
					e, data := setup(b, dbtest.Open(b, dialect))
					if mode == "none" {
						e.svc = workflow.NewService(db.NewStoreWithoutAudit(e.db), e.clock.Now, workflow.WithPasswordParams(cheapPasswords),
							workflow.WithSheetKey(make([]byte, 32)))
					}
					b.ReportAllocs()
					b.ResetTimer()
					fn(b, e, data)
				})
			}
		})
	}
}

// BenchmarkAuditTransition is one transition (its own transaction, guard,
// version check, history row) with and without its audit entry.
func BenchmarkAuditTransition(b *testing.B) {
	withAndWithoutAudit(b, func(b *testing.B, d *db.DB) (*env, int64) {
		e := newEnv(b, d)
		return e, seed(b, e, 1)[0]
	}, func(b *testing.B, e *env, id int64) {
		due := e.clock.Now().Add(30 * 24 * time.Hour)
		in := workflow.Input{Reason: "添付書類の不足", Due: &due}
		for b.Loop() {
			if _, err := e.svc.Transition(e.ctx, micStaff, id, 0, workflow.Return, in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAuditScoreSave is one judge's draft score save (rubric and window
// checks, version check, score row, score event) with and without its audit
// entry.
func BenchmarkAuditScoreSave(b *testing.B) {
	withAndWithoutAudit(b, func(b *testing.B, d *db.DB) (*env, *judgingEnv) {
		je := newJudgingEnv(b, d, 1, 1)
		je.proposeAndApply(b)
		return je.env, je
	}, func(b *testing.B, e *env, je *judgingEnv) {
		n, version := je.entries[0].ID, 0
		for b.Loop() {
			sc, err := e.svc.SaveScore(e.ctx, je.judges[0], top100, n, version, workflow.ScoreInput{Values: map[string]any{"adoption": 3}, Comment: "途中"})
			if err != nil {
				b.Fatal(err)
			}
			version = sc.Version
		}
	})
}
