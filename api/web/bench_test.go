package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/db/demo"
	"github.com/awardflow/awardflow/workflow"
)

// BenchmarkPages renders the pages people open most on the demo year, over
// loopback HTTP like a browser (cookies, full HTML), and reports the median
// and p99 per page. Run by make bench on SQLite and PostgreSQL.
func BenchmarkPages(b *testing.B) {
	for _, dialect := range []db.Dialect{db.SQLite, db.Postgres} {
		b.Run(string(dialect), func(b *testing.B) {
			ts := newTestSite(b, dbtest.Open(b, dialect))
			draft := demoDraft(b, ts)
			pages := []struct{ name, who, path string }{
				{"home", "anon", "/"},
				{"login", "anon", "/login"},
				{"company-home", "applicant", "/me"},
				{"form-step", "applicant", "/nominations/" + draft + "/edit?step=1"},
				{"award-list", "anon", "/awards/" + demo.PastKey},
				{"award-list-empty", "anon", "/awards/" + demo.Key},
				{"judge-entries-50", benchJudge(b, ts, 50), judgingPath(top100Stage, "")},
			}
			if dialect == db.Postgres {
				deep := staffBench(b, ts, 5000)
				pages = append(pages,
					struct{ name, who, path string }{"secretariat list, 5,000 nominations", "mic-secretariat", "/staff/nominations"},
					struct{ name, who, path string }{"secretariat list, 5,000 nominations, page 60", "mic-secretariat", deep})
			}
			for _, p := range pages {
				b.Run(p.name, func(b *testing.B) {
					c := ts.as(p.who)
					if r := c.get(p.path); r.status != http.StatusOK {
						b.Fatalf("%s: %d", p.path, r.status)
					}
					took := make([]time.Duration, 0, b.N)
					b.ResetTimer()
					for b.Loop() {
						t0 := time.Now()
						if r := c.get(p.path); r.status != http.StatusOK {
							b.Fatalf("%s: %d", p.path, r.status)
						}
						took = append(took, time.Since(t0))
					}
					slices.Sort(took)
					b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}

// top100Stage is MIC's Top 100 review, where benchJudge's entries are.
var top100Stage = workflow.StageRef{Cycle: demo.Key, Programme: "mic-pioneer", Stage: "top100"}

// benchJudge puts n new MIC nominations through the services into the Top
// 100 review (submitted, screened, recognised, advanced), assigns them all
// to a new judge on its panel, and returns the judge's account key.
func benchJudge(b *testing.B, ts *testSite, n int) string {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	acct := demo.Account{Key: "bench-judge", Email: "bench-judge@judges.example", Password: "a long enough bench password"}
	u, err := ts.svc.CreateUser(ctx, testAdmin, workflow.NewUser{Email: acct.Email, Name: "ベンチ審査員", Password: acct.Password,
		Role: workflow.RoleJudge, Domain: "mic"})
	if err != nil {
		b.Fatal(err)
	}
	ts.accounts[acct.Key] = acct
	if _, err := ts.svc.SetPanelMember(ctx, testAdmin, top100Stage, workflow.PanelMember{UserID: u.ID, Role: workflow.RoleJudge}); err != nil {
		b.Fatal(err)
	}
	for i := range n {
		o, err := ts.svc.CreateOrganisation(ctx, testAdmin, workflow.Organisation{Name: fmt.Sprintf("株式会社ベンチ商会%02d", i), NameKana: "ベンチショウカイ",
			LegalForm: "kabushiki_kaisha", Prefecture: "13", Municipality: "港区", Industry: "G", SMESector: workflow.SectorServices,
			TotalHeadcount: 120, RegularHeadcount: 100})
		if err != nil {
			b.Fatal(err)
		}
		applicant := workflow.Actor{ID: fmt.Sprintf("bench-applicant-%d", o.ID), Name: o.Name, OrganisationID: o.ID,
			Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}}
		nom, err := ts.svc.CreateNomination(ctx, applicant, o.ID, demo.Key, "mic-pioneer")
		if err != nil {
			b.Fatal(err)
		}
		if nom, err = ts.svc.UpdateAnswers(ctx, applicant, nom.ID, nom.Version, demo.Answers("mic-pioneer", i)); err != nil {
			b.Fatal(err)
		}
		if nom, err = ts.svc.Transition(ctx, applicant, nom.ID, nom.Version, workflow.Submit, workflow.Input{}); err != nil {
			b.Fatal(err)
		}
		for _, a := range []workflow.Action{workflow.StartScreening, workflow.Recognise, workflow.Advance} {
			if nom, err = ts.svc.Transition(ctx, testAdmin, nom.ID, nom.Version, a, workflow.Input{}); err != nil {
				b.Fatalf("%s: %v", a, err)
			}
		}
		if _, err := ts.svc.Assign(ctx, testAdmin, top100Stage, nom.ID, u.ID); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d entries through the services in %s", n, time.Since(start).Round(time.Millisecond))
	return acct.Key
}

// demoDraft is the demo applicant's MIC draft's id.
func demoDraft(tb testing.TB, ts *testSite) string {
	tb.Helper()
	items, _, err := ts.svc.Nominations(context.Background(), demoActor(tb, ts, "applicant"), workflow.NominationFilter{Page: workflow.Page{Limit: 50}})
	if err != nil {
		tb.Fatal(err)
	}
	for _, n := range items {
		if n.Nomination.State == workflow.Draft && strings.HasPrefix(n.Nomination.ProgrammeKey, "mic") {
			return strconv.FormatInt(n.Nomination.ID, 10)
		}
	}
	tb.Fatal("the demo applicant has no MIC draft")
	return ""
}

// demoActor is a demo account as the services see it when it is signed in.
func demoActor(tb testing.TB, ts *testSite, key string) workflow.Actor {
	tb.Helper()
	a := ts.accounts[key]
	ctx := context.Background()
	_, tok, err := ts.svc.Login(ctx, a.Email, a.Password)
	if err != nil {
		tb.Fatal(err)
	}
	_, actor, err := ts.authz.Actor(ctx, ts.svc, tok.Value)
	if err != nil {
		tb.Fatal(err)
	}
	return actor
}

// staffBench stores n valid submitted MIC nominations, each with its
// organisation, in one transaction through the store (the services would
// take minutes), and returns the list's URL of page 60 (via its cursor).
func staffBench(b *testing.B, ts *testSite, n int) string {
	b.Helper()
	ctx := context.Background()
	cv, err := ts.svc.Cycle(ctx, demo.Key)
	if err != nil {
		b.Fatal(err)
	}
	p, _ := cv.Cycle.Programme("mic-pioneer")
	now := ts.clock.Now().UTC()
	err = db.NewStore(ts.d).InTx(ctx, func(tx workflow.Tx) error {
		for i := range n {
			o := workflow.Organisation{Name: fmt.Sprintf("株式会社ベンチ%05d", i), NameKana: "ベンチ", LegalForm: "kabushiki_kaisha",
				Prefecture: workflow.Prefectures[i%47].Code, Municipality: "港区", Industry: "G", SMESector: workflow.SectorServices,
				TotalHeadcount: 100, RegularHeadcount: 10 + i%400, Version: 1, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertOrganisation(ctx, &o); err != nil {
				return err
			}
			answers, ps := p.Form.Apply(nil, demo.Answers("mic-pioneer", i))
			if len(ps) > 0 {
				return fmt.Errorf("answers: %v", ps)
			}
			nom := workflow.Nomination{CycleKey: demo.Key, CycleVersion: cv.Version, ProgrammeKey: "mic-pioneer", Ministry: p.Ministry,
				OrganisationID: o.ID, State: workflow.Submitted, Answers: answers, Snapshot: &o, SubmittedAt: &now,
				Version: 2, CreatedAt: now, UpdatedAt: now, ApplicantVersion: 2, ApplicantUpdatedAt: now}
			if err := tx.InsertNomination(ctx, &nom); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	// A production database's autovacuum analyzes after a load this size;
	// without it the planner still believes the tables hold the demo alone.
	if _, err := ts.d.Bun.ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	f := workflow.NominationFilter{}
	for range 59 {
		_, info, err := ts.svc.Nominations(ctx, testAdmin, f)
		if err != nil {
			b.Fatal(err)
		}
		f.Cursor = info.NextCursor
	}
	return "/staff/nominations?cursor=" + f.Cursor
}
