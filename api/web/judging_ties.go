package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// /me/conflicts: a judge's or chair's own ties. An affiliation (an
// organisation by name or corporate number) makes every entry of a
// matching organisation a conflict; a declared conflict names one
// organisation, chosen among those of the judge's own entries. Either takes the
// judge off the entries it now conflicts with (the service does).

type tiesView struct {
	Affiliations []affiliationRow
	Conflicts    []declaredRow
	Affiliation  *Form
	Conflict     *Form
}

type affiliationRow struct {
	Name, CorporateNumber, Organisation string
	At                                  time.Time
}

type declaredRow struct {
	Organisation, Source, Reason string
	At                           time.Time
}

// Refused is the form whose post was refused, for the error summary.
func (v tiesView) Refused() *Form {
	if v.Conflict.Failed() {
		return v.Conflict
	}
	return v.Affiliation
}

func (c *ctx) affiliationForm() *Form {
	f := c.form()
	f.Add(Field{Name: "name", ID: "f-aff-name", Label: c.T("judging.ties.name"), Help: c.T("judging.ties.name.help"), Type: "text", MaxLength: 200})
	f.Add(Field{Name: "corporate_number", ID: "f-aff-corporate-number", Label: c.T("judging.ties.corporate_number"),
		Help: c.T("judging.ties.corporate_number.help"), Type: "number", InputMode: "numeric"})
	return f
}

func (c *ctx) conflictForm(orgs []workflow.TieOrganisation) *Form {
	f := c.form()
	opts := []Option{{Value: "", Label: c.T("judging.ties.organisation.choose")}}
	for _, o := range orgs {
		opts = append(opts, Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	f.Add(Field{Name: "organisation_id", ID: "f-coi-organisation", Label: c.T("judging.ties.organisation"),
		Help: c.T("judging.ties.organisation.help"), Type: "select", Options: opts, Required: true})
	f.Add(Field{Name: "reason", ID: "f-coi-reason", Label: c.T("judging.ties.reason"), Help: c.T("judging.ties.reason.help"), Type: "textarea", Rows: 3, MaxLength: 2000})
	return f
}

func (s *Site) tiesView(c *ctx) (tiesView, error) {
	affs, dcs, err := s.cfg.Service.MyConflicts(c.r.Context(), c.actor)
	if err != nil {
		return tiesView{}, err
	}
	orgs, err := s.cfg.Service.MyTieOrganisations(c.r.Context(), c.actor)
	if err != nil {
		return tiesView{}, err
	}
	name := func(id int64) string {
		for _, o := range orgs {
			if o.ID == id {
				return o.Name
			}
		}
		return c.T("judging.ties.org_unknown")
	}
	v := tiesView{Affiliation: c.affiliationForm(), Conflict: c.conflictForm(orgs)}
	for _, a := range affs {
		row := affiliationRow{Name: a.Name, CorporateNumber: a.CorporateNumber, At: a.DeclaredAt}
		if a.OrganisationID != 0 {
			row.Organisation = name(a.OrganisationID)
		}
		v.Affiliations = append(v.Affiliations, row)
	}
	for _, d := range dcs {
		v.Conflicts = append(v.Conflicts, declaredRow{Organisation: name(d.OrganisationID),
			Source: workflow.SourceLabel(d.Source).In(c.lang), Reason: d.Reason, At: d.CreatedAt})
	}
	return v, nil
}

func (s *Site) myConflicts(c *ctx) error {
	v, err := s.tiesView(c)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "judging/ties", "judging.ties.title", v)
}

// declareTie takes either form: declare=affiliation or declare=conflict.
func (s *Site) declareTie(c *ctx) error {
	v, err := s.tiesView(c)
	if err != nil {
		return err
	}
	f := v.Affiliation
	if err := f.Read(); err != nil { // caps and parses the post
		return err
	}
	if f.Value("declare") == "conflict" {
		f = v.Conflict
		if err := f.Read(); err != nil {
			return err
		}
	}
	if f == v.Conflict {
		id, perr := strconv.ParseInt(halfWidth(f.Value("organisation_id")), 10, 64)
		if perr != nil || id <= 0 {
			f.Fail("organisation_id", c.T("judging.ties.organisation.missing"))
			return c.render(http.StatusUnprocessableEntity, "judging/ties", "judging.ties.title", v)
		}
		_, err = s.cfg.Service.DeclareConflict(c.r.Context(), c.actor, id, f.Value("reason"))
		if workflow.ErrorCode(err) == workflow.NotFound {
			f.Fail("organisation_id", c.T("judging.ties.organisation.unknown"))
			return c.render(http.StatusUnprocessableEntity, "judging/ties", "judging.ties.title", v)
		}
	} else {
		_, err = s.cfg.Service.DeclareAffiliation(c.r.Context(), c.actor, workflow.Affiliation{
			Name: strings.TrimSpace(f.Value("name")), CorporateNumber: f.Value("corporate_number")})
	}
	if err != nil {
		if !f.Refused(err, nil) {
			return err
		}
		return c.render(f.Status(err), "judging/ties", "judging.ties.title", v)
	}
	return c.flash("flash.judging.declared", "/me/conflicts")
}
