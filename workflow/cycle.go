package workflow

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/awardflow/awardflow/workflow/expr"
)

// Cycle is one fiscal year of award programmes, loaded from a cycle file.
// Names, tiers, criteria, thresholds, quotas and dates change every year, so
// all of them are data here, never code. A Cycle is usable only after Check
// has returned no problems.
type Cycle struct {
	Key        string
	FiscalYear int
	Title      Text
	TimeZone   string
	Programmes []Programme
}

// CycleVersion is one stored version of a cycle. Versions are immutable:
// a changed cycle file becomes a new version, and nominations keep the
// version they were submitted against.
type CycleVersion struct {
	Key      string
	Version  int
	Hash     string // SHA-256 of the canonical definition
	Cycle    Cycle
	LoadedAt time.Time
	LoadedBy string
}

// Ministries are the ministry domains that own programmes. A programme's
// ministry is also its authorization domain.
var Ministries = map[string]Text{
	"mic":  {"総務省", "Ministry of Internal Affairs and Communications"},
	"mhlw": {"厚生労働省", "Ministry of Health, Labour and Welfare"},
	"meti": {"経済産業省", "Ministry of Economy, Trade and Industry"},
	"mlit": {"国土交通省", "Ministry of Land, Infrastructure, Transport and Tourism"},
}

// Programme is a ministry's award scheme within a cycle.
type Programme struct {
	Key         string
	Ministry    string
	Title       Text
	Call        Window
	Stages      []Stage
	Tiers       []Tier
	Awards      []Tier
	Form        Form
	Eligibility []Rule
}

// Window is a period in time; Closes is a must-arrive (必着) deadline: a
// submission at Closes or later is late.
type Window struct {
	Opens  time.Time
	Closes time.Time
}

// Contains reports whether t is inside the window: Opens ≤ t < Closes.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.Opens) && t.Before(w.Closes)
}

// Stage is a judged stage after screening. Selecting a nomination at a
// stage grants the stage's tier (Grants); a stage that decides awards
// (Awards) is the programme's last.
type Stage struct {
	Key     string
	Title   Text
	Grants  string
	Awards  []string
	Judging *Judging // nil: the secretariat decides without a panel
}

// Judging is how a panel judges a stage.
type Judging struct {
	JudgesPerEntry  int
	Window          Window // scoring is open Opens ≤ t < Closes, Japan time
	ScoreVisibility Visibility
	Feedback        bool // applicants see anonymised scores and comments once results are released
	Load            LoadLimits
	Rubric          []Criterion
}

// Visibility says when a judge sees other judges' scores for an entry.
type Visibility string

// The visibilities. The chair and the secretariat always see the whole panel.
const (
	VisibleNever       Visibility = "never"
	VisibleAfterSubmit Visibility = "after_submit" // once the judge has submitted their own
	VisibleAlways      Visibility = "always"
)

// LoadLimits bound how many entries one judge is assigned.
type LoadLimits struct {
	Min int
	Max int // 0: no limit
}

// Criterion is one rubric line: a value from Min to Max in steps of Step,
// weighted in the judge's total.
type Criterion struct {
	Key      string
	Label    Text
	Guidance Text
	Weight   float64
	Min      float64
	Max      float64
	Step     float64
	Required bool
}

// Stage returns the stage with key k.
func (p *Programme) Stage(k string) (*Stage, bool) {
	if i := p.StageIndex(k); i >= 0 {
		return &p.Stages[i], true
	}
	return nil, false
}

// Tier is a rung of a programme's ladder (Pioneer, Top 100) or an award
// category (Minister's Award, Excellence), with an advisory quota.
type Tier struct {
	Key   string
	Title Text
	Quota *Quota
}

// Quota is advisory: decisions outside it are warned about, not refused.
type Quota struct {
	Min *int
	Max *int
}

// ScreeningStage is the reserved key for eligibility rules that apply at
// screening, before any judged stage.
const ScreeningStage = "screening"

