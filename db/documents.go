package db

import (
	"time"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
	"github.com/awardflow/awardflow/workflow/assign"
)

// The documents db stores as JSON have their own types here, apart from the
// domain types in workflow and the API's response types: the stored format
// changes only when these change, and a migration must then convert the
// stored rows. Their JSON is the format stored so far. Every exported field
// of the domain types must survive the round trip (TestDocumentsRoundTrip).

// each converts a list, keeping nil as nil.
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

type textDoc struct {
	Ja string `json:"ja"`
	En string `json:"en"`
}

func fromText(t workflow.Text) textDoc { return textDoc{Ja: t.Ja, En: t.En} }
func (d textDoc) text() workflow.Text  { return workflow.Text{Ja: d.Ja, En: d.En} }

// ---- cycle definition (cycle_versions.definition)

type cycleDoc struct {
	Key        string         `json:"key"`
	FiscalYear int            `json:"fiscal_year"`
	Title      textDoc        `json:"title"`
	TimeZone   string         `json:"time_zone"`
	Programmes []programmeDoc `json:"programmes"`
}

type programmeDoc struct {
	Key         string     `json:"key"`
	Ministry    string     `json:"ministry"`
	Title       textDoc    `json:"title"`
	Call        windowDoc  `json:"call"`
	Stages      []stageDoc `json:"stages"`
	Tiers       []tierDoc  `json:"tiers,omitempty"`
	Awards      []tierDoc  `json:"awards,omitempty"`
	Form        formDoc    `json:"form"`
	Eligibility []ruleDoc  `json:"eligibility,omitempty"`
}

type windowDoc struct {
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
}

type stageDoc struct {
	Key     string      `json:"key"`
	Title   textDoc     `json:"title"`
	Grants  string      `json:"grants,omitempty"`
	Awards  []string    `json:"awards,omitempty"`
	Judging *judgingDoc `json:"judging,omitempty"`
}

type judgingDoc struct {
	JudgesPerEntry  int            `json:"judges_per_entry"`
	Window          windowDoc      `json:"window"`
	ScoreVisibility string         `json:"score_visibility"`
	Feedback        bool           `json:"feedback"`
	Load            loadDoc        `json:"load"`
	Rubric          []criterionDoc `json:"rubric"`
}

type loadDoc struct {
	Min int `json:"min,omitempty"`
	Max int `json:"max,omitempty"`
}

type criterionDoc struct {
	Key      string  `json:"key"`
	Label    textDoc `json:"label"`
	Guidance textDoc `json:"guidance,omitzero"`
	Weight   float64 `json:"weight"`
	Min      float64 `json:"min"`
	Max      float64 `json:"max"`
	Step     float64 `json:"step"`
	Required bool    `json:"required,omitempty"`
}

type tierDoc struct {
	Key   string    `json:"key"`
	Title textDoc   `json:"title"`
	Quota *quotaDoc `json:"quota,omitempty"`
}

type quotaDoc struct {
	Min *int `json:"min,omitempty"`
	Max *int `json:"max,omitempty"`
}

type formDoc struct {
	Fields []fieldDoc `json:"fields"`
}

type fieldDoc struct {
	Key       string      `json:"key"`
	Label     textDoc     `json:"label"`
	Help      textDoc     `json:"help"`
	Type      string      `json:"type"`
	Required  bool        `json:"required,omitempty"`
	Public    bool        `json:"public,omitempty"`
	Min       *float64    `json:"min,omitempty"`
	Max       *float64    `json:"max,omitempty"`
	MaxLength int         `json:"max_length,omitempty"`
	Choices   []choiceDoc `json:"choices,omitempty"`
}

type choiceDoc struct {
	Key   string  `json:"key"`
	Label textDoc `json:"label"`
}

type ruleDoc struct {
	Key       string  `json:"key"`
	AppliesTo string  `json:"applies_to"`
	Condition string  `json:"condition"`
	Reason    textDoc `json:"reason"`
}

func fromCycle(c *workflow.Cycle) cycleDoc {
	return cycleDoc{Key: c.Key, FiscalYear: c.FiscalYear, Title: fromText(c.Title), TimeZone: c.TimeZone,
		Programmes: each(c.Programmes, fromProgramme)}
}

func (d cycleDoc) cycle() workflow.Cycle {
	return workflow.Cycle{Key: d.Key, FiscalYear: d.FiscalYear, Title: d.Title.text(), TimeZone: d.TimeZone,
		Programmes: each(d.Programmes, programmeDoc.programme)}
}

