package api

import (
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// The cycle as the API shows it (GET /cycles/{key}): its configuration
// document as loaded. These types are the API's contract, apart from the
// domain types and the stored definition.

// each converts a list, keeping nil as nil (shown as null).
func each[A, B any](xs []A, f func(A) B) []B {
	if xs == nil {
		return nil
	}
	out := make([]B, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

type cycleDefJSON struct {
	Key        string          `json:"key"`
	FiscalYear int             `json:"fiscal_year"`
	Title      workflow.Text   `json:"title"`
	TimeZone   string          `json:"time_zone"`
	Programmes []programmeJSON `json:"programmes"`
}

type programmeJSON struct {
	Key         string        `json:"key"`
	Ministry    string        `json:"ministry"`
	Title       workflow.Text `json:"title"`
	Call        windowJSON    `json:"call"`
	Stages      []stageJSON   `json:"stages"`
	Tiers       []tierJSON    `json:"tiers,omitempty"`
	Awards      []tierJSON    `json:"awards,omitempty"`
	Form        formJSON      `json:"form"`
	Eligibility []ruleJSON    `json:"eligibility,omitempty"`
}

type windowJSON struct {
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
}

type stageJSON struct {
	Key     string        `json:"key"`
	Title   workflow.Text `json:"title"`
	Grants  string        `json:"grants,omitempty"`
	Awards  []string      `json:"awards,omitempty"`
	Judging *judgingJSON  `json:"judging,omitempty"`
}

type judgingJSON struct {
	JudgesPerEntry  int             `json:"judges_per_entry"`
	Window          windowJSON      `json:"window"`
	ScoreVisibility string          `json:"score_visibility"`
	Feedback        bool            `json:"feedback"`
	Load            loadJSON        `json:"load"`
	Rubric          []criterionJSON `json:"rubric"`
}

type loadJSON struct {
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
}

type criterionJSON struct {
	Key      string        `json:"key"`
	Label    workflow.Text `json:"label"`
	Guidance workflow.Text `json:"guidance,omitzero"`
	Weight   float64       `json:"weight"`
	Min      float64       `json:"min"`
	Max      float64       `json:"max"`
	Step     float64       `json:"step"`
	Required bool          `json:"required,omitempty"`
}

type tierJSON struct {
	Key   string        `json:"key"`
	Title workflow.Text `json:"title"`
	Quota *quotaJSON    `json:"quota,omitempty"`
}

type quotaJSON struct {
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
}

type formJSON struct {
	Fields []formFieldJSON `json:"fields"`
}

type formFieldJSON struct {
	Key       string        `json:"key"`
	Label     workflow.Text `json:"label"`
	Help      workflow.Text `json:"help"`
	Type      string        `json:"type"`
	Required  bool          `json:"required,omitempty"`
	Public    bool          `json:"public,omitempty"`
	Min       *float64      `json:"min,omitempty"`
	Max       *float64      `json:"max,omitempty"`
	MaxLength int           `json:"max_length,omitempty"`
	Choices   []choiceJSON  `json:"choices,omitempty"`
}

type choiceJSON struct {
	Key   string        `json:"key"`
	Label workflow.Text `json:"label"`
}

type ruleJSON struct {
	Key       string        `json:"key"`
	AppliesTo string        `json:"applies_to"`
	Condition string        `json:"condition"`
	Reason    workflow.Text `json:"reason"`
}

func toCycleDefJSON(c *workflow.Cycle) cycleDefJSON {
	return cycleDefJSON{Key: c.Key, FiscalYear: c.FiscalYear, Title: c.Title, TimeZone: c.TimeZone,
		Programmes: each(c.Programmes, toProgrammeJSON)}
}

func toWindowJSON(w workflow.Window) windowJSON {
	return windowJSON{Opens: w.Opens, Closes: w.Closes}
}
func toProgrammeJSON(p workflow.Programme) programmeJSON {
	return programmeJSON{Key: p.Key, Ministry: p.Ministry, Title: p.Title, Call: toWindowJSON(p.Call),
		Stages: each(p.Stages, toStageJSON), Tiers: each(p.Tiers, toTierJSON), Awards: each(p.Awards, toTierJSON),
		Form: formJSON{Fields: each(p.Form.Fields, toFormFieldJSON)}, Eligibility: each(p.Eligibility, toRuleJSON)}
}

func toStageJSON(s workflow.Stage) stageJSON {
	d := stageJSON{Key: s.Key, Title: s.Title, Grants: s.Grants, Awards: s.Awards}
	if j := s.Judging; j != nil {
		d.Judging = &judgingJSON{JudgesPerEntry: j.JudgesPerEntry, Window: toWindowJSON(j.Window), ScoreVisibility: string(j.ScoreVisibility),
			Feedback: j.Feedback, Load: loadJSON{Min: j.Load.Min, Max: j.Load.Max}, Rubric: each(j.Rubric, toCriterionJSON)}
	}
	return d
}

func toCriterionJSON(c workflow.Criterion) criterionJSON {
	return criterionJSON{Key: c.Key, Label: c.Label, Guidance: c.Guidance, Weight: c.Weight,
		Min: c.Min, Max: c.Max, Step: c.Step, Required: c.Required}
}

func toTierJSON(t workflow.Tier) tierJSON {
	d := tierJSON{Key: t.Key, Title: t.Title}
	if q := t.Quota; q != nil {
		d.Quota = &quotaJSON{Min: q.Min, Max: q.Max}
	}
	return d
}

func toFormFieldJSON(f workflow.Field) formFieldJSON {
	return formFieldJSON{Key: f.Key, Label: f.Label, Help: f.Help, Type: string(f.Type), Required: f.Required,
		Public: f.Public, Min: f.Min, Max: f.Max, MaxLength: f.MaxLength,
		Choices: each(f.Choices, func(c workflow.Choice) choiceJSON { return choiceJSON{Key: c.Key, Label: c.Label} })}
}

func toRuleJSON(r workflow.Rule) ruleJSON {
	return ruleJSON{Key: r.Key, AppliesTo: r.AppliesTo, Condition: r.Condition, Reason: r.Reason}
}
