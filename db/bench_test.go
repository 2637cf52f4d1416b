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

// BenchmarkScoreSave saves one judge's draft score for one entry, each in
// its own transaction, at stages of 100, 5,000 and 50,000 entries (three
// judges each; two of them have submitted scores for every entry, and the
// judge saving has declared an affiliation and a conflict that the save
// checks against the entry). A save reads what that one request needs, so
// it costs the same at every size. "read" is the judge reading the entry
// and its scores.
func BenchmarkScoreSave(b *testing.B) {
	for _, size := range []int{100, 5000, 50000} {
		b.Run(fmt.Sprintf("entries=%d", size), func(b *testing.B) {
			eachDialect(b, func(b *testing.B, e *env) {
				judges := benchStage(b, e, size)
				judge := judges[0]
				entries, _, err := e.svc.Entries(e.ctx, judge, top100, workflow.Page{Limit: 200})
				if err != nil || len(entries) == 0 {
					b.Fatal(len(entries), err)
				}
				id := entries[len(entries)/2].Nomination.ID
				version := 0 // the score's, across runs of the sub-benchmark
				b.Run("save", func(b *testing.B) {
					b.ReportAllocs()
					for i := 0; b.Loop(); i++ {
						in := workflow.ScoreInput{Values: map[string]any{"adoption": 1 + i%5, "management": 3}, Comment: "ベンチ"}
						sc, err := e.svc.SaveScore(e.ctx, judge, top100, id, version, in)
						if err != nil {
							b.Fatal(err)
						}
						version = sc.Version
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "saves/s")
				})
				b.Run("read", func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := e.svc.Entry(e.ctx, judge, top100, id); err != nil {
							b.Fatal(err)
						}
						if _, err := e.svc.EntryScores(e.ctx, judge, top100, id); err != nil {
							b.Fatal(err)
						}
					}
				})
			})
		})
	}
}

// benchStage seeds a Top 100 stage of size entries, set-based, with three
// judges on the panel (each entry assigned to all three, two of them with
// submitted scores), and returns the judges; the clock is in the judging
// window.
func benchStage(b *testing.B, e *env, size int) []workflow.Actor {
	b.Helper()
	var judges []workflow.Actor
	var ids []int64
	for i := range 3 {
		name := fmt.Sprintf("bench-judge%d", i)
		u, err := e.svc.CreateUser(e.ctx, admin, workflow.NewUser{Email: name + "@judges.example", Name: name, Password: "long enough password",
			Role: workflow.RoleJudge, Domain: "mic"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.SetPanelMember(e.ctx, micStaff, top100, workflow.PanelMember{UserID: u.ID, Role: workflow.RoleJudge}); err != nil {
			b.Fatal(err)
		}
		judges = append(judges, workflow.Actor{ID: u.ActorID(), UserID: u.ID, Name: name, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}})
		ids = append(ids, u.ID)
	}
	start := time.Now()
	if err := dbtest.SeedStage(e.ctx, e.db, dbtest.Stage{Ref: top100, Ministry: "mic", Tier: "pioneer", Entries: size, Judges: ids, K: 3,
		ScoredBy: ids[1:], At: e.clock.Now()}); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d entries in %s", size, time.Since(start).Round(time.Millisecond))
	// The saving judge's own declarations, which every save checks.
	o := workflow.Organisation{Name: "株式会社無関係", NameKana: "ムカンケイ", LegalForm: "kabushiki_kaisha", Prefecture: "13", Municipality: "港区",
		Industry: "E", TotalHeadcount: 10, RegularHeadcount: 9, Version: 1, CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}
	if err := db.NewStore(e.db).InTx(e.ctx, func(tx workflow.Tx) error { return tx.InsertOrganisation(e.ctx, &o) }); err != nil {
		b.Fatal(err)
	}
	if _, err := e.svc.DeclareConflict(e.ctx, judges[0], o.ID, "元顧問"); err != nil {
		b.Fatal(err)
	}
	if _, err := e.svc.DeclareAffiliation(e.ctx, judges[0], workflow.Affiliation{Name: "株式会社別会社"}); err != nil {
		b.Fatal(err)
	}
	e.clock.Set(time.Date(2026, 8, 25, 10, 0, 0, 0, workflow.Tokyo)) // inside the judging window
	return judges
}
