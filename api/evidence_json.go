package api

import (
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/assign"
)

// Response types for the evidence and reports the API shows as they are
// computed: eligibility verdicts, conflicts, assignment proposals' pairs and
// quality report, a sheet import's counts and applicants' feedback. Their
// JSON is the API's contract; the domain types carry no tags.

type verdictJSON struct {
	AppliesTo string           `json:"applies_to"`
	Outcome   workflow.Outcome `json:"outcome"`
	Results   []ruleResultJSON `json:"results"`
}

type ruleResultJSON struct {
	Rule    string           `json:"rule"`
	Outcome workflow.Outcome `json:"outcome"`
	Reason  workflow.Text    `json:"reason,omitzero"`
	Missing []string         `json:"missing,omitempty"`
}

func toVerdictsJSON(vs []workflow.Verdict) []verdictJSON {
	return each(vs, func(v workflow.Verdict) verdictJSON {
		return verdictJSON{AppliesTo: v.AppliesTo, Outcome: v.Outcome, Results: each(v.Results, func(r workflow.RuleResult) ruleResultJSON {
			return ruleResultJSON{Rule: r.Rule, Outcome: r.Outcome, Reason: r.Reason, Missing: r.Missing}
		})}
	})
}

type conflictOfInterestJSON struct {
	UserID         int64  `json:"user_id"`
	NominationID   int64  `json:"nomination_id"`
	OrganisationID int64  `json:"organisation_id"`
	Source         string `json:"source"`
	Reason         string `json:"reason,omitempty"`
}

func toConflictOfInterestJSON(c workflow.ConflictOfInterest) conflictOfInterestJSON {
	return conflictOfInterestJSON{UserID: c.UserID, NominationID: c.NominationID, OrganisationID: c.OrganisationID, Source: c.Source, Reason: c.Reason}
}

// pairJSON keeps the field names the API has always shown for a proposed pair.
type pairJSON struct {
	Entry int64 `json:"Entry"`
	Judge int64 `json:"Judge"`
}

type shortJSON struct {
	Entry   int64 `json:"entry"`
	Missing int   `json:"missing"`
}

type reportJSON struct {
	Entries         int         `json:"entries"`
	Judges          int         `json:"judges"`
	K               int         `json:"k"`
	Assignments     int         `json:"assignments"`
	Proposed        int         `json:"proposed"`
	LoadMin         int         `json:"load_min"`
	LoadMax         int         `json:"load_max"`
	LoadSpread      int         `json:"load_spread"`
	BelowMinLoad    []int64     `json:"below_min_load"`
	Short           []shortJSON `json:"short"`
	PreferencesMet  int         `json:"preferences_met"`
	ConflictsHonour int         `json:"conflicts_excluded"`
	Cost            int64       `json:"cost"`
}

func toReportJSON(r assign.Report) reportJSON {
	return reportJSON{Entries: r.Entries, Judges: r.Judges, K: r.K, Assignments: r.Assignments, Proposed: r.Proposed,
		LoadMin: r.LoadMin, LoadMax: r.LoadMax, LoadSpread: r.LoadSpread, BelowMinLoad: r.BelowMinLoad,
		Short:          each(r.Short, func(s assign.Short) shortJSON { return shortJSON{Entry: s.Entry, Missing: s.Missing} }),
		PreferencesMet: r.PreferencesMet, ConflictsHonour: r.ConflictsHonour, Cost: r.Cost}
}

type importResultJSON struct {
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	Blank     int `json:"blank"`
}

type stageFeedbackJSON struct {
	Stage          string             `json:"stage"`
	Title          workflow.Text      `json:"title"`
	Count          int                `json:"count"`
	CriterionMeans map[string]float64 `json:"criterion_means"`
	Comments       []string           `json:"comments"`
}

func toStageFeedbackJSON(f workflow.StageFeedback) stageFeedbackJSON {
	return stageFeedbackJSON{Stage: f.Stage, Title: f.Title, Count: f.Count, CriterionMeans: f.CriterionMeans, Comments: f.Comments}
}
