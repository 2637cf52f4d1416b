package api

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/workflow"
)

// scoredEntry is a fresh Top 100 entry with answers changed by edit,
// assigned to micJudge and scored by it with adoption a (the other criteria 3).
func (f *fixture) scoredEntry(t *testing.T, a int, edit map[string]any) workflow.Nomination {
	t.Helper()
	was := f.clock.Now()
	f.clock.Set(callOpen)
	o := f.organisation(f.fresh("株式会社決定"))
	applicant := workflow.Actor{ID: "setup", OrganisationID: o.ID, Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: "*"}}}
	n, err := f.svc.CreateNomination(f.ctx, applicant, o.ID, top100.Cycle, top100.Programme)
	if err != nil {
		t.Fatal(err)
	}
	answers := maps.Clone(micAnswers)
	maps.Copy(answers, edit)
	if n, err = f.svc.UpdateAnswers(f.ctx, applicant, n.ID, n.Version, answers); err != nil {
		t.Fatal(err)
	}
	if n, err = f.svc.Transition(f.ctx, applicant, n.ID, n.Version, workflow.Submit, workflow.Input{}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(was)
	for _, act := range []workflow.Action{workflow.StartScreening, workflow.Recognise, workflow.Advance} {
		if n, err = f.svc.Transition(f.ctx, admin, n.ID, 0, act, workflow.Input{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.svc.Assign(f.ctx, admin, top100, n.ID, f.users["micJudge"].ID); err != nil {
		t.Fatal(err)
	}
	judge := workflow.Actor{ID: "user", UserID: f.users["micJudge"].ID, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
	if _, err := f.svc.SaveScore(f.ctx, judge, top100, n.ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": a,
		"management": 3, "security": 3, "outcomes": 3}, Submit: true}); err != nil {
		t.Fatal(err)
	}
	return n
}

// outcomes maps the preview's outcomes by nomination id.
func outcomes(r response) map[int64]map[string]any {
	out := map[int64]map[string]any{}
	items, _ := r.body["outcomes"].([]any)
	for _, it := range items {
		o := it.(map[string]any)
		out[int64(o["nomination_id"].(float64))] = o
	}
	return out
}

func warningCodes(r response) []string {
	var out []string
	items, _ := r.body["warnings"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)["code"].(string))
	}
	return out
}

