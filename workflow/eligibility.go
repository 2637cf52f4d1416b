package workflow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"github.com/awardflow/awardflow/workflow/expr"
)

// Outcome is the result of an eligibility rule or of a whole verdict.
type Outcome string

// The outcomes. Unknown means the answers do not allow a conclusion (an
// unanswered field, a division by zero); a person must look.
const (
	Pass    Outcome = "pass"
	Fail    Outcome = "fail"
	Unknown Outcome = "unknown"
)

// RuleResult is one rule's outcome, with its reason when it did not pass.
type RuleResult struct {
	Rule    string
	Outcome Outcome
	Reason  Text
	Missing []string
}

// Verdict is the eligibility evidence for one step (screening or a stage).
// It is evidence for the secretariat, not a decision.
type Verdict struct {
	AppliesTo string
	Outcome   Outcome
	Results   []RuleResult
}

// Verdicts evaluates the programme's rules over the answers and the
// organisation (its snapshot for a submitted nomination), one verdict per
// step that has rules, screening first.
func (p *Programme) Verdicts(a Answers, org Organisation) []Verdict {
	return p.verdicts(a, org, append([]string{ScreeningStage}, stageKeys(p.Stages)...))
}

// verdicts evaluates the rules of the given steps only.
func (p *Programme) verdicts(a Answers, org Organisation, steps []string) []Verdict {
	lookup := answerLookup(&p.Form, a, org)
	var out []Verdict
	for _, step := range steps {
		var v *Verdict
		for _, r := range p.Eligibility {
			if r.AppliesTo != step || r.cond == nil {
				continue
			}
			if v == nil {
				out = append(out, Verdict{AppliesTo: step, Outcome: Pass})
				v = &out[len(out)-1]
			}
			res := r.cond.Eval(lookup)
			rr := RuleResult{Rule: r.Key, Outcome: Pass}
			switch {
			case !res.Known && res.DivZero:
				rr.Outcome = Unknown
				rr.Reason = Text{Ja: "計算できません（0による除算）", En: "cannot be evaluated (division by zero)"}
			case !res.Known:
				rr.Outcome = Unknown
				rr.Missing = res.Missing
				rr.Reason = Text{
					Ja: "未回答の項目があり判定できません: " + strings.Join(res.Missing, ", "),
					En: "cannot be evaluated without: " + strings.Join(res.Missing, ", "),
				}
			case !res.Value:
				rr.Outcome = Fail
				rr.Reason = r.Reason
			}
			v.Results = append(v.Results, rr)
			if rr.Outcome == Fail || (rr.Outcome == Unknown && v.Outcome == Pass) {
				v.Outcome = rr.Outcome
			}
		}
	}
	return out
}

// EligibilityOf is the outcome a nomination's list shows and filters on: the
// verdict of the step it stands at (screening until it enters a stage, then
// that stage's rules), so that a secretariat screening finds what screening
// rules refuse and one deciding a stage what that stage's rules refuse. A
// step without rules passes: nothing excludes the nomination there. org is
// the organisation its state is judged against: the live one while it is
// written or corrected, else its snapshot.
func (p *Programme) EligibilityOf(n *Nomination, org Organisation) Outcome {
	step := ScreeningStage
	if n.Stage != "" {
		step = n.Stage
	}
	if vs := p.verdicts(n.Answers, org, []string{step}); len(vs) > 0 {
		return vs[0].Outcome
	}
	return Pass
}

func stageKeys(ss []Stage) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Key
	}
	return out
}

func answerLookup(f *Form, a Answers, org Organisation) expr.Lookup {
	size := org.Size()
	return func(name string) (expr.Value, bool) {
		switch name {
		case "org.total_headcount":
			return expr.Num(new(big.Rat).SetInt64(int64(org.TotalHeadcount))), true
		case "org.regular_headcount":
			return expr.Num(new(big.Rat).SetInt64(int64(org.RegularHeadcount))), true
		case "org.capital":
			if org.Capital == nil {
				return expr.Value{}, false
			}
			return expr.Num(new(big.Rat).SetInt64(*org.Capital)), true
		case "org.sme":
			return expr.Boolean(size.SME), true
		case "org.small":
			return expr.Boolean(size.Small), true
		case "org.prefecture":
			return expr.Str(org.Prefecture), true
		case "org.industry":
			return expr.Str(org.Industry), true
		}
		fd, ok := f.Field(name)
		raw, answered := a[name]
		if !ok || !answered || isEmpty(raw) {
			return expr.Value{}, false
		}
		v, p := fd.normalise(raw)
		if p != nil {
			return expr.Value{}, false
		}
		switch x := v.(type) {
		case int64:
			return expr.Num(new(big.Rat).SetInt64(x)), true
		case bool:
			return expr.Boolean(x), true
		case string:
			if fd.Type == FieldDecimal {
				r, ok := new(big.Rat).SetString(x)
				return expr.Num(r), ok
			}
			return expr.Str(x), true
		}
		return expr.Value{}, false
	}
}

// DecodeAnswers decodes stored answers (JSON) into canonical form: whole
// numbers become int64 and lists become []string.
func DecodeAnswers(data []byte) (Answers, error) {
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("decode answers: %w", err)
	}
	a := make(Answers, len(raw))
	for k, v := range raw {
		switch x := v.(type) {
		case json.Number:
			n, err := x.Int64()
			if err != nil {
				return nil, fmt.Errorf("decode answers: %s: %w", k, err)
			}
			a[k] = n
		case []any:
			list := make([]string, len(x))
			for i, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("decode answers: %s: list of non-strings", k)
				}
				list[i] = s
			}
			a[k] = list
		default:
			a[k] = v
		}
	}
	return a, nil
}
