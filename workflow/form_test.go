package workflow

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

func TestFormApply(t *testing.T) {
	p := testProgramme()
	minMax := func(a, b float64) (*float64, *float64) { return &a, &b }
	lo, hi := minMax(0, 31)
	one, two := minMax(1, 2)
	p.Form.Fields = append(p.Form.Fields,
		Field{Key: "days", Type: FieldDecimal, Min: lo, Max: hi},
		Field{Key: "ok", Type: FieldBoolean},
		Field{Key: "since", Type: FieldDate},
		Field{Key: "pref", Type: FieldPrefecture},
		Field{Key: "ind", Type: FieldIndustry},
		Field{Key: "short", Type: FieldText, MaxLength: 3},
		Field{Key: "pick", Type: FieldChoice, Choices: []Choice{{Key: "a"}, {Key: "b"}}},
		Field{Key: "many", Type: FieldMultiChoice, Min: one, Max: two, Choices: []Choice{{Key: "a"}, {Key: "b"}, {Key: "c"}}},
	)
	tests := []struct {
		key  string
		raw  any
		want any    // canonical value, when accepted
		code string // problem code, when refused
	}{
		{"staff", json.Number("12"), int64(12), ""},
		{"staff", "１２", int64(12), ""},
		{"staff", 12.0, int64(12), ""},
		{"staff", "12.5", nil, "not_integer"},
		{"staff", "0", nil, "out_of_range"},
		{"staff", "1,200", nil, "not_integer"},
		{"staff", true, nil, "not_integer"},
		{"days", "４.５０", "4.5", ""},
		{"days", json.Number("31"), "31", ""},
		{"days", "31.01", nil, "out_of_range"},
		{"days", "-0.5", nil, "out_of_range"},
		{"days", "abc", nil, "not_number"},
		{"ok", false, false, ""},
		{"ok", "false", nil, "type"},
		{"since", "2026-04-01", "2026-04-01", ""},
		{"since", "2026-02-30", nil, "not_date"},
		{"pref", "０１", "01", ""},
		{"pref", "48", nil, "unknown_prefecture"},
		{"ind", "Ｇ", "G", ""},
		{"ind", "Z", nil, "unknown_industry"},
		{"short", "  abc  ", "abc", ""},
		{"short", "abcd", nil, "too_long"},
		{"short", "a\nb", nil, "hidden_character"},
		{"summary", "line\nbreak", "line\nbreak", ""},
		{"summary", "nul\x00", nil, "hidden_character"},
		{"short", "\u200b", nil, "hidden_character"},
		{"short", "a\u202eb", nil, "hidden_character"},
		{"summary", "x\u2066y\u2069", nil, "hidden_character"},
		{"summary", "\ufeffabc", nil, "hidden_character"},
		{"pick", "b", "b", ""},
		{"pick", "c", nil, "unknown_choice"},
		{"many", []any{"a", "c"}, []string{"a", "c"}, ""},
		{"many", []any{}, nil, "out_of_range"},
		{"many", []any{"a", "b", "c"}, nil, "out_of_range"},
		{"many", []any{"a", 1}, nil, "unknown_choice"},
		{"many", "a", nil, "type"},
		{"nope", "x", nil, "unknown_field"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s=%v", tc.key, tc.raw), func(t *testing.T) {
			got, ps := p.Form.Apply(Answers{"ok": true}, map[string]any{tc.key: tc.raw})
			if tc.code != "" {
				if len(ps) != 1 || ps[0].Code != tc.code || ps[0].Path != "answers."+tc.key {
					t.Fatalf("problems = %v, want %s at answers.%s", ps, tc.code, tc.key)
				}
				return
			}
			if len(ps) != 0 {
				t.Fatalf("problems: %v", ps)
			}
			if !reflect.DeepEqual(got[tc.key], tc.want) {
				t.Fatalf("value = %#v, want %#v", got[tc.key], tc.want)
			}
		})
	}
	t.Run("nil clears", func(t *testing.T) {
		got, ps := p.Form.Apply(Answers{"ok": true, "staff": int64(3)}, map[string]any{"staff": nil})
		if len(ps) != 0 || len(got) != 1 {
			t.Fatalf("got %v, %v", got, ps)
		}
	})
}

func TestAnswersStorageRoundTrip(t *testing.T) {
	a := Answers{"n": int64(9007199254740993), "d": "4.5", "b": true, "s": "x", "m": []string{"a", "b"}}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeAnswers(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, a) {
		t.Fatalf("round trip = %#v, want %#v", got, a)
	}
}

func TestVerdicts(t *testing.T) {
	c := &Cycle{Key: "c", FiscalYear: 2026, Title: Text{"c", "c"}, TimeZone: "Asia/Tokyo", Programmes: []Programme{*testProgramme()}}
	p := &c.Programmes[0]
	p.Form.Fields = append(p.Form.Fields, Field{Key: "overtime", Label: Text{"残業", "Overtime"}, Type: FieldDecimal})
	p.Eligibility = []Rule{
		{Key: "overtime", AppliesTo: ScreeningStage, Condition: "overtime < 45", Reason: Text{"45時間以上", "45 hours or more"}},
		{Key: "share", AppliesTo: "top100", Condition: "(org.sme and staff * 2 >= org.regular_headcount) or (not org.sme and staff * 4 >= org.regular_headcount)", Reason: Text{"対象者不足", "too few eligible"}},
	}
	if ps := c.Check(); len(ps) != 0 {
		t.Fatal(ps)
	}
	org := testOrg() // manufacturing, 8 regular staff: an SME
	tests := []struct {
		answers        Answers
		screening, top Outcome
		failReason     string
	}{
		{Answers{"overtime": "44.9", "staff": int64(4)}, Pass, Pass, ""},
		{Answers{"overtime": "45", "staff": int64(4)}, Fail, Pass, "45 hours or more"},
		{Answers{"staff": int64(3)}, Unknown, Fail, ""},
	}
	for i, tc := range tests {
		vs := p.Verdicts(tc.answers, org)
		if len(vs) != 2 || vs[0].Outcome != tc.screening || vs[1].Outcome != tc.top {
			t.Errorf("case %d: verdicts %+v", i, vs)
			continue
		}
		if tc.failReason != "" && vs[0].Results[0].Reason.En != tc.failReason {
			t.Errorf("case %d: reason %q", i, vs[0].Results[0].Reason.En)
		}
	}
	if vs := p.Verdicts(Answers{"staff": int64(3)}, org); vs[0].Results[0].Missing[0] != "overtime" {
		t.Errorf("missing = %v", vs[0].Results[0].Missing)
	}
}