func selected(r response) []int64 {
	var out []int64
	for id, o := range outcomes(r) {
		if o["action"] == "select" || o["action"] == "award" {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// TestTieAtTheCut: four entries sharing the last place of top_n are never
// all selected silently. Without a choice the preview marks the tie and
// apply is refused; ties include_all / exclude_all decide it with a
// warning; excluding tied entries frees the place without a tie; excluded
// entries take no place.
func TestTieAtTheCut(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		sec := f.tokens["micSec"]
		var top, tied []int64
		for _, a := range []int{5, 4, 3} {
			top = append(top, f.scoredEntry(t, a, nil).ID)
		}
		for range 4 {
			tied = append(tied, f.scoredEntry(t, 2, nil).ID)
		}
		all := append(slices.Clone(top), tied...)
		preview := func(spec map[string]any) response {
			t.Helper()
			res := f.do("POST", stagePath+"/decisions/preview", sec, spec)
			if res.status != 200 {
				t.Fatalf("preview %v = %d %s", spec, res.status, res.raw)
			}
			return res
		}
		pv := preview(map[string]any{"top_n": 4})
		if got := selected(pv); !slices.Equal(got, top) {
			t.Errorf("unresolved tie: selected %v, want only the entries above the tie %v", got, top)
		}
		if !slices.Contains(warningCodes(pv), "unresolved_tie") {
			t.Errorf("no unresolved_tie warning: %v", warningCodes(pv))
		}
		for _, id := range tied {
			if o := outcomes(pv)[id]; o["unresolved_tie"] != true {
				t.Errorf("tied entry %d not marked: %v", id, o)
			}
		}
		if res := f.do("POST", stagePath+"/decisions", sec, map[string]any{"spec": map[string]any{"top_n": 4}, "fingerprint": pv.body["fingerprint"]}); res.status != 422 ||
			!strings.Contains(res.raw, "unresolved_tie") {
			t.Fatalf("apply with an unresolved tie = %d %s", res.status, res.raw)
		}
		for _, c := range []struct {
			spec map[string]any
			want []int64
			warn string
		}{
			{map[string]any{"top_n": 4, "ties": "include_all"}, all, "tie_at_cut"},
			{map[string]any{"top_n": 4, "ties": "exclude_all"}, top, "tie_at_cut"},
			// Excluding three of the four tied leaves one place for one entry: no tie.
			{map[string]any{"top_n": 4, "excludes": []map[string]any{{"nomination_id": tied[1], "reason": "抽選"},
				{"nomination_id": tied[2], "reason": "抽選"}, {"nomination_id": tied[3], "reason": "抽選"}}}, append(slices.Clone(top), tied[0]), ""},
			// An excluded entry takes no place: the next one moves up.
			{map[string]any{"top_n": 2, "excludes": []map[string]any{{"nomination_id": top[0], "reason": "辞退"}}}, top[1:], ""},
		} {
			pv := preview(c.spec)
			if got := selected(pv); !slices.Equal(got, c.want) {
				t.Errorf("%v: selected %v, want %v", c.spec, got, c.want)
			}
			codes := warningCodes(pv)
			if slices.Contains(codes, "unresolved_tie") || (c.warn != "") != slices.Contains(codes, c.warn) {
				t.Errorf("%v: warnings %v, want %q", c.spec, codes, c.warn)
			}
		}
		spec := map[string]any{"top_n": 4, "ties": "exclude_all"}
		pv = preview(spec)
		if res := f.do("POST", stagePath+"/decisions", sec, map[string]any{"spec": spec, "fingerprint": pv.body["fingerprint"]}); res.status != 201 {
			t.Fatalf("apply with ties exclude_all = %d %s", res.status, res.raw)
		}
		if n := f.nomination(tied[0]); n.State != workflow.NotSelected {
			t.Fatalf("a tied entry after exclude_all is %s", n.State)
		}
	})
}

// TestDecisionStageEligibility: an entry failing a rule of the stage it
// would enter (Top 100: at least 4 telework days a month) is flagged and not
// selected, takes no place, cannot be picked without an eligibility override,
// and with one is selected and the override's reason is in its history.
func TestDecisionStageEligibility(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		sec := f.tokens["micSec"]
		few := f.scoredEntry(t, 5, map[string]any{"avg_telework_days": "3"}) // the best scores, but fails "frequency"
		b, c, d := f.scoredEntry(t, 4, nil), f.scoredEntry(t, 3, nil), f.scoredEntry(t, 2, nil)
		pv := f.do("POST", stagePath+"/decisions/preview", sec, map[string]any{"top_n": 2})
		if pv.status != 200 {
			t.Fatalf("preview = %d %s", pv.status, pv.raw)
		}
		if got := selected(pv); !slices.Equal(got, []int64{b.ID, c.ID}) {
			t.Errorf("selected %v, want %v (the ineligible entry takes no place)", got, []int64{b.ID, c.ID})
		}
		o := outcomes(pv)[few.ID]
		if o["eligibility"] != "fail" || o["why"] != "ineligible" || !strings.Contains(fmt.Sprint(o["reason"]), "frequency") {
			t.Errorf("the ineligible entry's outcome: %v", o)
		}
		if !slices.Contains(warningCodes(pv), "ineligible") {
			t.Errorf("no ineligible warning: %s", pv.raw)
		}
		for _, bad := range []map[string]any{
			{"top_n": 2, "picks": []map[string]any{{"nomination_id": few.ID, "reason": "審査会の判断"}}},
			{"top_n": 2, "eligibility_overrides": []map[string]any{{"nomination_id": few.ID, "reason": " "}}},
			{"top_n": 2, "eligibility_overrides": []map[string]any{{"nomination_id": b.ID, "reason": "不要"}}},
			{"top_n": 2, "eligibility_overrides": []map[string]any{{"nomination_id": few.ID, "reason": "隠し\u202e文字"}}},
		} {
			if res := f.do("POST", stagePath+"/decisions/preview", sec, bad); res.status != 422 {
				t.Errorf("%v = %d %s", bad, res.status, res.raw)
			}
		}
		spec := map[string]any{"top_n": 2, "eligibility_overrides": []map[string]any{{"nomination_id": few.ID, "reason": "繁忙期を除けば月4日以上"}}}
		pv = f.do("POST", stagePath+"/decisions/preview", sec, spec)
		if got := selected(pv); !slices.Equal(got, []int64{few.ID, b.ID}) {
			t.Fatalf("with the override selected %v: %s", got, pv.raw)
		}
		if res := f.do("POST", stagePath+"/decisions", sec, map[string]any{"spec": spec, "fingerprint": pv.body["fingerprint"]}); res.status != 201 {
			t.Fatalf("apply = %d %s", res.status, res.raw)
		}
		if n := f.nomination(d.ID); n.State != workflow.NotSelected {
			t.Fatalf("d is %s", n.State)
		}
		hist := f.do("GET", fmt.Sprintf("/api/v1/nominations/%d/history", few.ID), sec, nil)
		if !strings.Contains(hist.raw, "eligibility override") || !strings.Contains(hist.raw, "繁忙期を除けば月4日以上") {
			t.Fatalf("the override is not in the history: %s", hist.raw)
		}
	})
}

