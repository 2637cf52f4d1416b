package api

import (
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// A published award list as the API shows it, to staff and to the public.

type publicationJSON struct {
	ID             int64             `json:"id"`
	Cycle          string            `json:"cycle"`
	Programme      string            `json:"programme"`
	Version        int               `json:"version"`
	EmbargoAt      time.Time         `json:"embargo_at"`
	Reason         string            `json:"reason,omitempty"`
	Fields         []publicFieldJSON `json:"fields"`
	Rows           []awardRowJSON    `json:"rows"`
	CreatedAt      time.Time         `json:"created_at"`
	State          string            `json:"state,omitempty"` // staff lists: scheduled, public, superseded or withdrawn
	WithdrawnAt    *time.Time        `json:"withdrawn_at,omitempty"`
	WithdrawReason string            `json:"withdraw_reason,omitempty"`
}

type publicFieldJSON struct {
	Key   string        `json:"key"`
	Label workflow.Text `json:"label"`
}

type awardRowJSON struct {
	Programme        string            `json:"programme"`
	ProgrammeTitle   workflow.Text     `json:"programme_title"`
	Award            string            `json:"award"`
	AwardTitle       workflow.Text     `json:"award_title"`
	OrganisationName string            `json:"organisation_name"`
	Prefecture       string            `json:"prefecture"`
	PrefectureName   workflow.Text     `json:"prefecture_name"`
	Municipality     string            `json:"municipality"`
	Industry         string            `json:"industry"`
	IndustryName     workflow.Text     `json:"industry_name"`
	Headcount        int               `json:"headcount"`
	Public           map[string]string `json:"public"`
	FiscalYear       int               `json:"fiscal_year"`
}

type publicationListJSON struct {
	Items []publicationJSON `json:"items"`
}

type publicAwardsJSON struct {
	Cycle        string            `json:"cycle"`
	Prefecture   string            `json:"prefecture"`
	Publications []publicationJSON `json:"publications"`
}

func toPublicationJSON(p workflow.Publication) publicationJSON {
	return publicationJSON{ID: p.ID, Cycle: p.Cycle, Programme: p.Programme, Version: p.Version, EmbargoAt: p.EmbargoAt, Reason: p.Reason,
		Fields: each(p.Fields, func(f workflow.PublicField) publicFieldJSON { return publicFieldJSON{Key: f.Key, Label: f.Label} }),
		Rows: each(p.Rows, func(r workflow.AwardRow) awardRowJSON {
			return awardRowJSON{Programme: r.Programme, ProgrammeTitle: r.ProgrammeTitle, Award: r.Award, AwardTitle: r.AwardTitle,
				OrganisationName: r.OrganisationName, Prefecture: r.Prefecture, PrefectureName: r.PrefectureName,
				Municipality: r.Municipality, Industry: r.Industry, IndustryName: r.IndustryName, Headcount: r.Headcount,
				Public: r.Public, FiscalYear: r.FiscalYear}
		}),
		CreatedAt: p.CreatedAt, State: p.State, WithdrawnAt: p.WithdrawnAt, WithdrawReason: p.WithdrawReason}
}

// toPublicationsJSON converts a list; never null.
func toPublicationsJSON(ps []workflow.Publication) []publicationJSON {
	out := make([]publicationJSON, len(ps))
	for i, p := range ps {
		out[i] = toPublicationJSON(p)
	}
	return out
}

// publicRecordJSON is a nomination's public fields as submitted and as
// they will be published.
type publicRecordJSON struct {
	NominationID int64            `json:"nomination_id"`
	Version      int              `json:"version"` // send it in If-Match to correct
	Submitted    publicValuesJSON `json:"submitted"`
	Public       publicValuesJSON `json:"public"`
	Corrected    []string         `json:"corrected"`
}

type publicValuesJSON struct {
	OrganisationName string            `json:"organisation_name"`
	Prefecture       string            `json:"prefecture"`
	Municipality     string            `json:"municipality"`
	Industry         string            `json:"industry"`
	Headcount        int               `json:"headcount"`
	Answers          map[string]string `json:"answers"`
}

func toPublicValuesJSON(v workflow.PublicValues) publicValuesJSON {
	return publicValuesJSON{OrganisationName: v.OrganisationName, Prefecture: v.Prefecture, Municipality: v.Municipality,
		Industry: v.Industry, Headcount: v.Headcount, Answers: v.Answers}
}

func toPublicRecordJSON(r workflow.PublicRecord) publicRecordJSON {
	return publicRecordJSON{NominationID: r.NominationID, Version: r.Version, Submitted: toPublicValuesJSON(r.Submitted),
		Public: toPublicValuesJSON(r.Public), Corrected: r.Corrected}
}