func fromWindow(w workflow.Window) windowDoc { return windowDoc{Opens: w.Opens, Closes: w.Closes} }
func (d windowDoc) window() workflow.Window  { return workflow.Window{Opens: d.Opens, Closes: d.Closes} }

func fromProgramme(p workflow.Programme) programmeDoc {
	return programmeDoc{Key: p.Key, Ministry: p.Ministry, Title: fromText(p.Title), Call: fromWindow(p.Call),
		Stages: each(p.Stages, fromStage), Tiers: each(p.Tiers, fromTier), Awards: each(p.Awards, fromTier),
		Form: formDoc{Fields: each(p.Form.Fields, fromField)}, Eligibility: each(p.Eligibility, fromRule)}
}

func (d programmeDoc) programme() workflow.Programme {
	return workflow.Programme{Key: d.Key, Ministry: d.Ministry, Title: d.Title.text(), Call: d.Call.window(),
		Stages: each(d.Stages, stageDoc.stage), Tiers: each(d.Tiers, tierDoc.tier), Awards: each(d.Awards, tierDoc.tier),
		Form: workflow.Form{Fields: each(d.Form.Fields, fieldDoc.field)}, Eligibility: each(d.Eligibility, ruleDoc.rule)}
}

func fromStage(s workflow.Stage) stageDoc {
	d := stageDoc{Key: s.Key, Title: fromText(s.Title), Grants: s.Grants, Awards: s.Awards}
	if j := s.Judging; j != nil {
		d.Judging = &judgingDoc{JudgesPerEntry: j.JudgesPerEntry, Window: fromWindow(j.Window), ScoreVisibility: string(j.ScoreVisibility),
			Feedback: j.Feedback, Load: loadDoc{Min: j.Load.Min, Max: j.Load.Max}, Rubric: each(j.Rubric, fromCriterion)}
	}
	return d
}

func (d stageDoc) stage() workflow.Stage {
	s := workflow.Stage{Key: d.Key, Title: d.Title.text(), Grants: d.Grants, Awards: d.Awards}
	if j := d.Judging; j != nil {
		s.Judging = &workflow.Judging{JudgesPerEntry: j.JudgesPerEntry, Window: j.Window.window(), ScoreVisibility: workflow.Visibility(j.ScoreVisibility),
			Feedback: j.Feedback, Load: workflow.LoadLimits{Min: j.Load.Min, Max: j.Load.Max}, Rubric: each(j.Rubric, criterionDoc.criterion)}
	}
	return s
}

func fromCriterion(c workflow.Criterion) criterionDoc {
	return criterionDoc{Key: c.Key, Label: fromText(c.Label), Guidance: fromText(c.Guidance), Weight: c.Weight,
		Min: c.Min, Max: c.Max, Step: c.Step, Required: c.Required}
}

func (d criterionDoc) criterion() workflow.Criterion {
	return workflow.Criterion{Key: d.Key, Label: d.Label.text(), Guidance: d.Guidance.text(), Weight: d.Weight,
		Min: d.Min, Max: d.Max, Step: d.Step, Required: d.Required}
}

func fromTier(t workflow.Tier) tierDoc {
	d := tierDoc{Key: t.Key, Title: fromText(t.Title)}
	if q := t.Quota; q != nil {
		d.Quota = &quotaDoc{Min: q.Min, Max: q.Max}
	}
	return d
}

func (d tierDoc) tier() workflow.Tier {
	t := workflow.Tier{Key: d.Key, Title: d.Title.text()}
	if q := d.Quota; q != nil {
		t.Quota = &workflow.Quota{Min: q.Min, Max: q.Max}
	}
	return t
}

func fromField(f workflow.Field) fieldDoc {
	return fieldDoc{Key: f.Key, Label: fromText(f.Label), Help: fromText(f.Help), Type: string(f.Type), Required: f.Required,
		Public: f.Public, Min: f.Min, Max: f.Max, MaxLength: f.MaxLength,
		Choices: each(f.Choices, func(c workflow.Choice) choiceDoc { return choiceDoc{Key: c.Key, Label: fromText(c.Label)} })}
}

func (d fieldDoc) field() workflow.Field {
	return workflow.Field{Key: d.Key, Label: d.Label.text(), Help: d.Help.text(), Type: workflow.FieldType(d.Type), Required: d.Required,
		Public: d.Public, Min: d.Min, Max: d.Max, MaxLength: d.MaxLength,
		Choices: each(d.Choices, func(c choiceDoc) workflow.Choice { return workflow.Choice{Key: c.Key, Label: c.Label.text()} })}
}