// TestNormalisedMeansOneThing: a decision ranked by "normalised" uses the
// normalised figures (the ranking route's) whether or not normalise is set,
// and normalise with another measure is refused.
func TestNormalisedMeansOneThing(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		sec := f.tokens["micSec"]
		var es []workflow.Nomination
		for _, a := range []int{5, 4, 2} {
			es = append(es, f.scoredEntry(t, a, nil))
		}
		// A harsh second judge scores the same entries: normalised figures differ from raw means.
		j2 := f.freshUser(workflow.RoleJudge, "mic")
		if _, err := f.svc.SetPanelMember(f.ctx, admin, top100, workflow.PanelMember{UserID: j2.ID, Role: workflow.RoleJudge}); err != nil {
			t.Fatal(err)
		}
		judge2 := workflow.Actor{ID: "user2", UserID: j2.ID, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
		for i, e := range es {
			if _, err := f.svc.Assign(f.ctx, admin, top100, e.ID, j2.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SaveScore(f.ctx, judge2, top100, e.ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 1 + i%2,
				"management": 1, "security": 1 + i, "outcomes": 1}, Submit: true}); err != nil {
				t.Fatal(err)
			}
		}
		rank := f.do("GET", stagePath+"/ranking?measure=normalised", sec, nil)
		want, mean := map[int64]float64{}, map[int64]float64{}
		for _, it := range rank.body["items"].([]any) {
			r := it.(map[string]any)
			want[int64(r["nomination_id"].(float64))] = r["normalised"].(float64)
			mean[int64(r["nomination_id"].(float64))] = r["mean"].(float64)
		}
		differs := false
		for _, spec := range []map[string]any{{"measure": "normalised", "top_n": 1}, {"measure": "normalised", "normalise": true, "top_n": 1}} {
			pv := f.do("POST", stagePath+"/decisions/preview", sec, spec)
			for _, e := range es {
				o := outcomes(pv)[e.ID]
				if v := o["value"].(float64); !near(v, want[e.ID]) {
					t.Errorf("%v: entry %d value %v, ranking's normalised %v", spec, e.ID, v, want[e.ID])
				}
				differs = differs || !near(want[e.ID], mean[e.ID])
			}
		}
		if !differs {
			t.Fatal("the example does not tell normalised figures from means")
		}
		res := f.do("POST", stagePath+"/decisions/preview", sec, map[string]any{"measure": "mean", "normalise": true, "top_n": 1})
		if res.status != 422 || !strings.Contains(res.raw, "normalise") {
			t.Fatalf("normalise with measure mean = %d %s", res.status, res.raw)
		}
	})
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
