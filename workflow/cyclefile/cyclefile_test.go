package cyclefile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/cyclefile"
)

const base = `key: fy2026
fiscal_year: 2026
title: {ja: 令和8年度, en: FY2026}
time_zone: Asia/Tokyo
programmes:
  - key: mic
    ministry: mic
    title: {ja: 先駆者, en: Pioneers}
    call: {opens: 2026-06-15T10:00, closes: 2026-07-31}
    tiers:
      - key: pioneer
        title: {ja: 先駆者, en: Pioneer}
      - key: top100
        title: {ja: 百選, en: Top 100}
        quota: {min: 30, max: 60}
    awards:
      - key: minister
        title: {ja: 大臣賞, en: Minister}
    stages:
      - key: top100
        title: {ja: 百選審査, en: Top 100 review}
        grants: top100
        judging:
          judges_per_entry: 3
          window: {opens: 2026-08-20T10:00, closes: 2026-09-11}
          score_visibility: after_submit
          load: {min: 1, max: 40}
          rubric:
            - key: adoption
              label: {ja: 導入, en: Adoption}
              weight: 3
              min: 1
              max: 5
              required: true
      - key: minister
        title: {ja: 大臣賞審査, en: Minister review}
        awards: [minister]
    form:
      fields:
        - key: staff
          label: {ja: 対象者数, en: Eligible staff}
          type: integer
          required: true
          min: 0
          max: 100000
        - key: days
          label: {ja: 日数, en: Days}
          type: decimal
        - key: basis
          label: {ja: 規定, en: Basis}
          type: choice
          choices:
            - key: rules
              label: {ja: 就業規則, en: Work rules}
    eligibility:
      - key: frequency
        applies_to: top100
        condition: days >= 4
        reason: {ja: 4日未満, en: under 4 days}
`

