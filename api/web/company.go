package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// companyPages registers the company clerk's pages: home, organisation profile.
// The /org pages are about the organisation the signed-in applicant acts
// for; the rules are the API's organisation permissions, and the service
// decides whose organisation may be read or changed.
func (s *Site) companyPages() {
	s.route("GET", "/me", signedIn, s.me)
	s.navigation("company.nav.home", "/me", signedIn)
	s.route("GET", "/org/new", allow(policy.CreateOrganisation), s.newOrgPage)
	s.route("POST", "/org/new", allow(policy.CreateOrganisation), s.createOrg)
	s.route("GET", "/org", allow(policy.ReadOrganisation), s.orgPage)
	s.route("GET", "/org/edit", allow(policy.UpdateOrganisation), s.editOrgPage)
	s.route("POST", "/org/edit", allow(policy.UpdateOrganisation), s.updateOrg)
}

// meView is /me: an applicant's organisation, nominations, correction
// requests and open calls; for staff and judges their roles.
type meView struct {
	Applicant   bool
	Org         *workflow.Organisation // nil: the applicant has none yet
	Nominations []meNomination
	Corrections []meNomination // returned for correction
	Open        []openCall
	Roles       []roleLine
	Work        []NavLink // the staff's work pages the roles admit
}

// meNomination is a nomination as its applicant sees it (under_review
// before release, never a staff state).
type meNomination struct {
	ID         int64
	Programme  workflow.Text
	Ministry   workflow.Text
	State      workflow.Text
	StateCode  workflow.State
	Deadline   time.Time // the call's must-arrive deadline in force; zero if unknown
	Editable   bool
	Reason     string
	Due        time.Time
	Overdue    bool
	Submitted  time.Time
	EditHref   string
	DetailHref string
}

// openCall is a programme whose call is open: Href starts a nomination,
// or, when the organisation has a live one there, Mine opens it (to go on
// with a draft, or to see one submitted).
type openCall struct {
	Title, Ministry workflow.Text
	Closes          time.Time
	Href            string
	Mine            *meNomination
}

// roleLine is one grant in plain words.
type roleLine struct {
	Role, Domain string
}

func (s *Site) me(c *ctx) error {
	ctx := c.r.Context()
	v := meView{Applicant: c.actor.Has(workflow.RoleApplicant, workflow.AnyDomain), Work: c.workLinks()}
	for _, g := range c.actor.Grants {
		if g.Role == workflow.RoleApplicant {
			continue
		}
		d := c.T("company.home.all_ministries")
		if m, ok := workflow.Ministries[g.Domain]; ok {
			d = m.In(c.lang)
		}
		v.Roles = append(v.Roles, roleLine{Role: g.Role.Label().In(c.lang), Domain: d})
	}
	if !v.Applicant || c.actor.OrganisationID == 0 {
		return c.render(http.StatusOK, "company/home", "company.home.title", v)
	}
	o, err := s.cfg.Service.Organisation(ctx, c.actor, c.actor.OrganisationID)
	if err != nil {
		return err
	}
	v.Org = &o
	items, _, err := s.cfg.Service.Nominations(ctx, c.actor, workflow.NominationFilter{Page: workflow.Page{Limit: workflow.MaxLimit}})
	if err != nil {
		return err
	}
	keys, err := s.cfg.Service.CycleKeys(ctx)
	if err != nil {
		return err
	}
	cycles := map[string]workflow.Cycle{} // newest version, windows in force
	for _, k := range keys {
		cv, err := s.cfg.Service.Cycle(ctx, k)
		if err != nil {
			return err
		}
		cycles[k] = cv.Cycle
	}
	now := s.cfg.Now()
	live := map[string]int{} // cycle/programme → index in v.Nominations of one not withdrawn
	for _, it := range items {
		n := it.Nomination
		h := meNomination{ID: n.ID, Programme: workflow.Text{Ja: n.ProgrammeKey, En: n.ProgrammeKey}, State: n.State.Label(), StateCode: n.State,
			Editable: n.Editable(), Reason: n.ReturnReason, DetailHref: "/nominations/" + strconv.FormatInt(n.ID, 10)}
		if cy, ok := cycles[n.CycleKey]; ok {
			if p, ok := cy.Programme(n.ProgrammeKey); ok {
				h.Programme, h.Ministry, h.Deadline = p.Title, workflow.Ministries[p.Ministry], workflow.CallWindow(p).Closes
			}
		}
		if h.Editable {
			h.EditHref = h.DetailHref + "/edit?step=1"
		}
		if n.ReturnDue != nil {
			h.Due, h.Overdue = *n.ReturnDue, !now.Before(*n.ReturnDue)
		}
		if n.SubmittedAt != nil {
			h.Submitted = *n.SubmittedAt
		}
		if n.State == workflow.Returned { // the list leaves the reason out; the nomination has it
			nv, err := s.cfg.Service.Nomination(ctx, c.actor, n.ID)
			if err != nil {
				return err
			}
			h.Reason = nv.Nomination.ReturnReason
		}
		if n.State != workflow.Withdrawn {
			live[n.CycleKey+"/"+n.ProgrammeKey] = len(v.Nominations)
		}
		v.Nominations = append(v.Nominations, h)
		if n.State == workflow.Returned {
			v.Corrections = append(v.Corrections, h)
		}
	}
	for _, k := range keys {
		cy := cycles[k]
		for i := range cy.Programmes {
			p := &cy.Programmes[i]
			if !workflow.CallOpen(p, now) {
				continue
			}
			call := openCall{Title: p.Title, Ministry: workflow.Ministries[p.Ministry], Closes: workflow.CallWindow(p).Closes,
				Href: "/nominations/new?programme=" + p.Key}
			if i, ok := live[k+"/"+p.Key]; ok {
				call.Mine = &v.Nominations[i]
			}
			v.Open = append(v.Open, call)
		}
	}
	return c.render(http.StatusOK, "company/home", "company.home.title", v)
}

