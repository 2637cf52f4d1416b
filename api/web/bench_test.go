package web

import (
	"context"
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
