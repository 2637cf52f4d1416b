package workflow

import (
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow/fieldtest"
)

// canonicalFixture sets every field of the cycle tree, with a second
// programme, stage, field and tier leaving the optional ones zero.
func canonicalFixture() Cycle {
	f := func(v float64) *float64 { return &v }
	n := func(v int) *int { return &v }
	jst := time.FixedZone("JST", 9*3600)
	return Cycle{Key: "fy-x", FiscalYear: 2026, Title: Text{"年度<&>", "Year \"x\""}, TimeZone: "Asia/Tokyo",
		Programmes: []Programme{{
			Key: "p", Ministry: "mic", Title: Text{"表彰", "Award"},
			Call: Window{Opens: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Closes: time.Date(2026, 7, 31, 8, 0, 0, 500, time.UTC)},
			Stages: []Stage{
				{Key: "s1", Title: Text{"一次", "First"}, Grants: "t1", Judging: &Judging{JudgesPerEntry: 2,
					Window:          Window{Opens: time.Date(2026, 8, 1, 9, 0, 0, 0, jst), Closes: time.Date(2026, 8, 31, 17, 0, 0, 0, jst)},
					ScoreVisibility: VisibleAfterSubmit, Feedback: true, Load: LoadLimits{Min: 1, Max: 9},
					Rubric: []Criterion{
						{Key: "c1", Label: Text{"観点", "Criterion"}, Guidance: Text{"指針", ""}, Weight: 1.5, Min: 0, Max: 5, Step: 0.5, Required: true},
						{Key: "c2", Label: Text{"観点2", "C2"}, Weight: 1e21, Min: -1, Max: 1, Step: 1},
					}}},
				{Key: "s2", Title: Text{"最終", "Final"}, Awards: []string{"a1", "a2"}},
			},
			Tiers:  []Tier{{Key: "t1", Title: Text{"段", "Tier"}, Quota: &Quota{Min: n(0), Max: n(100)}}, {Key: "t2", Title: Text{"段2", "T2"}}},
			Awards: []Tier{{Key: "a1", Title: Text{"賞", "A1"}, Quota: &Quota{}}, {Key: "a2", Title: Text{"賞2", "A2"}}},
			Form: Form{Fields: []Field{
				{Key: "f1", Label: Text{"問", "Q"}, Help: Text{"助", "Help"}, Type: FieldMultiChoice, Required: true, Public: true,
					Min: f(1), Max: f(2.25), MaxLength: 10, Choices: []Choice{{Key: "x", Label: Text{"エックス", "X"}}}},
				{Key: "f2", Label: Text{"問2", "Q2"}, Type: FieldText},
			}},
			Eligibility: []Rule{{Key: "r", AppliesTo: ScreeningStage, Condition: "answers.f2 != \"\"", Reason: Text{"理由", "Reason"}}},
		}, {
			Key: "q", Ministry: "mhlw", Title: Text{"空", "Empty"},
		}}}
}

// canonicalFixtureBytes is the fixture's encoding as the cycles stored
// before the canonical encoder were hashed (json.Marshal over the domain
// types' former json tags). It names fields explicitly: renaming a Go
// field cannot change it, and neither can changing the domain types' tags.
const canonicalFixtureBytes = `{"key":"fy-x","fiscal_year":2026,"title":{"ja":"年度\u003c\u0026\u003e","en":"Year \"x\""},"time_zone":"Asia/Tokyo","programmes":[{"key":"p","ministry":"mic","title":{"ja":"表彰","en":"Award"},"call":{"opens":"2026-07-01T00:00:00Z","closes":"2026-07-31T08:00:00.0000005Z"},"stages":[{"key":"s1","title":{"ja":"一次","en":"First"},"grants":"t1","judging":{"judges_per_entry":2,"window":{"opens":"2026-08-01T09:00:00+09:00","closes":"2026-08-31T17:00:00+09:00"},"score_visibility":"after_submit","feedback":true,"load":{"min":1,"max":9},"rubric":[{"key":"c1","label":{"ja":"観点","en":"Criterion"},"guidance":{"ja":"指針","en":""},"weight":1.5,"min":0,"max":5,"step":0.5,"required":true},{"key":"c2","label":{"ja":"観点2","en":"C2"},"weight":1e+21,"min":-1,"max":1,"step":1}]}},{"key":"s2","title":{"ja":"最終","en":"Final"},"awards":["a1","a2"]}],"tiers":[{"key":"t1","title":{"ja":"段","en":"Tier"},"quota":{"min":0,"max":100}},{"key":"t2","title":{"ja":"段2","en":"T2"}}],"awards":[{"key":"a1","title":{"ja":"賞","en":"A1"},"quota":{}},{"key":"a2","title":{"ja":"賞2","en":"A2"}}],"form":{"fields":[{"key":"f1","label":{"ja":"問","en":"Q"},"help":{"ja":"助","en":"Help"},"type":"multi_choice","required":true,"public":true,"min":1,"max":2.25,"max_length":10,"choices":[{"key":"x","label":{"ja":"エックス","en":"X"}}]},{"key":"f2","label":{"ja":"問2","en":"Q2"},"help":{"ja":"","en":""},"type":"text"}]},"eligibility":[{"key":"r","applies_to":"screening","condition":"answers.f2 != \"\"","reason":{"ja":"理由","en":"Reason"}}]},{"key":"q","ministry":"mhlw","title":{"ja":"空","en":"Empty"},"call":{"opens":"0001-01-01T00:00:00Z","closes":"0001-01-01T00:00:00Z"},"stages":null,"form":{"fields":null}}]}`

func TestCanonicalCycleEncoding(t *testing.T) {
	c := canonicalFixture()
	if got := string(CanonicalCycle(&c)); got != canonicalFixtureBytes {
		t.Fatalf("canonical encoding changed:\n got %s\nwant %s", got, canonicalFixtureBytes)
	}
	rubric := `[{"key":"c1","label":{"ja":"観点","en":"Criterion"},"guidance":{"ja":"指針","en":""},"weight":1.5,"min":0,"max":5,"step":0.5,"required":true},{"key":"c2","label":{"ja":"観点2","en":"C2"},"weight":1e+21,"min":-1,"max":1,"step":1}]`
	if got := string(canonicalRubric(c.Programmes[0].Stages[0].Judging.Rubric)); got != rubric {
		t.Fatalf("rubric encoding changed:\n got %s\nwant %s", got, rubric)
	}
}

// TestCanonicalCoversEveryField: clearing any exported field of a filled
// cycle changes its canonical encoding, so a field added to the cycle
// types cannot be left out of the hash unnoticed.
func TestCanonicalCoversEveryField(t *testing.T) {
	var full Cycle
	fieldtest.Fill(&full)
	base := string(CanonicalCycle(&full))
	for i := 0; ; i++ {
		var c Cycle
		fieldtest.Fill(&c)
		path := fieldtest.Zero(&c, i)
		if path == "" {
			if i < 50 {
				t.Fatalf("only %d leaves", i)
			}
			break
		}
		if string(CanonicalCycle(&c)) == base {
			t.Errorf("the canonical encoding ignores %s", path)
		}
	}
}