// Rule is an eligibility rule: a condition over the form's answers and the
// organisation's figures, with the reason shown when it does not hold. Rules
// produce evidence for the secretariat; they never decide on their own.
type Rule struct {
	Key       string
	AppliesTo string // ScreeningStage or a stage key
	Condition string
	Reason    Text
	cond      *expr.Expr
}

var keyPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Programme returns the programme with the given key.
func (c *Cycle) Programme(key string) (*Programme, bool) {
	for i := range c.Programmes {
		if c.Programmes[i].Key == key {
			return &c.Programmes[i], true
		}
	}
	return nil, false
}

// StageIndex returns the index of the stage with key k, or -1.
func (p *Programme) StageIndex(k string) int {
	for i, s := range p.Stages {
		if s.Key == k {
			return i
		}
	}
	return -1
}

// FirstTier returns the key of the tier granted on recognition at
// screening, or "" for programmes without a ladder.
func (p *Programme) FirstTier() string {
	if len(p.Tiers) == 0 {
		return ""
	}
	return p.Tiers[0].Key
}

// Check validates the cycle and compiles its eligibility rules. It reports
// every problem, each with its path in the cycle file, e.g.
// "programmes[1].form.fields[3].max: must be ≥ min".
func (c *Cycle) Check() []Problem {
	var v checker
	v.key("key", c.Key)
	if c.FiscalYear < 2000 || c.FiscalYear > 2100 {
		v.add("fiscal_year", "must be a year between 2000 and 2100")
	}
	v.text("title", c.Title)
	if c.TimeZone == "" {
		v.add("time_zone", "is required (Asia/Tokyo)")
	} else if _, err := time.LoadLocation(c.TimeZone); err != nil {
		v.add("time_zone", fmt.Sprintf("unknown time zone %q", c.TimeZone))
	}
	if len(c.Programmes) == 0 {
		v.add("programmes", "at least one programme is required")
	}
	seen := map[string]bool{}
	for i := range c.Programmes {
		p := &c.Programmes[i]
		path := fmt.Sprintf("programmes[%d]", i)
		if seen[p.Key] && p.Key != "" {
			v.add(path+".key", fmt.Sprintf("duplicate programme key %q", p.Key))
		}
		seen[p.Key] = true
		p.check(&v, path, c.FiscalYear)
	}
	return v.problems
}

