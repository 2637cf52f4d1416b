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
	"github.com/awardflow/awardflow/workflow"
)

// crossMinistryPrefixes are the staff and judges' areas: every route under
// them is asked for MIC's objects by MHLW's secretariat.
var crossMinistryPrefixes = []string{"/staff", "/judging", "/admin"}

// ministryParams are the path parameters that name one ministry's object;
// a route with one of them must refuse another ministry's staff. Routes
// without (a shared cycle, a dashboard of one's own) must still reveal
// nothing of the other ministry's nominations.
var ministryParams = map[string]bool{"programme": true, "stage": true, "id": true, "user": true, "grant": true}

// TestCrossMinistryRefused asks, as MHLW's secretariat, every staff and
// judges' route that exists for MIC's objects (cycle demo-telework,
// programme mic-pioneer, stage minister, a MIC nomination, a MIC judge and
// their grant). It is driven by ts.site.Routes(), so routes other areas add
// are covered once they are registered.
func TestCrossMinistryRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ts := newTestSite(t, d)
		nom, org := micNomination(t, ts)
		judge := ts.userID("mic-judge-1")
		params := map[string]string{"cycle": "demo-telework", "programme": "mic-pioneer", "stage": "minister",
			"id": strconv.FormatInt(nom, 10), "user": strconv.FormatInt(judge, 10), "key": "demo-telework",
			"grant": strconv.FormatInt(ts.grantOf("mic-judge-1", workflow.RoleJudge, "mic"), 10),
			"token": "no-such-invitation", "version": "1", "hash": "000000000000", "name": "app.css", "proposal": "1", "action": "screen"}
		mhlw := ts.as("mhlw-secretariat")
		wild := regexp.MustCompile(`\{([a-z]+)(\.\.\.)?\}`)
		asked := 0
		for _, rt := range ts.site.Routes() {
			if !slicesHasPrefix(rt.Pattern, crossMinistryPrefixes) {
				continue
			}
			mustRefuse := false
			path := wild.ReplaceAllStringFunc(rt.Pattern, func(m string) string {
				name := wild.FindStringSubmatch(m)[1]
				v, ok := params[name]
				if !ok {
					t.Fatalf("%s: no MIC value for {%s}", rt.Pattern, name)
				}
				mustRefuse = mustRefuse || ministryParams[name]
				return v
			})
			if strings.HasPrefix(rt.Pattern, "/admin/users/{id}") {
				// There {id} is a user: MIC's judge, whom MHLW does not see.
				path = strings.Replace(path, "/admin/users/"+params["id"], "/admin/users/"+params["user"], 1)
			}
			asked++
			t.Run(rt.Method+" "+rt.Pattern, func(t *testing.T) {
				checkNotRevealed(t, mhlw, rt.Method, path, mustRefuse, org)
			})
		}
		t.Logf("%d staff and judges' routes asked for MIC's objects", asked)
	})
}

// checkNotRevealed asks path (a GET, or a POST with an empty form) and
// fails if a route that names another ministry's object is not refused
// (403 or 404), or if any answer shows secret.
func checkNotRevealed(t *testing.T, c *client, method, path string, mustRefuse bool, secret string) {
	t.Helper()
	var r *response
	if method == http.MethodGet {
		r = c.get(path)
	} else {
		r = c.post(path, url.Values{})
	}
	if mustRefuse && r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Errorf("%s %s answered %d, want 403 or 404", method, path, r.status)
	}
	if strings.Contains(r.body, secret) || strings.Contains(r.header.Get("Content-Disposition"), secret) {
		t.Errorf("%s %s (%d) shows MIC's nominee %q", method, path, r.status, secret)
	}
}

// micNomination is a submitted MIC nomination at the minister stage, with
// its organisation's name.
func micNomination(t *testing.T, ts *testSite) (int64, string) {
	t.Helper()
	items, _, err := ts.svc.Nominations(context.Background(), testAdmin, workflow.NominationFilter{Cycle: "demo-telework", Programme: "mic-pioneer",
		Page: workflow.Page{Limit: workflow.MaxLimit}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Nomination.State != workflow.Draft && it.OrganisationName != "" {
			return it.Nomination.ID, it.OrganisationName
		}
	}
	t.Fatal("no submitted MIC nomination in the demo")
	return 0, ""
}

func slicesHasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if s == p || strings.HasPrefix(s, p+"/") {
			return true
		}
	}
	return false
}