// orgFields are the organisation form's field names, which are also the
// domain's problem paths.
var orgFields = []string{"name", "name_kana", "legal_form", "corporate_number", "prefecture", "municipality",
	"industry", "sme_sector", "total_headcount", "regular_headcount", "capital"}

// orgField maps a domain problem path to its field ("" for the summary only).
func orgField(path string) string {
	path = strings.TrimPrefix(path, "organisation.")
	for _, f := range orgFields {
		if f == path {
			return f
		}
	}
	return ""
}

// smeSectors are the SME Act's sectors in the order the select shows them.
var smeSectors = []workflow.SMESector{workflow.SectorManufacturing, workflow.SectorWholesale, workflow.SectorRetail, workflow.SectorServices}

func (c *ctx) orgForm() *Form {
	f := c.form()
	choose := Option{Value: "", Label: c.T("company.org.choose")}
	f.Add(Field{Name: "name", Label: c.T("company.org.name"), Help: c.T("company.org.name.help"), Type: "text", Required: true,
		Autocomplete: "organization", MaxLength: 200})
	f.Add(Field{Name: "name_kana", Label: c.T("company.org.name_kana"), Help: c.T("company.org.name_kana.help"), Type: "text", Required: true, MaxLength: 400})
	legal := []Option{choose}
	for _, l := range workflow.LegalForms {
		legal = append(legal, Option{Value: string(l.Form), Label: l.Name.In(c.lang)})
	}
	f.Add(Field{Name: "legal_form", Label: c.T("company.org.legal_form"), Type: "select", Required: true, Options: legal})
	f.Add(Field{Name: "corporate_number", Label: c.T("company.org.corporate_number"), Help: c.T("company.org.corporate_number.help"),
		Type: "text", InputMode: "numeric", Autocomplete: "off"})
	prefs := []Option{choose}
	for _, p := range workflow.Prefectures { // JIS X 0401 order, 01–47
		prefs = append(prefs, Option{Value: p.Code, Label: p.Name.In(c.lang)})
	}
	f.Add(Field{Name: "prefecture", Label: c.T("company.org.prefecture"), Help: c.T("company.org.prefecture.help"), Type: "select", Required: true, Options: prefs})
	f.Add(Field{Name: "municipality", Label: c.T("company.org.municipality"), Help: c.T("company.org.municipality.help"), Type: "text", Required: true,
		Autocomplete: "address-level2", MaxLength: 100})
	inds := []Option{choose}
	for _, in := range workflow.Industries {
		inds = append(inds, Option{Value: in.Code, Label: in.Code + " " + in.Name.In(c.lang)})
	}
	f.Add(Field{Name: "industry", Label: c.T("company.org.industry"), Help: c.T("company.org.industry.help"), Type: "select", Required: true, Options: inds})
	secs := []Option{{Value: "", Label: c.T("company.sector.none")}}
	for _, sc := range smeSectors {
		secs = append(secs, Option{Value: string(sc), Label: c.T("company.sector." + string(sc))})
	}
	f.Add(Field{Name: "sme_sector", Label: c.T("company.org.sme_sector"), Help: c.T("company.org.sme_sector.help"), Type: "select", Options: secs})
	f.Add(Field{Name: "total_headcount", Label: c.T("company.org.total_headcount"), Help: c.T("company.org.total_headcount.help"),
		Type: "number", InputMode: "numeric", Required: true})
	f.Add(Field{Name: "regular_headcount", Label: c.T("company.org.regular_headcount"), Help: c.T("company.org.regular_headcount.help"),
		Type: "number", InputMode: "numeric", Required: true})
	f.Add(Field{Name: "capital", Label: c.T("company.org.capital"), Help: c.T("company.org.capital.help"), Type: "number", InputMode: "numeric"})
	return f
}