func fromRule(r workflow.Rule) ruleDoc {
	return ruleDoc{Key: r.Key, AppliesTo: r.AppliesTo, Condition: r.Condition, Reason: fromText(r.Reason)}
}

func (d ruleDoc) rule() workflow.Rule {
	return workflow.Rule{Key: d.Key, AppliesTo: d.AppliesTo, Condition: d.Condition, Reason: d.Reason.text()}
}

// ---- organisation snapshot (nominations.snapshot)

type organisationDoc struct {
	ID               int64     `json:"id"`
	Name             string    `json:"name"`
	NameKana         string    `json:"name_kana"`
	LegalForm        string    `json:"legal_form"`
	CorporateNumber  string    `json:"corporate_number,omitempty"`
	Prefecture       string    `json:"prefecture"`
	Municipality     string    `json:"municipality"`
	Industry         string    `json:"industry"`
	SMESector        string    `json:"sme_sector,omitempty"`
	TotalHeadcount   int       `json:"total_headcount"`
	RegularHeadcount int       `json:"regular_headcount"`
	Capital          *int64    `json:"capital,omitempty"`
	Version          int       `json:"version"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

func toOrganisationDoc(o *workflow.Organisation) organisationDoc {
	return organisationDoc{ID: o.ID, Name: o.Name, NameKana: o.NameKana, LegalForm: string(o.LegalForm), CorporateNumber: o.CorporateNumber,
		Prefecture: o.Prefecture, Municipality: o.Municipality, Industry: o.Industry, SMESector: string(o.SMESector),
		TotalHeadcount: o.TotalHeadcount, RegularHeadcount: o.RegularHeadcount, Capital: o.Capital, Version: o.Version,
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

func (d organisationDoc) domain() workflow.Organisation {
	return workflow.Organisation{ID: d.ID, Name: d.Name, NameKana: d.NameKana, LegalForm: workflow.LegalForm(d.LegalForm), CorporateNumber: d.CorporateNumber,
		Prefecture: d.Prefecture, Municipality: d.Municipality, Industry: d.Industry, SMESector: workflow.SMESector(d.SMESector),
		TotalHeadcount: d.TotalHeadcount, RegularHeadcount: d.RegularHeadcount, Capital: d.Capital, Version: d.Version,
		CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

// ---- publication content (publications.content)

type publicationContent struct {
	Fields []publicFieldDoc `json:"fields"`
	Rows   []awardRowDoc    `json:"rows"`
}

type publicFieldDoc struct {
	Key   string  `json:"key"`
	Label textDoc `json:"label"`
}

type awardRowDoc struct {
	Programme        string            `json:"programme"`
	ProgrammeTitle   textDoc           `json:"programme_title"`
	Award            string            `json:"award"`
	AwardTitle       textDoc           `json:"award_title"`
	OrganisationName string            `json:"organisation_name"`
	Prefecture       string            `json:"prefecture"`
	PrefectureName   textDoc           `json:"prefecture_name"`
	Municipality     string            `json:"municipality"`
	Industry         string            `json:"industry"`
	IndustryName     textDoc           `json:"industry_name"`
	Headcount        int               `json:"headcount"`
	Public           map[string]string `json:"public"`
	FiscalYear       int               `json:"fiscal_year"`
}

func fromPublicationContent(fields []workflow.PublicField, rows []workflow.AwardRow) publicationContent {
	return publicationContent{
		Fields: each(fields, func(f workflow.PublicField) publicFieldDoc {
			return publicFieldDoc{Key: f.Key, Label: fromText(f.Label)}
		}),
		Rows: each(rows, func(r workflow.AwardRow) awardRowDoc {
			return awardRowDoc{Programme: r.Programme, ProgrammeTitle: fromText(r.ProgrammeTitle), Award: r.Award, AwardTitle: fromText(r.AwardTitle),
				OrganisationName: r.OrganisationName, Prefecture: r.Prefecture, PrefectureName: fromText(r.PrefectureName),
				Municipality: r.Municipality, Industry: r.Industry, IndustryName: fromText(r.IndustryName), Headcount: r.Headcount,
				Public: r.Public, FiscalYear: r.FiscalYear}
		}),
	}
}

func (c publicationContent) fields() []workflow.PublicField {
	return each(c.Fields, func(f publicFieldDoc) workflow.PublicField {
		return workflow.PublicField{Key: f.Key, Label: f.Label.text()}
	})
}

func (c publicationContent) rows() []workflow.AwardRow {
	return each(c.Rows, func(r awardRowDoc) workflow.AwardRow {
		return workflow.AwardRow{Programme: r.Programme, ProgrammeTitle: r.ProgrammeTitle.text(), Award: r.Award, AwardTitle: r.AwardTitle.text(),
			OrganisationName: r.OrganisationName, Prefecture: r.Prefecture, PrefectureName: r.PrefectureName.text(),
			Municipality: r.Municipality, Industry: r.Industry, IndustryName: r.IndustryName.text(), Headcount: r.Headcount,
			Public: r.Public, FiscalYear: r.FiscalYear}
	})
}

// ---- public correction (public_corrections.content)

type publicCorrectionDoc struct {
	OrganisationName *string           `json:"organisation_name,omitempty"`
	Prefecture       *string           `json:"prefecture,omitempty"`
	Municipality     *string           `json:"municipality,omitempty"`
	Industry         *string           `json:"industry,omitempty"`
	Headcount        *int              `json:"headcount,omitempty"`
	Answers          map[string]string `json:"answers,omitempty"`
}

func fromPublicCorrection(c workflow.PublicCorrection) publicCorrectionDoc {
	return publicCorrectionDoc{OrganisationName: c.OrganisationName, Prefecture: c.Prefecture, Municipality: c.Municipality,
		Industry: c.Industry, Headcount: c.Headcount, Answers: c.Answers}
}

// correction returns the stored part; the row holds the rest.
func (d publicCorrectionDoc) correction() workflow.PublicCorrection {
	return workflow.PublicCorrection{OrganisationName: d.OrganisationName, Prefecture: d.Prefecture, Municipality: d.Municipality,
		Industry: d.Industry, Headcount: d.Headcount, Answers: d.Answers}
}

// ---- assignment proposals (proposals.pairs, proposals.report)

type pairDoc struct {
	Entry int64 `json:"Entry"`
	Judge int64 `json:"Judge"`
}

type shortDoc struct {
	Entry   int64 `json:"entry"`
	Missing int   `json:"missing"`
}

type reportDoc struct {
	Entries         int        `json:"entries"`
	Judges          int        `json:"judges"`
	K               int        `json:"k"`
	Assignments     int        `json:"assignments"`
	Proposed        int        `json:"proposed"`
	LoadMin         int        `json:"load_min"`
	LoadMax         int        `json:"load_max"`
	LoadSpread      int        `json:"load_spread"`
	BelowMinLoad    []int64    `json:"below_min_load"`
	Short           []shortDoc `json:"short"`
	PreferencesMet  int        `json:"preferences_met"`
	ConflictsHonour int        `json:"conflicts_excluded"`
	Cost            int64      `json:"cost"`
}

func fromPairs(ps []assign.Pair) []pairDoc {
	return each(ps, func(p assign.Pair) pairDoc { return pairDoc{Entry: p.Entry, Judge: p.Judge} })
}

func toPairs(ds []pairDoc) []assign.Pair {
	return each(ds, func(d pairDoc) assign.Pair { return assign.Pair{Entry: d.Entry, Judge: d.Judge} })
}

func fromReport(r assign.Report) reportDoc {
	return reportDoc{Entries: r.Entries, Judges: r.Judges, K: r.K, Assignments: r.Assignments, Proposed: r.Proposed,
		LoadMin: r.LoadMin, LoadMax: r.LoadMax, LoadSpread: r.LoadSpread, BelowMinLoad: r.BelowMinLoad,
		Short:          each(r.Short, func(s assign.Short) shortDoc { return shortDoc{Entry: s.Entry, Missing: s.Missing} }),
		PreferencesMet: r.PreferencesMet, ConflictsHonour: r.ConflictsHonour, Cost: r.Cost}
}

func (d reportDoc) report() assign.Report {
	return assign.Report{Entries: d.Entries, Judges: d.Judges, K: d.K, Assignments: d.Assignments, Proposed: d.Proposed,
		LoadMin: d.LoadMin, LoadMax: d.LoadMax, LoadSpread: d.LoadSpread, BelowMinLoad: d.BelowMinLoad,
		Short:          each(d.Short, func(s shortDoc) assign.Short { return assign.Short{Entry: s.Entry, Missing: s.Missing} }),
		PreferencesMet: d.PreferencesMet, ConflictsHonour: d.ConflictsHonour, Cost: d.Cost}
}

// ---- applied decisions (decisions.spec, decisions.outcomes)

type decisionSpecDoc struct {
	Measure              string         `json:"measure,omitempty"`
	Normalise            bool           `json:"normalise,omitempty"`
	TopN                 int            `json:"top_n,omitempty"`
	Threshold            *float64       `json:"threshold,omitempty"`
	Ties                 string         `json:"ties,omitempty"`
	Awards               []awardRuleDoc `json:"awards,omitempty"`
	Picks                []overrideDoc  `json:"picks,omitempty"`
	Excludes             []overrideDoc  `json:"excludes,omitempty"`
	EligibilityOverrides []overrideDoc  `json:"eligibility_overrides,omitempty"`
	Reason               string         `json:"reason,omitempty"`
}

type awardRuleDoc struct {
	Award string `json:"award"`
	TopN  int    `json:"top_n"`
}

type overrideDoc struct {
	NominationID int64  `json:"nomination_id"`
	Award        string `json:"award,omitempty"`
	Reason       string `json:"reason"`
}

type decisionOutcomeDoc struct {
	NominationID        int64   `json:"nomination_id"`
	OrganisationName    string  `json:"organisation_name"`
	Rank                int     `json:"rank"`
	Tie                 bool    `json:"tie"`
	Value               float64 `json:"value"`
	Count               int     `json:"count"`
	Action              string  `json:"action"`
	Award               string  `json:"award,omitempty"`
	Why                 string  `json:"why"`
	Reason              string  `json:"reason,omitempty"`
	Eligibility         string  `json:"eligibility,omitempty"`
	EligibilityOverride string  `json:"eligibility_override,omitempty"`
	TieAtCut            bool    `json:"tie_at_cut,omitempty"`
	UnresolvedTie       bool    `json:"unresolved_tie,omitempty"`
}

func fromOverride(o workflow.Override) overrideDoc {
	return overrideDoc{NominationID: o.NominationID, Award: o.Award, Reason: o.Reason}
}

func (d overrideDoc) override() workflow.Override {
	return workflow.Override{NominationID: d.NominationID, Award: d.Award, Reason: d.Reason}
}

func fromDecisionSpec(s workflow.DecisionSpec) decisionSpecDoc {
	return decisionSpecDoc{Measure: string(s.Measure), Normalise: s.Normalise, TopN: s.TopN, Threshold: s.Threshold, Ties: s.Ties,
		Awards: each(s.Awards, func(a workflow.AwardRule) awardRuleDoc { return awardRuleDoc{Award: a.Award, TopN: a.TopN} }),
		Picks:  each(s.Picks, fromOverride), Excludes: each(s.Excludes, fromOverride),
		EligibilityOverrides: each(s.EligibilityOverrides, fromOverride), Reason: s.Reason}
}

func (d decisionSpecDoc) spec() workflow.DecisionSpec {
	return workflow.DecisionSpec{Measure: aggregate.Measure(d.Measure), Normalise: d.Normalise, TopN: d.TopN, Threshold: d.Threshold, Ties: d.Ties,
		Awards: each(d.Awards, func(a awardRuleDoc) workflow.AwardRule { return workflow.AwardRule{Award: a.Award, TopN: a.TopN} }),
		Picks:  each(d.Picks, overrideDoc.override), Excludes: each(d.Excludes, overrideDoc.override),
		EligibilityOverrides: each(d.EligibilityOverrides, overrideDoc.override), Reason: d.Reason}
}

func fromOutcomes(os []workflow.DecisionOutcome) []decisionOutcomeDoc {
	return each(os, func(o workflow.DecisionOutcome) decisionOutcomeDoc {
		return decisionOutcomeDoc{NominationID: o.NominationID, OrganisationName: o.OrganisationName, Rank: o.Rank, Tie: o.Tie,
			Value: o.Value, Count: o.Count, Action: string(o.Action), Award: o.Award, Why: o.Why, Reason: o.Reason,
			Eligibility: string(o.Eligibility), EligibilityOverride: o.EligibilityOverride, TieAtCut: o.TieAtCut, UnresolvedTie: o.UnresolvedTie}
	})
}

func toOutcomes(ds []decisionOutcomeDoc) []workflow.DecisionOutcome {
	return each(ds, func(d decisionOutcomeDoc) workflow.DecisionOutcome {
		return workflow.DecisionOutcome{NominationID: d.NominationID, OrganisationName: d.OrganisationName, Rank: d.Rank, Tie: d.Tie,
			Value: d.Value, Count: d.Count, Action: workflow.Action(d.Action), Award: d.Award, Why: d.Why, Reason: d.Reason,
			Eligibility: workflow.Outcome(d.Eligibility), EligibilityOverride: d.EligibilityOverride, TieAtCut: d.TieAtCut, UnresolvedTie: d.UnresolvedTie}
	})
}
