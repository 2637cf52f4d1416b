package db_test

import (
	"slices"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// interleaved times op alternately with the audit log written (as in
// production) and with a store that writes none, on the same database, so
// that the load of a shared machine falls on both alike; it reports the
// median of each and the difference.
func interleaved(b *testing.B, e *env, op func(svc *workflow.Service, audited bool) error) {
	plain := workflow.NewService(db.NewStoreWithoutAudit(e.db), e.clock.Now, workflow.WithPasswordParams(cheapPasswords),
		workflow.WithSheetKey(make([]byte, 32)), workflow.WithAuthorizer(policy.MustNew()))
	var with, without []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		audited := i%2 == 0
		svc := plain
		if audited {
			svc = e.svc
		}
		start := time.Now()
		if err := op(svc, audited); err != nil {
			b.Fatal(err)
		}
		if d := time.Since(start); audited {
			with = append(with, d)
		} else {
			without = append(without, d)
		}
		i++
	}
	if len(without) == 0 {
		return
	}
	median := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds())
	}
	w, wo := median(with), median(without)
	b.ReportMetric(w, "µs-audited")
	b.ReportMetric(wo, "µs-unaudited")
	b.ReportMetric(w-wo, "µs-audit-cost")
}

// BenchmarkAuditTransition: one transition (its own transaction, guard,
// version check, history row) with and without its audit entry.
func BenchmarkAuditTransition(b *testing.B) {
	eachDialect(b, func(b *testing.B, e *env) {
		ids := seed(b, e, 2)
		due := e.clock.Now().Add(30 * 24 * time.Hour)
		in := workflow.Input{Reason: "添付書類の不足", Due: &due}
		interleaved(b, e, func(svc *workflow.Service, audited bool) error {
			id := ids[0]
			if !audited {
				id = ids[1]
			}
			_, err := svc.Transition(e.ctx, micStaff, id, 0, workflow.Return, in)
			return err
		})
	})
}

// BenchmarkAuditScoreSave: one judge's draft score save (rubric and window
// checks, version check, score row, score event) with and without its audit
// entry.
func BenchmarkAuditScoreSave(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			je := newJudgingEnv(b, dbtest.Open(b, dialect), 2, 1)
			je.proposeAndApply(b)
			versions := map[bool]int{}
			interleaved(b, je.env, func(svc *workflow.Service, audited bool) error {
				n := je.entries[0].ID
				if !audited {
					n = je.entries[1].ID
				}
				sc, err := svc.SaveScore(je.ctx, je.judges[0], top100, n, versions[audited], workflow.ScoreInput{Values: map[string]any{"adoption": 3}, Comment: "途中"})
				versions[audited] = sc.Version
				return err
			})
		})
	}
}

// BenchmarkSealAudit: the sealer chaining 100 committed entries of one
// programme (one transaction: lock the head, read, insert, delete, move).
func BenchmarkSealAudit(b *testing.B) {
	const batch = 100
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			st := db.NewStore(d)
			at := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
			ref := int64(0)
			for b.Loop() {
				b.StopTimer()
				q := `INSERT INTO audit_pending (cycle_key, programme_key, kind, nomination_id, ref_id, payload, at, content_hash) VALUES `
				var args []any
				for i := range batch {
					ref++
					e := workflow.AuditEntry{Cycle: "c", Programme: "p", Kind: workflow.AuditScoreEvent, NominationID: 1, RefID: ref,
						Payload: "stage=\"top100\"\nnomination=\"1\"\n", At: at}
					if i > 0 {
						q += ", "
					}
					q += "(?, ?, ?, ?, ?, ?, ?, ?)"
					args = append(args, e.Cycle, e.Programme, e.Kind, e.NominationID, e.RefID, e.Payload, e.At, workflow.AuditContentHash(e))
				}
				if _, err := d.Bun.ExecContext(b.Context(), q, args...); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if n, err := st.SealAudit(b.Context()); err != nil || n != batch {
					b.Fatalf("sealed %d: %v", n, err)
				}
			}
			b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}
