package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// companyPages registers the company clerk's pages: home, organisation profile.
func (s *Site) companyPages() {
	s.route("GET", "/me", signedIn, s.me)
	s.navigation("nav.me", "/me", signedIn)
	s.route("GET", "/org/new", allow(policy.CreateOrganisation), s.newOrgPage)
	s.route("POST", "/org/new", allow(policy.CreateOrganisation), s.createOrg)
	s.route("GET", "/org", allow(policy.ReadOrganisation), s.orgPage)
	s.route("GET", "/org/edit", allow(policy.ReadOrganisation), s.editOrgPage)
	s.route("POST", "/org/edit", allow(policy.UpdateOrganisation), s.updateOrg)
}

// meView is the signed-in home: an applicant's organisation, its
// nominations and the calls it may answer; anyone's roles.
type meView struct {
	Applicant   bool
	Org         *workflow.Organisation
	Nominations []meNomination
	Calls       []meCall
	Roles       []meRole
}

type meNomination struct {
	ID        int64
	Programme string
	State     string
	Deadline  time.Time // the call's closing
	Editable  bool      // draft or returned: the applicant may change the answers
	Returned  bool
	Reason    string
	Due       *time.Time
	Submitted *time.Time
	Updated   time.Time
}

type meCall struct {
	Programme, Key, Cycle string
	Closes                time.Time
}

type meRole struct {
	Role, Domain string
}

func (s *Site) me(c *ctx) error {
	v := meView{Applicant: c.actor.Has(workflow.RoleApplicant, workflow.AnyDomain)}
	for _, g := range c.actor.Grants {
		r := meRole{Role: g.Role.Label().In(c.lang), Domain: c.T("company.domain." + domainKey(g.Domain))}
		v.Roles = append(v.Roles, r)
	}
	if v.Applicant && c.actor.OrganisationID != 0 {
		ctx := c.r.Context()
		o, err := s.cfg.Service.Organisation(ctx, c.actor, c.actor.OrganisationID)
		if err != nil {
			return err
		}
		v.Org = &o
		items, _, err := s.cfg.Service.Nominations(ctx, c.actor, workflow.NominationFilter{Page: workflow.Page{Limit: 100}})
		if err != nil {
			return err
		}
		cycles := map[string]*workflow.Cycle{}
		cycle := func(key string) (*workflow.Cycle, error) {
			if cy, ok := cycles[key]; ok {
				return cy, nil
			}
			cv, err := s.cfg.Service.Cycle(ctx, key)
			cycles[key] = &cv.Cycle
			return &cv.Cycle, err
		}
		started := map[string]bool{}
		for _, it := range items {
			n := it.Nomination
			cy, err := cycle(n.CycleKey)
			if err != nil {
				return err
			}
			p, _ := cy.Programme(n.ProgrammeKey)
			hn := meNomination{ID: n.ID, State: n.State.Label().In(c.lang), Editable: n.Editable(),
				Returned: n.State == workflow.Returned, Reason: n.ReturnReason, Due: n.ReturnDue, Submitted: n.SubmittedAt, Updated: n.UpdatedAt}
			if p != nil {
				hn.Programme, hn.Deadline = p.Title.In(c.lang), p.Call.Closes
			}
			v.Nominations = append(v.Nominations, hn)
			if n.State != workflow.Withdrawn {
				started[n.CycleKey+"/"+n.ProgrammeKey] = true
			}
		}
		keys, err := s.cfg.Service.CycleKeys(ctx)
		if err != nil {
			return err
		}
		now := s.cfg.Now()
		for _, k := range keys {
			cy, err := cycle(k)
			if err != nil {
				return err
			}
			for _, p := range cy.Programmes {
				if !started[k+"/"+p.Key] && !now.Before(p.Call.Opens) && now.Before(p.Call.Closes) {
					v.Calls = append(v.Calls, meCall{Programme: p.Title.In(c.lang), Key: p.Key, Cycle: k, Closes: p.Call.Closes})
				}
			}
		}
	}
	return c.render(http.StatusOK, "company/home", "company.home.title", v)
}

// domainKey names a grant's domain for the catalogue.
func domainKey(d string) string {
	if d == workflow.AnyDomain {
		return "any"
	}
	return d
}

