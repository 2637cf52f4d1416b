package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
	"github.com/awardflow/awardflow/workflow/password"
)

// secondServer is another server process over the same PostgreSQL
// database as f: its own pool, service and policy enforcer, sharing only
// the database (and the test's clock).
func secondServer(t *testing.T, f *fixture) http.Handler {
	t.Helper()
	var name string
	if err := f.db.Bun.QueryRowContext(f.ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(dbtest.PostgresDSN())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	d, err := db.Open(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	svc := workflow.NewService(db.NewStore(d), f.clock.Now, workflow.WithPasswordParams(password.Params{Memory: 64, Time: 1, Threads: 1}),
		workflow.WithSheetKey(bytes.Repeat([]byte("k"), 32)), workflow.WithAuthorizer(policy.MustNew()))
	authz, err := policy.New()
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Service: svc, Authorizer: authz, Logger: discard(), Ready: func(context.Context) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestTwoServersShareOnePostgres: production scales out as several server
// processes on one PostgreSQL database. A grant, a revocation, a login
// throttle and a new cycle version made through server A are in force on
// server B at its very next request, B having served the same caller
// before (so any state B kept in memory would show).
func TestTwoServersShareOnePostgres(t *testing.T) {
	f := newFixture(t, dbtest.Postgres(t))
	a := f.h
	b := secondServer(t, f)
	on := func(h http.Handler, method, path, token string, body any) response {
		t.Helper()
		was := f.h
		f.h = h
		defer func() { f.h = was }()
		return f.do(method, path, token, body)
	}
	const v1 = "/api/v1"
	var grantID int64
	login := func(email, pw string) map[string]any { return map[string]any{"email": email, "password": pw} }
	steps := []struct {
		name   string
		via    http.Handler // the server the change is made through
		change func(t *testing.T)
		check  func() response // on the other server
		want   int
	}{
		{"before: a judge may not list users on B", nil, nil,
			func() response { return on(b, "GET", v1+"/users", f.tokens["mhlwJudge"], nil) }, 403},
		{"grant through A holds on B", a, func(t *testing.T) {
			r := on(a, "POST", fmt.Sprintf("%s/users/%d/grants", v1, f.users["mhlwJudge"].ID), f.tokens["admin"],
				map[string]any{"role": "secretariat", "domain": "mhlw"})
			if r.status != 201 {
				t.Fatalf("grant: %d %s", r.status, r.raw)
			}
			grantID = r.num("id")
		}, func() response { return on(b, "GET", v1+"/users", f.tokens["mhlwJudge"], nil) }, 200},
		{"revocation through A holds on B", a, func(t *testing.T) {
			if r := on(a, "DELETE", fmt.Sprintf("%s/grants/%d", v1, grantID), f.tokens["admin"], nil); r.status/100 != 2 {
				t.Fatalf("revoke: %d %s", r.status, r.raw)
			}
		}, func() response { return on(b, "GET", v1+"/users", f.tokens["mhlwJudge"], nil) }, 403},
		{"a grant and its revocation through B hold on A", b, func(t *testing.T) {
			r := on(b, "POST", fmt.Sprintf("%s/users/%d/grants", v1, f.users["mhlwJudge"].ID), f.tokens["admin"],
				map[string]any{"role": "secretariat", "domain": "mhlw"})
			if r.status != 201 || on(a, "GET", v1+"/users", f.tokens["mhlwJudge"], nil).status != 200 {
				t.Fatalf("grant through B: %d %s", r.status, r.raw)
			}
			if r := on(b, "DELETE", fmt.Sprintf("%s/grants/%d", v1, r.num("id")), f.tokens["admin"], nil); r.status/100 != 2 {
				t.Fatalf("revoke: %d %s", r.status, r.raw)
			}
		}, func() response { return on(a, "GET", v1+"/users", f.tokens["mhlwJudge"], nil) }, 403},
		{"before: B signs micJudge in", nil, nil,
			func() response {
				return on(b, "POST", v1+"/auth/login", "", login("micJudge@test.example", "password-of-micJudge"))
			}, 200},
		{"failed sign-ins through A throttle B", a, func(t *testing.T) {
			for i := range workflow.MaxAccountFailures {
				if r := on(a, "POST", v1+"/auth/login", "", login("micJudge@test.example", "wrong password")); r.status != 401 {
					t.Fatalf("failure %d: %d %s", i+1, r.status, r.raw)
				}
			}
		}, func() response {
			return on(b, "POST", v1+"/auth/login", "", login("micJudge@test.example", "password-of-micJudge"))
		}, 429},
		{"before: B serves cycle version 1", nil, nil,
			func() response { return on(b, "GET", v1+"/cycles/fy2026-telework", f.tokens["admin"], nil) }, 200},
		{"a new cycle version loaded through A is current on B", a, func(t *testing.T) {
			c, err := cyclefile.Read("../docs/examples/fy2026-telework.yaml")
			if err != nil {
				t.Fatal(err)
			}
			c.Title.En += " (revised)"
			if res, err := f.svc.LoadCycle(f.ctx, admin, c, false); err != nil || res.Version != 2 {
				t.Fatalf("load: %+v %v", res, err)
			}
		}, func() response { return on(b, "GET", v1+"/cycles/fy2026-telework", f.tokens["admin"], nil) }, 200},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.change != nil {
				st.change(t)
			}
			r := st.check()
			if r.status != st.want {
				t.Fatalf("status %d, want %d: %s", r.status, st.want, r.raw)
			}
		})
	}
	r := on(b, "GET", v1+"/cycles/fy2026-telework", f.tokens["admin"], nil)
	title, _ := r.body["title"].(map[string]any)
	if r.num("version") != 2 || title["en"] == nil || !bytes.HasSuffix([]byte(title["en"].(string)), []byte("(revised)")) {
		t.Fatalf("B serves %v, version %d", title, r.num("version"))
	}
}
