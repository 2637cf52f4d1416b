package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
)

// roles are the demo's callers in the page matrix.
var roles = []string{"anon", "applicant", "mic-judge-1", "mhlw-judge-1", "mic-chair", "mic-secretariat", "mhlw-secretariat", "admin"}

// TestPageMatrix asks every page route as every role and checks the answer
// against its rule: a private page sends the signed-out to sign in, a
// caller whose roles lack the page's permission gets 403, and a caller who
// has it is never refused by the route (the service may still answer 404
// for an object it may not know). Path parameters take demo values.
func TestPageMatrix(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		params := map[string]string{"id": demoDraft(t, ts), "token": "no-such-invitation", "cycle": "demo-telework",
			"programme": "mic-pioneer", "version": "1", "stage": "top100", "hash": "000000000000", "name": "app.css",
			"user": strconv.FormatInt(ts.userID("mic-judge-1"), 10), "proposal": "1", "action": "screen", "key": "demo-telework", "grant": "1"}
		wild := regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)
		clients := map[string]*client{}
		for _, who := range roles {
			clients[who] = ts.as(who)
		}
		for _, rt := range ts.site.Routes() {
			if strings.HasPrefix(rt.Pattern, "/static/") {
				continue
			}
			path := wild.ReplaceAllStringFunc(rt.Pattern, func(m string) string {
				name := wild.FindStringSubmatch(m)[1]
				v, ok := params[name]
				if !ok {
					t.Fatalf("%s: no demo value for {%s}", rt.Pattern, name)
				}
				return v
			})
			path = strings.TrimSuffix(path, "{$}")
			for _, who := range roles {
				t.Run(rt.Method+" "+rt.Pattern+" as "+who, func(t *testing.T) {
					c := clients[who]
					if rt.Pattern == "/logout" {
						c = ts.as(who) // signing out must not end the shared clients' sessions
					}
					var r *response
					if rt.Method == http.MethodGet {
						r = c.get(path)
					} else {
						r = c.post(path, url.Values{})
					}
					toLogin := r.status == http.StatusSeeOther && strings.HasPrefix(r.header.Get("Location"), "/login")
					switch {
					case rt.Rule.Public:
						if r.status == http.StatusForbidden || r.status >= 500 {
							t.Errorf("public page answered %d", r.status)
						}
					case who == "anon":
						if !toLogin {
							t.Errorf("signed out: %d %s, want 303 to /login", r.status, r.header.Get("Location"))
						}
					case !rt.Rule.SignedIn && !ts.authz.Allowed(ts.userID(who), rt.Rule.Perm):
						if !routeRefused(r) {
							t.Errorf("%s lacks %s: %d, want the route's 403", who, rt.Rule.Perm, r.status)
						}
					default:
						// The route admits the role; the service may still refuse
						// on the object's facts (403 with its own message, 404, 409).
						if routeRefused(r) || toLogin || r.status >= 500 {
							t.Errorf("%s may: %d %s", who, r.status, r.header.Get("Location"))
						}
					}
					if r.doc != nil && r.status != http.StatusSeeOther {
						checkPage(t, r, "ja")
					}
				})
			}
		}
	})
}

// userID is a demo account's user id.
func (ts *testSite) userID(key string) int64 {
	ts.t.Helper()
	a := ts.accounts[key]
	u, _, err := ts.svc.Login(context.Background(), a.Email, a.Password)
	if err != nil {
		ts.t.Fatal(err)
	}
	return u.ID
}

// routeRefused reports whether the page's rule refused the caller (the
// route's own 403, not a service's refusal on the object's facts).
func routeRefused(r *response) bool {
	return r.status == http.StatusForbidden && strings.Contains(r.body, "このページを開く権限がありません")
}