// orgForm is the organisation profile's form, filled from o.
func (c *ctx) orgForm(o workflow.Organisation) *Form {
	f := c.form()
	f.Add(Field{Name: "name", Label: c.T("company.org.name"), Help: c.T("company.org.name.help"), Type: "text", Required: true,
		Autocomplete: "organization", MaxLength: 100, Value: o.Name})
	f.Add(Field{Name: "name_kana", Label: c.T("company.org.name_kana"), Help: c.T("company.org.name_kana.help"), Type: "text", Required: true,
		MaxLength: 200, Value: o.NameKana})
	legal := []Option{{Value: "", Label: c.T("company.org.choose")}}
	for _, l := range workflow.LegalForms {
		legal = append(legal, Option{Value: string(l.Form), Label: l.Name.In(c.lang)})
	}
	f.Add(Field{Name: "legal_form", Label: c.T("company.org.legal_form"), Type: "select", Required: true, Options: legal, Value: string(o.LegalForm)})
	f.Add(Field{Name: "corporate_number", Label: c.T("company.org.corporate_number"), Help: c.T("company.org.corporate_number.help"),
		Type: "text", InputMode: "numeric", Autocomplete: "off", Value: o.CorporateNumber})
	prefs := []Option{{Value: "", Label: c.T("company.org.choose")}}
	for _, p := range workflow.Prefectures {
		prefs = append(prefs, Option{Value: p.Code, Label: p.Name.In(c.lang)})
	}
	f.Add(Field{Name: "prefecture", Label: c.T("company.org.prefecture"), Help: c.T("company.org.prefecture.help"), Type: "select", Required: true,
		Options: prefs, Value: o.Prefecture})
	f.Add(Field{Name: "municipality", Label: c.T("company.org.municipality"), Type: "text", Required: true, Autocomplete: "address-level2",
		MaxLength: 100, Value: o.Municipality})
	inds := []Option{{Value: "", Label: c.T("company.org.choose")}}
	for _, in := range workflow.Industries {
		inds = append(inds, Option{Value: in.Code, Label: in.Code + " " + in.Name.In(c.lang)})
	}
	f.Add(Field{Name: "industry", Label: c.T("company.org.industry"), Help: c.T("company.org.industry.help"), Type: "select", Required: true,
		Options: inds, Value: o.Industry})
	sectors := []Option{{Value: "", Label: c.T("company.org.sector.none")}}
	for _, sc := range []workflow.SMESector{workflow.SectorManufacturing, workflow.SectorWholesale, workflow.SectorRetail, workflow.SectorServices} {
		sectors = append(sectors, Option{Value: string(sc), Label: c.T("company.org.sector." + string(sc))})
	}
	f.Add(Field{Name: "sme_sector", Label: c.T("company.org.sme_sector"), Help: c.T("company.org.sme_sector.help"), Type: "select",
		Options: sectors, Value: string(o.SMESector)})
	f.Add(Field{Name: "total_headcount", Label: c.T("company.org.total_headcount"), Help: c.T("company.org.headcount.help"), Type: "number",
		InputMode: "numeric", Required: true, Value: count(o.TotalHeadcount, o.ID)})
	f.Add(Field{Name: "regular_headcount", Label: c.T("company.org.regular_headcount"), Help: c.T("company.org.regular_headcount.help"),
		Type: "number", InputMode: "numeric", Required: true, Value: count(o.RegularHeadcount, o.ID)})
	capital := ""
	if o.Capital != nil {
		capital = strconv.FormatInt(*o.Capital, 10)
	}
	f.Add(Field{Name: "capital", Label: c.T("company.org.capital"), Help: c.T("company.org.capital.help"), Type: "number",
		InputMode: "numeric", Value: capital})
	return f
}

