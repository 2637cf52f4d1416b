package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// seed stores n submitted MIC nominations, each of its own organisation,
// in one transaction, and returns their ids.
func seed(b *testing.B, e *env, n int) []int64 {
	b.Helper()
	ids := make([]int64, 0, n)
	now := e.clock.Now().UTC()
	err := db.NewStore(e.db).InTx(e.ctx, func(tx workflow.Tx) error {
		for i := range n {
			o := workflow.Organisation{Name: fmt.Sprintf("株式会社ベンチ%05d", i), NameKana: "ベンチ", LegalForm: "kabushiki_kaisha",
				Prefecture: "13", Municipality: "港区", Industry: "E", TotalHeadcount: 100, RegularHeadcount: 90,
				Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertOrganisation(e.ctx, &o); err != nil {
				return err
			}
			a, _ := (&workflow.Form{}).Apply(nil, nil)
			for k, v := range micAnswers {
				a[k] = v
			}
			nom := workflow.Nomination{CycleKey: "fy2026-telework", CycleVersion: 1, ProgrammeKey: "mic-pioneer",
				OrganisationID: o.ID, State: workflow.Submitted, Answers: a, Snapshot: &o, SubmittedAt: &now,
				Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertNomination(e.ctx, &nom); err != nil {
				return err
			}
			ids = append(ids, nom.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}

func eachDialect(b *testing.B, fn func(b *testing.B, e *env)) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			fn(b, newEnv(b, dbtest.Open(b, dialect)))
		})
	}
}

// BenchmarkTransition measures one transition with its guard evaluation,
// version check and history entry, each in its own transaction. Returning
// a returned nomination (a correction deadline extension) is a transition
// that can repeat on one nomination.
func BenchmarkTransition(b *testing.B) {
	eachDialect(b, func(b *testing.B, e *env) {
		id := seed(b, e, 1)[0]
		due := e.clock.Now().Add(30 * 24 * time.Hour)
		in := workflow.Input{Reason: "添付書類の不足", Due: &due}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := e.svc.Transition(e.ctx, micStaff, id, 0, workflow.Return, in); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transitions/s")
	})
}

// BenchmarkBulkTransition1000 measures moving 1,000 nominations in one
// all-or-nothing transaction.
func BenchmarkBulkTransition1000(b *testing.B) {
	eachDialect(b, func(b *testing.B, e *env) {
		ids := seed(b, e, 1000)
		due := e.clock.Now().Add(30 * 24 * time.Hour)
		in := workflow.Input{Reason: "一括差し戻し", Due: &due}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			out, err := e.svc.BulkTransition(context.Background(), micStaff, ids, workflow.Return, in)
			if err != nil || len(out) != len(ids) {
				b.Fatal(len(out), err)
			}
		}
		b.ReportMetric(float64(b.N*len(ids))/b.Elapsed().Seconds(), "nominations/s")
	})
}