func TestBaseIsValid(t *testing.T) {
	c, err := cyclefile.Parse([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Programmes[0]
	if want := time.Date(2026, 8, 1, 0, 0, 0, 0, workflow.Tokyo); !p.Call.Closes.Equal(want) {
		t.Errorf("closes: 2026-07-31 = %v, want the end of that day in Japan, %v", p.Call.Closes, want)
	}
	if want := time.Date(2026, 6, 15, 10, 0, 0, 0, workflow.Tokyo); !p.Call.Opens.Equal(want) {
		t.Errorf("opens = %v, want %v", p.Call.Opens, want)
	}
	if *p.Tiers[1].Quota.Max != 60 || p.Form.Fields[0].Min == nil || !p.Form.Fields[0].Required {
		t.Errorf("decoded programme: %+v", p)
	}
}

// TestCallClosingOn31March: closes: 2027-03-31 is stored as 1 April 00:00
// and still belongs to fiscal year 2026, the year it ends.
func TestCallClosingOn31March(t *testing.T) {
	src := strings.Replace(base, "{opens: 2026-06-15T10:00, closes: 2026-07-31}", "{opens: 2027-03-01T10:00, closes: 2027-03-31}", 1)
	c, err := cyclefile.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := workflow.DeadlineFiscalYear(c.Programmes[0].Call.Closes); got != 2026 {
		t.Fatalf("fiscal year of the deadline = %d", got)
	}
}

func TestExampleFileIsValid(t *testing.T) {
	c, err := cyclefile.Read("../../docs/examples/fy2026-telework.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Programmes) != 2 || c.Programmes[0].Ministry != "mic" || c.Programmes[1].Ministry != "mhlw" {
		t.Fatalf("programmes: %+v", c.Programmes)
	}
}

// TestBadCycleFiles: each kind of mistake is reported with its path and a
// specific message.
func TestBadCycleFiles(t *testing.T) {
	tests := []struct {
		name     string
		old, new string // replace old with new in base ("" old: replace the whole file)
		path     string
		msg      string
	}{
		{"empty file", "", "", "", "the file is empty"},
		{"not YAML", "", "key: [unclosed", "", "yaml:"},
		{"top level is a list", "", "- a\n- b\n", "", "must be a mapping"},
		{"unknown top-level field", "time_zone: Asia/Tokyo", "time_zone: Asia/Tokyo\nfiscal_yaer: 2026", "fiscal_yaer", "unknown field"},
		{"unknown nested field", "        grants: top100", "        grants: top100\n        nme: x", "programmes[0].stages[0].nme", "unknown field"},
		{"bad key", "key: fy2026", "key: FY 2026", "key", "lower-case letters"},
		{"fiscal year as text", "fiscal_year: 2026", "fiscal_year: twenty", "fiscal_year", "must be a whole number"},
		{"fiscal year out of range", "fiscal_year: 2026", "fiscal_year: 1999", "fiscal_year", "between 2000 and 2100"},
		{"missing English title", "title: {ja: 令和8年度, en: FY2026}", "title: {ja: 令和8年度}", "title.en", "is required"},
		{"unknown time zone", "time_zone: Asia/Tokyo", "time_zone: Mars/Olympus", "time_zone", "unknown time zone"},
		{"no programmes", "programmes:", "programmes: []\nx:", "programmes", "at least one programme"},
		{"unknown ministry", "ministry: mic", "ministry: mof", "programmes[0].ministry", "unknown ministry"},
		{"closes before opens", "closes: 2026-07-31}", "closes: 2026-06-01}", "programmes[0].call.closes", "must be after opens"},
		{"bad date", "closes: 2026-07-31}", "closes: 31/07/2026}", "programmes[0].call.closes", "must be a date"},
		{"deadline outside the fiscal year", "{opens: 2026-06-15T10:00, closes: 2026-07-31}", "{opens: 2027-03-15T10:00, closes: 2027-04-10}", "programmes[0].call.closes", "fiscal year 2026"},
		{"deadline at the end of the fiscal year before", "{opens: 2026-06-15T10:00, closes: 2026-07-31}", "{opens: 2026-03-01T10:00, closes: 2026-03-31}", "programmes[0].call.closes", "fiscal year 2026"},
		{"max below min", "          max: 100000", "          max: -1", "programmes[0].form.fields[0].max", "must be ≥ min"},
		{"min on a text field", "          type: decimal", "          type: text\n          min: 1", "programmes[0].form.fields[1]", "min and max apply only"},
		{"fractional integer limit", "          min: 0\n", "          min: 0.5\n", "programmes[0].form.fields[0].min", "whole number"},
		{"unknown field type", "          type: decimal", "          type: money", "programmes[0].form.fields[1].type", "unknown field type"},
		{"choice without choices", "          choices:\n            - key: rules\n              label: {ja: 就業規則, en: Work rules}\n", "", "programmes[0].form.fields[2].choices", "at least one choice"},
		{"duplicate field key", "        - key: days", "        - key: staff", "programmes[0].form.fields[1].key", "duplicate field key"},
		{"field key with a hyphen", "        - key: days", "        - key: avg-days", "programmes[0].form.fields[1].key", "must start with a letter"},
		{"required as text", "          type: integer\n          required: true", "          type: integer\n          required: yes please", "programmes[0].form.fields[0].required", "true or false"},
		{"stage grants an unknown tier", "        grants: top100", "        grants: top50", "programmes[0].stages[0].grants", "unknown tier"},
		{"stage grants the first tier", "        grants: top100", "        grants: pioneer", "programmes[0].stages[0].grants", "first tier"},
		{"stage with neither grants nor awards", "        grants: top100\n", "", "programmes[0].stages[0]", "either grant a tier"},
		{"awards before the last stage", "      - key: top100\n        title: {ja: 百選審査, en: Top 100 review}\n",
			"      - key: early\n        title: {ja: 先行, en: Early}\n        awards: [minister]\n      - key: top100\n        title: {ja: 百選審査, en: Top 100 review}\n",
			"programmes[0].stages[0].awards", "only the last stage"},
		{"reserved stage key", "      - key: top100\n        title: {ja: 百選審査", "      - key: screening\n        title: {ja: 百選審査", "programmes[0].stages[0].key", "reserved"},
		{"quota max below min", "quota: {min: 30, max: 60}", "quota: {min: 30, max: 20}", "programmes[0].tiers[1].quota.max", "must be ≥ min"},
		{"rule on an unknown variable", "condition: days >= 4", "condition: dayz >= 4", "programmes[0].eligibility[0].condition", `unknown variable "dayz"`},
		{"rule that is not boolean", "condition: days >= 4", "condition: days + 4", "programmes[0].eligibility[0].condition", "must be true or false"},
		{"rule for an unknown stage", "applies_to: top100", "applies_to: final", "programmes[0].eligibility[0].applies_to", "or a stage key"},
		{"rule without a reason", "        reason: {ja: 4日未満, en: under 4 days}\n", "", "programmes[0].eligibility[0].reason.ja", "is required"},
		{"title only a zero-width space", "title: {ja: 令和8年度, en: FY2026}", "title: {ja: \"\u200b\", en: FY2026}", "title.ja", "U+200B"},
		{"rule reason with a bidi override", "        reason: {ja: 4日未満, en: under 4 days}\n", "        reason: {ja: 4日未満, en: \"under\u202e 4 days\"}\n", "programmes[0].eligibility[0].reason.en", "U+202E"},
		{"choice label with a BOM", "label: {ja: 就業規則, en: Work rules}", "label: {ja: \"\ufeff就業規則\", en: Work rules}", "programmes[0].form.fields[2].choices[0].label.ja", "U+FEFF"},
		{"judges per entry zero", "judges_per_entry: 3", "judges_per_entry: 0", "programmes[0].stages[0].judging.judges_per_entry", "between 1 and 50"},
		{"unknown visibility", "score_visibility: after_submit", "score_visibility: sometimes", "programmes[0].stages[0].judging.score_visibility", "never, after_submit or always"},
		{"judging window backwards", "window: {opens: 2026-08-20T10:00, closes: 2026-09-11}", "window: {opens: 2026-09-20T10:00, closes: 2026-09-11}", "programmes[0].stages[0].judging.window.closes", "must be after opens"},
		{"load min above max", "load: {min: 1, max: 40}", "load: {min: 41, max: 40}", "programmes[0].stages[0].judging.load", "min ≤ max"},
		{"criterion max not above min", "              min: 1\n              max: 5\n              required: true", "              min: 5\n              max: 5\n              required: true", "programmes[0].stages[0].judging.rubric[0].max", "must be > min"},
		{"criterion off-step range", "              max: 5\n              required: true", "              max: 5\n              step: 3\n              required: true", "programmes[0].stages[0].judging.rubric[0].step", "whole number of steps"},
		{"criterion weight zero", "              weight: 3", "              weight: 0", "programmes[0].stages[0].judging.rubric[0].weight", "must be > 0"},
		{"alias", "title: {ja: 令和8年度, en: FY2026}", "title: &t {ja: 令和8年度, en: FY2026}\nx: *t", "x", "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.new
			if tc.old != "" {
				if !strings.Contains(base, tc.old) {
					t.Fatalf("test case: %q is not in the base file", tc.old)
				}
				src = strings.Replace(base, tc.old, tc.new, 1)
			}
			_, err := cyclefile.Parse([]byte(src))
			if workflow.ErrorCode(err) != workflow.Invalid {
				t.Fatalf("error = %v, want invalid", err)
			}
			for _, p := range workflow.ErrorProblems(err) {
				if p.Path == tc.path && strings.Contains(p.Message.En, tc.msg) {
					return
				}
			}
			t.Fatalf("no problem %q at %q; got:\n%v", tc.msg, tc.path, err)
		})
	}
}

// TestEveryProblemReported: one file with several mistakes reports them all.
func TestEveryProblemReported(t *testing.T) {
	src := strings.NewReplacer(
		"fiscal_year: 2026", "fiscal_year: 1999",
		"ministry: mic", "ministry: mof",
		"          max: 100000", "          max: -1",
		"condition: days >= 4", "condition: dayz >= 4",
		"        grants: top100", "        grants: top100\n        nme: x",
	).Replace(base)
	_, err := cyclefile.Parse([]byte(src))
	got := map[string]bool{}
	for _, p := range workflow.ErrorProblems(err) {
		got[p.Path] = true
	}
	for _, want := range []string{"fiscal_year", "programmes[0].ministry", "programmes[0].form.fields[0].max",
		"programmes[0].eligibility[0].condition", "programmes[0].stages[0].nme"} {
		if !got[want] {
			t.Errorf("no problem reported at %s; got %v", want, err)
		}
	}
}

func TestOversizedFile(t *testing.T) {
	_, err := cyclefile.Parse(make([]byte, cyclefile.MaxSize+1))
	if workflow.ErrorCode(err) != workflow.Invalid {
		t.Fatalf("oversized file: %v", err)
	}
}
