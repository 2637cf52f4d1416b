package cyclefile_test

import (
	"testing"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
)

// TestExampleTop100EligibleShare: in the example cycle's MIC Top 100 rule,
// eligible staff must be 25 % of regular employees, 50 % for small
// enterprises (小規模事業者) only, not for every SME (DOMAIN.md §3, §6). At
// the same 40 % a small enterprise fails and a larger SME passes.
func TestExampleTop100EligibleShare(t *testing.T) {
	c, err := cyclefile.Read("../../docs/examples/fy2026-telework.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var p *workflow.Programme
	for i := range c.Programmes {
		if c.Programmes[i].Key == "mic-pioneer" {
			p = &c.Programmes[i]
		}
	}
	if p == nil {
		t.Fatal("no mic-pioneer programme")
	}
	capital := int64(10_000_000)
	org := func(regular int) workflow.Organisation {
		return workflow.Organisation{Name: "株式会社例", NameKana: "レイ", LegalForm: "kabushiki_kaisha", Prefecture: "13",
			Municipality: "港区", Industry: "E", TotalHeadcount: regular, RegularHeadcount: regular, Capital: &capital}
	}
	for _, tc := range []struct {
		name              string
		regular, eligible int
		small, sme        bool
		want              workflow.Outcome
	}{
		{"small enterprise at 40 %", 10, 4, true, true, workflow.Fail},
		{"small enterprise at 50 %", 10, 5, true, true, workflow.Pass},
		{"non-small SME at 40 %", 100, 40, false, true, workflow.Pass},
		{"non-small SME at 24 %", 100, 24, false, true, workflow.Fail},
		{"large company at 25 %", 1000, 250, false, false, workflow.Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := org(tc.regular)
			if !tc.sme {
				big := int64(1_000_000_000)
				o.Capital = &big
			}
			if s := o.Size(); s.Small != tc.small || s.SME != tc.sme {
				t.Fatalf("size = %+v", s)
			}
			answers, ps := p.Form.Apply(workflow.Answers{}, map[string]any{"eligible_staff": tc.eligible, "teleworkers": tc.eligible})
			if len(ps) != 0 {
				t.Fatal(ps)
			}
			got := workflow.Outcome("")
			for _, v := range p.Verdicts(answers, o) {
				for _, r := range v.Results {
					if r.Rule == "eligible-share" {
						got = r.Outcome
					}
				}
			}
			if got != tc.want {
				t.Fatalf("eligible-share = %q, want %q", got, tc.want)
			}
		})
	}
}