// fillOrgForm shows a stored organisation in the form.
func fillOrgForm(f *Form, o workflow.Organisation) {
	vals := map[string]string{"name": o.Name, "name_kana": o.NameKana, "legal_form": string(o.LegalForm), "corporate_number": o.CorporateNumber,
		"prefecture": o.Prefecture, "municipality": o.Municipality, "industry": o.Industry, "sme_sector": string(o.SMESector),
		"total_headcount": strconv.Itoa(o.TotalHeadcount), "regular_headcount": strconv.Itoa(o.RegularHeadcount)}
	if o.Capital != nil {
		vals["capital"] = strconv.FormatInt(*o.Capital, 10)
	}
	for k, v := range vals {
		f.Field(k).Value = v
	}
}

// number reads a whole number as a clerk types it: full-width digits,
// thousands separators and spaces accepted. ok is false when it is not one.
func number(s string) (n int64, ok bool) {
	s = strings.Map(func(r rune) rune {
		if r == ',' || r == ' ' {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// readOrg builds the organisation typed into f. The selects and numbers
// the domain cannot read (nothing chosen, not a number) fail here, in the
// page's words; the domain judges everything else.
func (c *ctx) readOrg(f *Form) (workflow.Organisation, map[string]string) {
	o := workflow.Organisation{Name: f.Value("name"), NameKana: f.Value("name_kana"), LegalForm: workflow.LegalForm(f.Value("legal_form")),
		CorporateNumber: f.Value("corporate_number"), Prefecture: f.Value("prefecture"), Municipality: f.Value("municipality"),
		Industry: f.Value("industry"), SMESector: workflow.SMESector(f.Value("sme_sector"))}
	local := map[string]string{}
	for _, name := range []string{"legal_form", "prefecture", "industry"} {
		if f.Value(name) == "" {
			local[name] = c.T("company.org.not_chosen")
		}
	}
	for _, h := range []struct {
		name string
		dst  *int
	}{{"total_headcount", &o.TotalHeadcount}, {"regular_headcount", &o.RegularHeadcount}} {
		raw := strings.TrimSpace(f.Value(h.name))
		n, ok := number(raw)
		switch {
		case raw == "":
			local[h.name] = c.T("company.org.count.missing")
		case !ok || n > 10_000_000 || n < -10_000_000:
			local[h.name] = c.T("company.org.count.bad")
		default:
			*h.dst = int(n)
		}
	}
	if raw := strings.TrimSpace(f.Value("capital")); raw != "" {
		if n, ok := number(raw); ok {
			o.Capital = &n
		} else {
			local["capital"] = c.T("company.org.capital.bad")
		}
	}
	return o, local
}

// failOrg shows the page's own problems and the domain's other problems
// with o, each under its field and in the summary.
func (c *ctx) failOrg(f *Form, o workflow.Organisation, local map[string]string) {
	for _, name := range orgFields {
		if m, ok := local[name]; ok {
			f.Fail(name, m)
		}
	}
	for _, p := range o.Normalise().Validate() {
		name := orgField(p.Path)
		_, failed := local[name]
		if _, noTotal := local["total_headcount"]; name == "regular_headcount" && noTotal {
			failed = true // compared with a total the page could not read
		}
		if !failed {
			f.Fail(name, p.Message.In(c.lang))
		}
	}
}

// takenNumber is the refusal of a corporate number another organisation
// holds, shown under 法人番号; "" when err is not that refusal.
func (c *ctx) takenNumber(err error, o workflow.Organisation) string {
	var e *workflow.Error
	n := o.Normalise().CorporateNumber
	if n != "" && errors.As(err, &e) && e.Code == workflow.Conflict && e.Ja == workflow.CorporateNumberTaken(n).Ja {
		return e.MessageIn(c.lang)
	}
	return ""
}

type orgFormView struct {
	Form    *Form
	Action  string
	Submit  string
	ID      int64
	Version int
	Back    string
}

// applicantOnly is the page for staff and judges on the organisation
// pages, which are for the clerk of an applying organisation.
func (s *Site) applicantOnly(c *ctx) (bool, error) {
	if c.actor.Has(workflow.RoleApplicant, workflow.AnyDomain) {
		return false, nil
	}
	if c.r.Method == http.MethodPost {
		return true, workflow.Refuse(workflow.Forbidden, "団体情報の登録・変更の画面は、応募する企業・団体の担当者が使います",
			"the organisation pages are for the clerk of an applying organisation")
	}
	return true, c.render(http.StatusOK, "company/not_applicant", "company.org.title", nil)
}

func (s *Site) newOrgPage(c *ctx) error {
	if done, err := s.applicantOnly(c); done {
		return err
	}
	if c.actor.OrganisationID != 0 {
		return c.redirect("/org")
	}
	return c.render(http.StatusOK, "company/org_form", "company.org.new.title",
		orgFormView{Form: c.orgForm(), Action: "/org/new", Submit: c.T("company.org.new.submit"), Back: "/me"})
}

func (s *Site) createOrg(c *ctx) error {
	if done, err := s.applicantOnly(c); done {
		return err
	}
	if c.actor.OrganisationID != 0 {
		return c.redirect("/org")
	}
	f := c.orgForm()
	if err := f.Read(); err != nil {
		return err
	}
	v := orgFormView{Form: f, Action: "/org/new", Submit: c.T("company.org.new.submit"), Back: "/me"}
	o, local := c.readOrg(f)
	if len(local) > 0 {
		c.failOrg(f, o, local)
		return c.render(http.StatusUnprocessableEntity, "company/org_form", "company.org.new.title", v)
	}
	if _, err := s.cfg.Service.CreateOrganisation(c.r.Context(), c.actor, o); err != nil {
		if m := c.takenNumber(err, o); m != "" {
			f.Fail("corporate_number", m)
		} else if !f.Refused(err, orgField) {
			return err
		}
		return c.render(f.Status(err), "company/org_form", "company.org.new.title", v)
	}
	// The service bound the clerk to the organisation, as POST
	// /api/v1/organisations does; the session's actor now acts for it.
	if _, a, err := s.cfg.Authorizer.Actor(c.r.Context(), s.cfg.Service, c.token); err == nil {
		c.actor = a
	} else {
		return err
	}
	return c.flash("flash.company.org_created", "/me")
}

// ownOrg is the organisation the applicant acts for; an applicant with
// none is sent to create it (done).
func (s *Site) ownOrg(c *ctx) (o workflow.Organisation, done bool, err error) {
	if done, err := s.applicantOnly(c); done {
		return o, true, err
	}
	if c.actor.OrganisationID == 0 {
		return o, true, c.redirect("/org/new")
	}
	o, err = s.cfg.Service.Organisation(c.r.Context(), c.actor, c.actor.OrganisationID)
	return o, err != nil, err
}

// orgFact is one line of the profile.
type orgFact struct {
	Label, Value string
}

// orgFacts shows an organisation in plain words, one line per field
// (the profile and the conflict page).
func (c *ctx) orgFacts(o workflow.Organisation) []orgFact {
	none := c.T("company.org.none")
	legal := string(o.LegalForm)
	for _, l := range workflow.LegalForms {
		if l.Form == o.LegalForm {
			legal = l.Name.In(c.lang)
		}
	}
	pref := o.Prefecture
	if p, ok := workflow.PrefectureByCode(o.Prefecture); ok {
		pref = p.Name.In(c.lang)
	}
	ind := o.Industry
	if in, ok := workflow.IndustryByCode(o.Industry); ok {
		ind = in.Code + " " + in.Name.In(c.lang)
	}
	sector := c.T("company.sector.none")
	if o.SMESector != "" {
		sector = c.T("company.sector." + string(o.SMESector))
	}
	corp, capital := none, none
	if o.CorporateNumber != "" {
		corp = o.CorporateNumber
	}
	if o.Capital != nil {
		capital = c.T("company.org.yen", grouped(*o.Capital))
	}
	return []orgFact{
		{c.T("company.org.name"), o.Name},
		{c.T("company.org.name_kana"), o.NameKana},
		{c.T("company.org.legal_form"), legal},
		{c.T("company.org.corporate_number"), corp},
		{c.T("company.org.prefecture"), pref},
		{c.T("company.org.municipality"), o.Municipality},
		{c.T("company.org.industry"), ind},
		{c.T("company.org.sme_sector"), sector},
		{c.T("company.org.total_headcount"), c.T("company.org.people", grouped(int64(o.TotalHeadcount)))},
		{c.T("company.org.regular_headcount"), c.T("company.org.people", grouped(int64(o.RegularHeadcount)))},
		{c.T("company.org.capital"), capital},
	}
}

// grouped writes n with thousands separators: 80,000,000.
func grouped(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// sizeWords is the organisation's size class under the SME Act.
func (c *ctx) sizeWords(o workflow.Organisation) string {
	z := o.Size()
	switch {
	case z.Small:
		return c.T("company.size.small")
	case z.SME:
		return c.T("company.size.sme")
	}
	for _, l := range workflow.LegalForms {
		if l.Form == o.LegalForm && !l.Company {
			return c.T("company.size.not_company")
		}
	}
	return c.T("company.size.large")
}

type orgView struct {
	Org   workflow.Organisation
	Facts []orgFact
	Size  string
}

func (s *Site) orgPage(c *ctx) error {
	o, done, err := s.ownOrg(c)
	if done {
		return err
	}
	return c.render(http.StatusOK, "company/org", "company.org.title", orgView{Org: o, Facts: c.orgFacts(o), Size: c.sizeWords(o)})
}

func (s *Site) editOrgPage(c *ctx) error {
	o, done, err := s.ownOrg(c)
	if done {
		return err
	}
	f := c.orgForm()
	fillOrgForm(f, o)
	return c.render(http.StatusOK, "company/org_form", "company.org.edit.title",
		orgFormView{Form: f, Action: "/org/edit", Submit: c.T("company.org.edit.submit"), ID: o.ID, Version: o.Version, Back: "/org"})
}

func (s *Site) updateOrg(c *ctx) error {
	if done, err := s.applicantOnly(c); done {
		return err
	}
	f := c.orgForm()
	if err := f.Read(); err != nil {
		return err
	}
	// The form names the organisation it was opened for and the version
	// seen; the service refuses another's (NotFound) and a stale version.
	id, err1 := strconv.ParseInt(f.Value("id"), 10, 64)
	version, err2 := strconv.Atoi(f.Value("version"))
	if err1 != nil || err2 != nil {
		return workflow.Refuse(workflow.Invalid, "フォームの内容を読み取れませんでした。団体情報の変更画面を開き直してください",
			"the form could not be read; open the organisation's edit page again")
	}
	ctx := c.r.Context()
	if _, err := s.cfg.Service.Organisation(ctx, c.actor, id); err != nil {
		return err
	}
	v := orgFormView{Form: f, Action: "/org/edit", Submit: c.T("company.org.edit.submit"), ID: id, Version: version, Back: "/org"}
	o, local := c.readOrg(f)
	o.ID = id
	if len(local) > 0 {
		c.failOrg(f, o, local)
		return c.render(http.StatusUnprocessableEntity, "company/org_form", "company.org.edit.title", v)
	}
	_, err := s.cfg.Service.UpdateOrganisation(ctx, c.actor, o, version)
	switch {
	case err == nil:
		return c.flash("flash.company.org_saved", "/org")
	case c.takenNumber(err, o) != "":
		f.Fail("corporate_number", c.takenNumber(err, o))
		return c.render(f.Status(err), "company/org_form", "company.org.edit.title", v)
	case workflow.ErrorCode(err) == workflow.Conflict:
		saved, rerr := s.cfg.Service.Organisation(ctx, c.actor, id)
		if rerr != nil {
			return rerr
		}
		theirs, yours := c.orgFacts(saved), c.orgFacts(o.Normalise())
		rows := make([]ConflictRow, len(theirs))
		for i := range theirs {
			rows[i] = ConflictRow{Label: theirs[i].Label, Theirs: theirs[i].Value, Yours: yours[i].Value}
		}
		return c.conflict("", rows, "/org/edit")
	case f.Refused(err, orgField):
		return c.render(f.Status(err), "company/org_form", "company.org.edit.title", v)
	}
	return err
}