func (p *Programme) check(v *checker, path string, fy int) {
	v.key(path+".key", p.Key)
	if _, ok := Ministries[p.Ministry]; !ok {
		v.add(path+".ministry", fmt.Sprintf("unknown ministry %q (mic, mhlw, meti or mlit)", p.Ministry))
	}
	v.text(path+".title", p.Title)
	switch {
	case p.Call.Opens.IsZero():
		v.add(path+".call.opens", "is required")
	case p.Call.Closes.IsZero():
		v.add(path+".call.closes", "is required")
	case !p.Call.Closes.After(p.Call.Opens):
		v.add(path+".call.closes", "must be after opens")
	default:
		// A deadline belongs to the fiscal year of its last day: closes
		// 2027-03-31 (stored as 1 April 00:00) ends fiscal year 2026.
		if DeadlineFiscalYear(p.Call.Closes) != fy {
			v.add(path+".call.closes", fmt.Sprintf("must fall in fiscal year %d (%d-04-01 to %d-03-31)", fy, fy, fy+1))
		}
	}

	tiers := map[string]string{} // key → "tier" or "award"
	for _, list := range []struct {
		name string
		ts   []Tier
	}{{"tiers", p.Tiers}, {"awards", p.Awards}} {
		for j, t := range list.ts {
			tp := fmt.Sprintf("%s.%s[%d]", path, list.name, j)
			if _, dup := tiers[t.Key]; dup {
				v.add(tp+".key", fmt.Sprintf("duplicate tier or award key %q", t.Key))
			}
			tiers[t.Key] = list.name
			v.key(tp+".key", t.Key)
			v.text(tp+".title", t.Title)
			if q := t.Quota; q != nil {
				switch {
				case q.Min != nil && *q.Min < 0:
					v.add(tp+".quota.min", "must be ≥ 0")
				case q.Max != nil && *q.Max < 1:
					v.add(tp+".quota.max", "must be ≥ 1")
				case q.Min != nil && q.Max != nil && *q.Max < *q.Min:
					v.add(tp+".quota.max", "must be ≥ min")
				}
			}
		}
	}
	if len(p.Tiers) == 0 && len(p.Awards) == 0 {
		v.add(path+".tiers", "a programme needs at least one tier or award")
	}

	grantedBy := map[string]int{}
	stageKeys := map[string]bool{}
	for j, s := range p.Stages {
		sp := fmt.Sprintf("%s.stages[%d]", path, j)
		v.key(sp+".key", s.Key)
		if s.Key == ScreeningStage {
			v.add(sp+".key", `"screening" is reserved for the screening step before the stages`)
		}
		if stageKeys[s.Key] {
			v.add(sp+".key", fmt.Sprintf("duplicate stage key %q", s.Key))
		}
		stageKeys[s.Key] = true
		v.text(sp+".title", s.Title)
		if s.Judging != nil {
			s.Judging.check(v, sp+".judging")
		}
		switch {
		case s.Grants == "" && len(s.Awards) == 0:
			v.add(sp, "a stage must either grant a tier (grants) or decide awards (awards)")
		case s.Grants != "" && len(s.Awards) > 0:
			v.add(sp, "a stage grants a tier or decides awards, not both")
		case s.Grants != "":
			switch {
			case tiers[s.Grants] != "tiers":
				v.add(sp+".grants", fmt.Sprintf("unknown tier %q", s.Grants))
			case s.Grants == p.FirstTier():
				v.add(sp+".grants", fmt.Sprintf("tier %q is the first tier, granted at screening", s.Grants))
			default:
				if k, dup := grantedBy[s.Grants]; dup {
					v.add(sp+".grants", fmt.Sprintf("tier %q is already granted by stages[%d]", s.Grants, k))
				}
				grantedBy[s.Grants] = j
			}
		default:
			if j != len(p.Stages)-1 {
				v.add(sp+".awards", "only the last stage may decide awards")
			}
			for k, a := range s.Awards {
				if tiers[a] != "awards" {
					v.add(fmt.Sprintf("%s.awards[%d]", sp, k), fmt.Sprintf("unknown award %q", a))
				}
				grantedBy[a] = j
			}
		}
	}
	last := -1
	for j, t := range p.Tiers {
		if j == 0 {
			continue
		}
		k, ok := grantedBy[t.Key]
		switch {
		case !ok:
			v.add(fmt.Sprintf("%s.tiers[%d]", path, j), fmt.Sprintf("no stage grants tier %q", t.Key))
		case k < last:
			v.add(fmt.Sprintf("%s.tiers[%d]", path, j), "tiers must be granted by stages in ladder order")
		default:
			last = k
		}
	}
	for j, a := range p.Awards {
		if _, ok := grantedBy[a.Key]; !ok {
			v.add(fmt.Sprintf("%s.awards[%d]", path, j), fmt.Sprintf("no stage decides award %q", a.Key))
		}
	}

	vars := p.Form.check(v, path+".form")
	ruleKeys := map[string]bool{}
	for j := range p.Eligibility {
		r := &p.Eligibility[j]
		rp := fmt.Sprintf("%s.eligibility[%d]", path, j)
		v.key(rp+".key", r.Key)
		if ruleKeys[r.Key] {
			v.add(rp+".key", fmt.Sprintf("duplicate rule key %q", r.Key))
		}
		ruleKeys[r.Key] = true
		if r.AppliesTo != ScreeningStage && !stageKeys[r.AppliesTo] {
			v.add(rp+".applies_to", fmt.Sprintf("must be %q or a stage key, not %q", ScreeningStage, r.AppliesTo))
		}
		v.text(rp+".reason", r.Reason)
		if r.Condition == "" {
			v.add(rp+".condition", "is required")
			continue
		}
		e, err := expr.Parse(r.Condition, vars)
		if err != nil {
			v.add(rp+".condition", err.Error())
			continue
		}
		r.cond = e
	}
}

