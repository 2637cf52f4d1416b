package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/workflow"
)

// applicantToken creates an applicant account for org and signs it in.
func (f *fixture) applicantToken(org int64) string {
	f.t.Helper()
	email := f.fresh("entrant") + "@test.example"
	if _, err := f.svc.CreateUser(f.ctx, admin, workflow.NewUser{Email: email, Name: "応募者", Password: "long enough password",
		Role: workflow.RoleApplicant, Domain: "*", OrganisationID: org}); err != nil {
		f.t.Fatal(err)
	}
	_, tok, err := f.svc.Login(f.ctx, email, "long enough password")
	if err != nil {
		f.t.Fatal(err)
	}
	return tok.Value
}

// TestApplicantViewOverHTTP (issue 8, applicants 1, 4, 5): before release
// the applicant's state, version, ETag and updated_at are those of its
// submission whatever staff did since, its If-Match is its own version, and
// its history's creation step has no "from"; after release a Pioneer not in
// the Top 100 reads as recognised.
func TestApplicantViewOverHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		e := f.nomination(f.other) // screened, recognised, in review at the Top 100 (version 6)
		tok := f.applicantToken(e.OrganisationID)
		path := fmt.Sprintf("/api/v1/nominations/%d", e.ID)
		mine := f.do("GET", path, tok, nil)
		if mine.status != 200 || mine.body["state"] != "under_review" || mine.num("version") != 3 || mine.header.Get("ETag") != `"3"` ||
			mine.body["updated_at"] != e.SubmittedAt.Format("2006-01-02T15:04:05Z07:00") {
			t.Fatalf("staff at v%d; the applicant sees: %s %s", e.Version, mine.header.Get("ETag"), mine.raw)
		}
		list := f.do("GET", "/api/v1/nominations?state=under_review", tok, nil)
		items, _ := list.body["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["version"] != float64(3) || items[0].(map[string]any)["state"] != "under_review" {
			t.Fatalf("the applicant's list: %s", list.raw)
		}
		if res := f.do("GET", "/api/v1/nominations?state=in_review&total=true", tok, nil); res.status != 200 || res.num("total") != 0 {
			t.Fatalf("filtering by a state the applicant cannot see: %s", res.raw)
		}
		hist := f.do("GET", path+"/history", tok, nil)
		hs := hist.body["items"].([]any)
		first := hs[0].(map[string]any)
		if _, ok := first["from"]; ok || first["action"] != "create" || len(hs) != 2 || hs[1].(map[string]any)["version"] != float64(3) {
			t.Fatalf("the applicant's history: %s", hist.raw)
		}

		// Not selected for the Top 100, then released: the applicant sees the Pioneer it became.
		if _, err := f.svc.Transition(f.ctx, admin, e.ID, 0, workflow.NotSelect, workflow.Input{Reason: "百選に届かず"}); err != nil {
			t.Fatal(err)
		}
		if res := f.do("POST", "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/release", f.tokens["micSec"],
			map[string]any{"confirm_undecided": true, "reason": "審査中の応募は対象外"}); res.status != 204 {
			t.Fatalf("release: %s", res.raw)
		}
		mine = f.do("GET", path, tok, nil)
		if mine.body["state"] != "recognised" || mine.body["tier"] != "pioneer" || mine.body["stage"] != nil {
			t.Fatalf("after release the applicant sees: %s", mine.raw)
		}
		hist = f.do("GET", path+"/history", tok, nil)
		hs = hist.body["items"].([]any)
		if last := hs[len(hs)-1].(map[string]any); last["action"] != "recognise" || strings.Contains(hist.raw, "not_selected") {
			t.Fatalf("the applicant's history after release: %s", hist.raw)
		}
	})
}

// TestApplicantIfMatchOverHTTP (issue 8, applicants 1): the applicant
// withdraws with the ETag it was given although staff screened since.
func TestApplicantIfMatchOverHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		o := f.organisation(f.fresh("株式会社辞退"))
		n := f.submitted(o, workflow.Actor{ID: "setup", Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: "*"}}}, "mic-pioneer")
		tok := f.applicantToken(o.ID)
		path := fmt.Sprintf("/api/v1/nominations/%d", n.ID)
		etag := f.do("GET", path, tok, nil).header.Get("ETag")
		if _, err := f.svc.Transition(f.ctx, admin, n.ID, 0, workflow.StartScreening, workflow.Input{}); err != nil {
			t.Fatal(err)
		}
		if res := f.do("POST", path+"/actions/withdraw", tok, nil, "If-Match", `"2"`); res.status != 409 {
			t.Fatalf("a stale If-Match = %d %s", res.status, res.raw)
		}
		res := f.do("POST", path+"/actions/withdraw", tok, nil, "If-Match", etag)
		if res.status != 200 || res.body["state"] != "withdrawn" || res.header.Get("ETag") != fmt.Sprintf(`"%d"`, n.Version+1) {
			t.Fatalf("withdraw with the applicant's ETag %s: %d %s %s", etag, res.status, res.header.Get("ETag"), res.raw)
		}
	})
}

// TestReleasePreflightOverHTTP (issue 8, applicants 2, 3): the pre-flight
// lists what is undecided, release is refused without a confirmation and a
// reason, the confirmation is recorded, and no draft is created after the
// call has closed (the message gives the window in 和暦).
func TestReleasePreflightOverHTTP(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		sec := f.tokens["micSec"]
		release := "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/release"
		pre := f.do("GET", release, sec, nil)
		undecided, _ := pre.body["undecided"].(map[string]any)
		if pre.status != 200 || pre.body["call_open"] != false || pre.body["released"] != false || pre.num("undecided_total") != 3 ||
			undecided["draft"] != float64(1) || undecided["in_review"] != float64(2) {
			t.Fatalf("pre-flight: %s", pre.raw)
		}
		if res := f.do("GET", release, f.tokens["owner"], nil); res.status != 403 {
			t.Fatalf("an applicant's pre-flight = %d", res.status)
		}
		res := f.do("POST", release, sec, nil)
		if res.status != 409 || !strings.Contains(res.raw, "undecided.draft") || !strings.Contains(res.raw, "undecided.in_review") {
			t.Fatalf("release with undecided nominations: %d %s", res.status, res.raw)
		}
		if res := f.do("POST", release, sec, map[string]any{"confirm_undecided": true}); res.status != 422 {
			t.Fatalf("confirmation without a reason = %d %s", res.status, res.raw)
		}
		if res := f.do("POST", release, sec, map[string]any{"confirm_undecided": true, "reason": "審査中の2件は次年度"}); res.status != 204 {
			t.Fatalf("confirmed release: %s", res.raw)
		}
		post := f.do("GET", release, sec, nil)
		confirmed, _ := post.body["confirmed_undecided"].(map[string]any)
		if post.body["released"] != true || post.body["confirm_reason"] != "審査中の2件は次年度" || confirmed["in_review"] != float64(2) ||
			post.body["released_by"] == "" {
			t.Fatalf("pre-flight after release: %s", post.raw)
		}

		// The call has closed (the fixture's clock is in the judging window): no new draft.
		o := f.organisation(f.fresh("株式会社遅延"))
		late := f.do("POST", "/api/v1/nominations", f.applicantToken(o.ID), map[string]any{"cycle": "fy2026-telework", "programme": "mhlw-kagayaku"})
		if late.status != 409 || !strings.Contains(late.raw, "令和8年7月15日") || !strings.Contains(late.raw, "令和8年6月1日") {
			t.Fatalf("a draft after the call = %d %s", late.status, late.raw)
		}
	})
}