// count shows a stored headcount; a new organisation's fields start empty.
func count(n int, id int64) string {
	if id == 0 && n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// readOrg reads the posted profile into o, marking fields that are not
// numbers; the domain checks the rest.
func (c *ctx) readOrg(f *Form, o *workflow.Organisation) {
	o.Name, o.NameKana = f.Value("name"), f.Value("name_kana")
	o.LegalForm = workflow.LegalForm(f.Value("legal_form"))
	o.CorporateNumber = strings.NewReplacer("-", "", " ", "", "ー", "", "－", "").Replace(norm.NFKC.String(f.Value("corporate_number")))
	o.Prefecture, o.Municipality, o.Industry = f.Value("prefecture"), f.Value("municipality"), f.Value("industry")
	o.SMESector = workflow.SMESector(f.Value("sme_sector"))
	for _, req := range []struct {
		name string
		ptr  *int
	}{{"total_headcount", &o.TotalHeadcount}, {"regular_headcount", &o.RegularHeadcount}} {
		n, ok, empty := number(f.Value(req.name))
		switch {
		case empty:
			f.Fail(req.name, c.T("company.org.required", f.Field(req.name).Label))
		case !ok || n > 10_000_000:
			f.Fail(req.name, c.T("company.org.not_a_count"))
		default:
			*req.ptr = int(n)
		}
	}
	o.Capital = nil
	if n, ok, empty := number(f.Value("capital")); !empty {
		if !ok {
			f.Fail("capital", c.T("company.org.not_yen"))
		} else {
			o.Capital = &n
		}
	}
	for _, req := range []string{"name", "name_kana", "legal_form", "prefecture", "municipality", "industry"} {
		if strings.TrimSpace(f.Value(req)) == "" {
			f.Fail(req, c.T("company.org.required", f.Field(req).Label))
		}
	}
}

// number reads a whole number typed in full- or half-width digits, with
// thousands separators and 円/人 tolerated.
func number(s string) (n int64, ok, empty bool) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	s = strings.NewReplacer(",", "", "、", "", " ", "", "円", "", "人", "", "名", "").Replace(s)
	if s == "" {
		return 0, false, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0, false
}

type orgView struct {
	Form *Form
	Org  workflow.Organisation
}

func (s *Site) newOrgPage(c *ctx) error {
	if c.actor.OrganisationID != 0 {
		return c.redirect("/org")
	}
	return c.render(http.StatusOK, "company/org_form", "company.org.new.title", orgView{Form: c.orgForm(workflow.Organisation{})})
}

func (s *Site) createOrg(c *ctx) error {
	f := c.orgForm(workflow.Organisation{})
	if err := f.Read(); err != nil {
		return err
	}
	var o workflow.Organisation
	c.readOrg(f, &o)
	v := orgView{Form: f}
	if f.Failed() {
		return c.render(http.StatusUnprocessableEntity, "company/org_form", "company.org.new.title", v)
	}
	if _, err := s.cfg.Service.CreateOrganisation(c.r.Context(), c.actor, o); err != nil {
		if !f.Refused(err, nil) {
			return err
		}
		return c.render(f.Status(err), "company/org_form", "company.org.new.title", v)
	}
	return c.flash("flash.org_created", "/me")
}

// ownOrg is the caller's organisation; an account acting for none is sent
// to create it.
func (s *Site) ownOrg(c *ctx) (workflow.Organisation, bool, error) {
	if c.actor.OrganisationID == 0 {
		return workflow.Organisation{}, false, c.redirect("/org/new")
	}
	o, err := s.cfg.Service.Organisation(c.r.Context(), c.actor, c.actor.OrganisationID)
	return o, err == nil, err
}

type orgProfile struct {
	Org                                     workflow.Organisation
	LegalForm, Prefecture, Industry, Sector string
}

func (s *Site) orgPage(c *ctx) error {
	o, ok, err := s.ownOrg(c)
	if !ok {
		return err
	}
	v := orgProfile{Org: o}
	for _, l := range workflow.LegalForms {
		if l.Form == o.LegalForm {
			v.LegalForm = l.Name.In(c.lang)
		}
	}
	if p, ok := workflow.PrefectureByCode(o.Prefecture); ok {
		v.Prefecture = p.Name.In(c.lang)
	}
	if in, ok := workflow.IndustryByCode(o.Industry); ok {
		v.Industry = in.Code + " " + in.Name.In(c.lang)
	}
	if o.SMESector != "" {
		v.Sector = c.T("company.org.sector." + string(o.SMESector))
	}
	return c.render(http.StatusOK, "company/org", "company.org.title", v)
}

func (s *Site) editOrgPage(c *ctx) error {
	o, ok, err := s.ownOrg(c)
	if !ok {
		return err
	}
	return c.render(http.StatusOK, "company/org_form", "company.org.edit.title", orgView{Form: c.orgForm(o), Org: o})
}

func (s *Site) updateOrg(c *ctx) error {
	saved, ok, err := s.ownOrg(c)
	if !ok {
		return err
	}
	f := c.orgForm(saved)
	if err := f.Read(); err != nil {
		return err
	}
	o := saved
	c.readOrg(f, &o)
	expected, _ := strconv.Atoi(f.Value("version"))
	v := orgView{Form: f, Org: saved}
	v.Org.Version = expected // a refused form keeps the version it was opened at
	if f.Failed() {
		return c.render(http.StatusUnprocessableEntity, "company/org_form", "company.org.edit.title", v)
	}
	if _, err := s.cfg.Service.UpdateOrganisation(c.r.Context(), c.actor, o, expected); err != nil {
		if workflow.ErrorCode(err) == workflow.Conflict && expected != saved.Version {
			return c.conflict("", s.orgDiff(c, f, saved), "/org/edit")
		}
		if !f.Refused(err, nil) {
			return err
		}
		return c.render(f.Status(err), "company/org_form", "company.org.edit.title", v)
	}
	return c.flash("flash.org_saved", "/org")
}

// orgDiff lines up the saved profile with what was typed, field by field.
func (s *Site) orgDiff(c *ctx, typed *Form, saved workflow.Organisation) []ConflictRow {
	shown := c.orgForm(saved)
	var rows []ConflictRow
	for _, fl := range shown.Fields {
		theirs, yours := fl.Value, typed.Value(fl.Name)
		if fl.Type == "select" {
			theirs, yours = optionLabel(fl.Options, theirs), optionLabel(fl.Options, yours)
		}
		rows = append(rows, ConflictRow{Label: fl.Label, Theirs: theirs, Yours: yours})
	}
	return rows
}

func optionLabel(opts []Option, v string) string {
	if i := slices.IndexFunc(opts, func(o Option) bool { return o.Value == v }); i >= 0 && v != "" {
		return opts[i].Label
	}
	return v
}