// checker collects problems with paths.
type checker struct{ problems []Problem }

func (v *checker) add(path, msg string) {
	v.problems = append(v.problems, Problem{Path: path, Code: "invalid", Message: Text{En: msg}})
}

func (v *checker) key(path, k string) {
	if !keyPattern.MatchString(k) {
		v.add(path, fmt.Sprintf("must be 1–64 lower-case letters, digits or hyphens, not %s", strconv.Quote(k)))
	}
}

func (v *checker) text(path string, t Text) {
	if t.Ja == "" {
		v.add(path+".ja", "is required")
	}
	if t.En == "" {
		v.add(path+".en", "is required")
	}
	v.optionalText(path, t, false)
}

// optionalText checks a label or text that may be absent (help, guidance):
// nothing hidden (workflow/text.go), in either language; newlines only
// where multiline.
func (v *checker) optionalText(path string, t Text, multiline bool) {
	for _, l := range [...]struct{ lang, s string }{{"ja", t.Ja}, {"en", t.En}} {
		if p := textProblem(path+"."+l.lang, l.s, multiline); p != nil {
			v.problems = append(v.problems, *p)
		}
	}
}

func (j *Judging) check(v *checker, path string) {
	if j.JudgesPerEntry < 1 || j.JudgesPerEntry > 50 {
		v.add(path+".judges_per_entry", "must be between 1 and 50")
	}
	switch {
	case j.Window.Opens.IsZero() || j.Window.Closes.IsZero():
		v.add(path+".window", "opens and closes are required")
	case !j.Window.Closes.After(j.Window.Opens):
		v.add(path+".window.closes", "must be after opens")
	}
	switch j.ScoreVisibility {
	case VisibleNever, VisibleAfterSubmit, VisibleAlways:
	default:
		v.add(path+".score_visibility", fmt.Sprintf("must be never, after_submit or always, not %q", j.ScoreVisibility))
	}
	if j.Load.Min < 0 || j.Load.Max < 0 || (j.Load.Max > 0 && j.Load.Min > j.Load.Max) {
		v.add(path+".load", "min and max must be ≥ 0 and min ≤ max")
	}
	if len(j.Rubric) == 0 {
		v.add(path+".rubric", "at least one criterion is required")
	}
	keys := map[string]bool{}
	for i, c := range j.Rubric {
		cp := fmt.Sprintf("%s.rubric[%d]", path, i)
		if !fieldKeyPattern.MatchString(c.Key) {
			v.add(cp+".key", fmt.Sprintf("must start with a letter and hold only a-z, 0-9 and _, not %q", c.Key))
		} else if keys[c.Key] {
			v.add(cp+".key", fmt.Sprintf("duplicate criterion key %q", c.Key))
		}
		keys[c.Key] = true
		v.text(cp+".label", c.Label)
		v.optionalText(cp+".guidance", c.Guidance, true)
		if c.Weight <= 0 {
			v.add(cp+".weight", "must be > 0")
		}
		switch {
		case c.Max <= c.Min:
			v.add(cp+".max", "must be > min")
		case c.Step <= 0:
			v.add(cp+".step", "must be > 0")
		case !onStep(c.Max, c.Min, c.Step):
			v.add(cp+".step", "max − min must be a whole number of steps")
		}
	}
}

// onStep reports whether x is min plus a whole number of steps, allowing
// for binary rounding of decimal steps such as 0.1.
func onStep(x, min, step float64) bool {
	n := (x - min) / step
	return math.Abs(n-math.Round(n)) < 1e-9
}

// Criterion returns the criterion with key k.
func (j *Judging) Criterion(k string) (*Criterion, bool) {
	for i := range j.Rubric {
		if j.Rubric[i].Key == k {
			return &j.Rubric[i], true
		}
	}
	return nil, false
}
