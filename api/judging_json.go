package api

import (
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// Response types of judging resources that were maps before; their members
// are in the order the maps' were (alphabetical), so the bodies are
// unchanged.

// entryJSON is a stage entry as its judge sees it.
type entryJSON struct {
	Answers      workflow.Answers  `json:"answers"`
	NominationID int64             `json:"nomination_id"`
	Organisation *organisationJSON `json:"organisation"` // as submitted
	Programme    string            `json:"programme"`
	State        workflow.State    `json:"state"`
}

func toEntryJSON(n workflow.Nomination) entryJSON {
	j := entryJSON{Answers: n.Answers, NominationID: n.ID, Programme: n.ProgrammeKey, State: n.State}
	if n.Snapshot != nil {
		o := toOrganisationJSON(*n.Snapshot)
		j.Organisation = &o
	}
	return j
}

type affiliationJSON struct {
	CorporateNumber string    `json:"corporate_number"`
	DeclaredAt      time.Time `json:"declared_at"`
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	OrganisationID  int64     `json:"organisation_id"`
}

func toAffiliationJSON(a workflow.Affiliation) affiliationJSON {
	return affiliationJSON{CorporateNumber: a.CorporateNumber, DeclaredAt: a.DeclaredAt, ID: a.ID, Name: a.Name, OrganisationID: a.OrganisationID}
}

type declaredConflictJSON struct {
	CreatedAt      time.Time `json:"created_at"`
	ID             int64     `json:"id"`
	OrganisationID int64     `json:"organisation_id"`
	Reason         string    `json:"reason"`
	Source         string    `json:"source"`
}

func toDeclaredConflictJSON(d workflow.DeclaredConflict) declaredConflictJSON {
	return declaredConflictJSON{CreatedAt: d.CreatedAt, ID: d.ID, OrganisationID: d.OrganisationID, Reason: d.Reason, Source: d.Source}
}

type myConflictsJSON struct {
	Affiliations []affiliationJSON      `json:"affiliations"`
	Conflicts    []declaredConflictJSON `json:"conflicts"`
}

// decisionOutcomeJSON is one entry's outcome in a decision or its preview.
type decisionOutcomeJSON struct {
	NominationID        int64            `json:"nomination_id"`
	OrganisationName    string           `json:"organisation_name"`
	Rank                int              `json:"rank"`
	Tie                 bool             `json:"tie"`
	Value               float64          `json:"value"`
	Count               int              `json:"count"`
	Action              workflow.Action  `json:"action"` // select, award or not_select
	Award               string           `json:"award,omitempty"`
	Why                 string           `json:"why"` // rule, pick, exclude, ineligible or tie
	Reason              string           `json:"reason,omitempty"`
	Eligibility         workflow.Outcome `json:"eligibility,omitempty"`
	EligibilityOverride string           `json:"eligibility_override,omitempty"`
	TieAtCut            bool             `json:"tie_at_cut,omitempty"`
	UnresolvedTie       bool             `json:"unresolved_tie,omitempty"`
}

// toOutcomesJSON converts outcomes; never null.
func toOutcomesJSON(os []workflow.DecisionOutcome) []decisionOutcomeJSON {
	out := make([]decisionOutcomeJSON, len(os))
	for i, o := range os {
		out[i] = decisionOutcomeJSON{NominationID: o.NominationID, OrganisationName: o.OrganisationName, Rank: o.Rank, Tie: o.Tie,
			Value: o.Value, Count: o.Count, Action: o.Action, Award: o.Award, Why: o.Why, Reason: o.Reason, Eligibility: o.Eligibility,
			EligibilityOverride: o.EligibilityOverride, TieAtCut: o.TieAtCut, UnresolvedTie: o.UnresolvedTie}
	}
	return out
}

// decisionJSON is an applied decision.
type decisionJSON struct {
	AppliedAt time.Time             `json:"applied_at"`
	AppliedBy string                `json:"applied_by"`
	ID        int64                 `json:"id"`
	Outcomes  []decisionOutcomeJSON `json:"outcomes"`
}
