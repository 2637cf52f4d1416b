package expr_test

import (
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/workflow/expr"
)

var vars = map[string]expr.Type{
	"eligible": expr.Number, "regular": expr.Number, "days": expr.Number, "sme": expr.Bool,
	"basis": expr.String, "zero": expr.Number,
}

func num(s string) expr.Value { r, _ := new(big.Rat).SetString(s); return expr.Num(r) }

var values = map[string]expr.Value{
	"eligible": num("80"), "regular": num("100"), "days": num("4.0"), "sme": expr.Boolean(true),
	"basis": expr.Str("work-rules"), "zero": num("0"),
}

func lookup(missing ...string) expr.Lookup {
	return func(name string) (expr.Value, bool) {
		if slices.Contains(missing, name) {
			return expr.Value{}, false
		}
		v, ok := values[name]
		return v, ok
	}
}

func TestEval(t *testing.T) {
	tests := []struct {
		src     string
		missing []string
		known   bool
		value   bool
		needs   []string
	}{
		{"eligible * 4 >= regular", nil, true, true, nil},
		{"eligible * 2 >= regular * 2", nil, true, false, nil},
		{"days >= 4", nil, true, true, nil},
		{"days > 4", nil, true, false, nil},
		{"0.1 + 0.2 = 0.3", nil, true, true, nil}, // exact decimals
		{"-days < 0", nil, true, true, nil},
		{"basis != \"none\"", nil, true, true, nil},
		{"basis == 'work-rules'", nil, true, true, nil},
		{"sme and not (regular > 300)", nil, true, true, nil},
		{"(sme and eligible * 2 >= regular) or (not sme and eligible * 4 >= regular)", nil, true, true, nil},
		{"eligible / regular >= 0.8", nil, true, true, nil},
		{"sme = true", nil, true, true, nil},
		{"1 + 2 * 3 = 7", nil, true, true, nil},
		{"(1 + 2) * 3 = 9", nil, true, true, nil},
		// Three-valued logic: a missing answer makes the result unknown unless it cannot matter.
		{"days >= 4", []string{"days"}, false, false, []string{"days"}},
		{"days >= 4 or sme", []string{"days"}, true, true, nil},
		{"days >= 4 and not sme", []string{"days"}, true, false, nil},
		{"days >= 4 and sme", []string{"days"}, false, false, []string{"days"}},
		{"eligible / zero > 1", nil, false, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			e, err := expr.Parse(tc.src, vars)
			if err != nil {
				t.Fatal(err)
			}
			r := e.Eval(lookup(tc.missing...))
			if r.Known != tc.known || r.Known && r.Value != tc.value || !slices.Equal(r.Missing, tc.needs) {
				t.Fatalf("Eval = %+v, want known=%v value=%v missing=%v", r, tc.known, tc.value, tc.needs)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"", "unexpected"},
		{"teleworkers >= 4", `unknown variable "teleworkers"`},
		{"eligible + 1", "must be true or false"},
		{"basis > 'a'", "compares numbers only"},
		{"eligible = 'x'", "cannot compare number with string"},
		{"sme + 1 > 0", "needs numbers"},
		{"eligible and sme", "needs true/false"},
		{"not eligible", `"not" needs true/false`},
		{"(days > 1", "expected ')'"},
		{"days > 1)", "unexpected"},
		{"days ! 1", "use != or not"},
		{"days > 1.2.3", "bad number"},
		{"basis = 'open", "unterminated string"},
		{"days # 3", "unexpected character"},
		{"days > and", "unexpected"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			_, err := expr.Parse(tc.src, vars)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%q) error = %v, want one containing %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestVarsInOrder(t *testing.T) {
	e, err := expr.Parse("days >= 4 and eligible * 4 >= regular and days < 31", vars)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Vars(); !slices.Equal(got, []string{"days", "eligible", "regular"}) {
		t.Fatalf("Vars = %v", got)
	}
}
