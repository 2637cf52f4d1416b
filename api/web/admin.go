package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// adminPages registers the administrators' pages: users and their grants,
// invitations, and the loaded cycles (read only; loading stays in the
// command line). Each asks the permission of the API's route for the same
// data; a ministry's secretariat holds some of them, and the services then
// keep it to its own ministry. The forms offer only the roles and domains
// the caller may manage (policy's answer), and a crafted post is still the
// service's to refuse.
func (s *Site) adminPages() {
	s.route("GET", "/admin/users", allow(policy.ListUsers), s.adminUsersPage)
	s.navigation("admin.nav", "/admin/users", allow(policy.ListUsers))
	s.route("GET", "/admin/users/{id}", allow(policy.ReadUser), s.adminUserPage)
	s.route("POST", "/admin/users/{id}/grants", allow(policy.GrantRole), s.adminGrantRole)
	s.route("GET", "/admin/users/{id}/grants/{grant}/revoke", allow(policy.RevokeRole), s.adminRevokePage)
	s.route("POST", "/admin/users/{id}/grants/{grant}/revoke", allow(policy.RevokeRole), s.adminRevokeGrant)
	s.route("GET", "/admin/invitations", allow(policy.Invite), s.adminInvitationPage)
	s.route("POST", "/admin/invitations", allow(policy.Invite), s.adminSendInvitation)
	s.route("GET", "/admin/cycles", allow(policy.ReadCycles), s.adminCyclesPage)
	s.route("GET", "/admin/cycles/{key}", allow(policy.ReadCycles), s.adminCyclePage)
}

// adminMenu is the administrators' own menu: the admin pages the caller may open.
type adminMenu struct {
	MenuLabel string
	Menu      []NavLink
}

func (c *ctx) adminMenu() adminMenu {
	m := adminMenu{MenuLabel: c.T("admin.menu.label")}
	for _, e := range []struct {
		key, href string
		perm      policy.Permission
	}{
		{"admin.menu.users", "/admin/users", policy.ListUsers},
		{"admin.menu.invitations", "/admin/invitations", policy.Invite},
		{"admin.menu.cycles", "/admin/cycles", policy.ReadCycles},
	} {
		if c.s.cfg.Authorizer.Admits(c.userID(), allow(e.perm)) {
			p := c.r.URL.Path
			m.Menu = append(m.Menu, NavLink{Label: c.T(e.key), Href: e.href, Current: p == e.href || strings.HasPrefix(p, e.href+"/")})
		}
	}
	return m
}

// adminDomain names a grant's domain in words: a ministry, or 全体.
func (c *ctx) adminDomain(d string) string {
	if d == workflow.AnyDomain {
		return c.T("admin.domain.all")
	}
	if m, ok := workflow.Ministries[d]; ok {
		return m.In(c.lang)
	}
	return d
}

// adminMinistries are the ministries in a stable order.
func adminMinistries() []string { return slices.Sorted(maps.Keys(workflow.Ministries)) }

// adminManageable are the roles and domains the caller may grant or invite
// (policy: role:manage_<role> in the domain); staff only unless
// applicants is set.
func (c *ctx) adminManageable(applicants bool) (roles, domains []Option) {
	for _, r := range workflow.Roles {
		if r.ForOrganisation() && !applicants {
			continue
		}
		for _, d := range append([]string{workflow.AnyDomain}, adminMinistries()...) {
			if !c.s.cfg.Authorizer.Permits(c.actor, workflow.PermManageRole(r), d, 0) {
				continue
			}
			if !slices.ContainsFunc(roles, func(o Option) bool { return o.Value == string(r) }) {
				roles = append(roles, Option{Value: string(r), Label: r.Label().In(c.lang)})
			}
			if !slices.ContainsFunc(domains, func(o Option) bool { return o.Value == d }) {
				domains = append(domains, Option{Value: d, Label: c.adminDomain(d)})
			}
		}
	}
	return roles, domains
}

// adminKeepTyped adds what was posted to a select's options when the form did
// not offer it, so a refused post comes back showing what was sent.
func adminKeepTyped(f *Field, label func(string) string) {
	if f.Value == "" || slices.ContainsFunc(f.Options, func(o Option) bool { return o.Value == f.Value }) {
		return
	}
	f.Options = append(f.Options, Option{Value: f.Value, Label: label(f.Value)})
}

func (c *ctx) adminRole(r string) string { return workflow.Role(r).Label().In(c.lang) }

// ---- users

type adminUsersView struct {
	adminMenu
	Form      *Form
	Users     []adminUserRow
	Total     int
	Filtered  bool
	Next      string // the next page's URL, "" on the last
	First     string // the first page's URL when this is a later one
	CanInvite bool
}

type adminUserRow struct {
	Name, Email, Href string
	Created           time.Time
}

func (c *ctx) adminUserFilter() *Form {
	f := c.form()
	f.Add(Field{Name: "q", Label: c.T("admin.users.q"), Help: c.T("admin.users.q.help"), Type: "text"})
	f.Add(Field{Name: "role", Label: c.T("admin.users.role"), Type: "select",
		Options: append([]Option{{Value: "", Label: c.T("admin.users.any")}}, c.adminRoleOptions()...)})
	f.Add(Field{Name: "domain", Label: c.T("admin.users.domain"), Type: "select", Options: c.adminOverseen()})
	return f
}

// adminOverseen are the users filter's domains: the ones the caller
// oversees (a secretariat its own ministry, an administrator every one).
func (c *ctx) adminOverseen() []Option {
	opts := []Option{{Value: "", Label: c.T("admin.users.any")}}
	for _, d := range append([]string{workflow.AnyDomain}, adminMinistries()...) {
		if c.s.cfg.Authorizer.Permits(c.actor, workflow.PermOversee, d, 0) {
			opts = append(opts, Option{Value: d, Label: c.adminDomain(d)})
		}
	}
	return opts
}

func (c *ctx) adminRoleOptions() []Option {
	out := make([]Option, len(workflow.Roles))
	for i, r := range workflow.Roles {
		out[i] = Option{Value: string(r), Label: r.Label().In(c.lang)}
	}
	return out
}

func (s *Site) adminUsersPage(c *ctx) error {
	q := c.r.URL.Query()
	f := c.adminUserFilter()
	for _, fl := range f.Fields {
		fl.Value = q.Get(fl.Name)
	}
	v := adminUsersView{adminMenu: c.adminMenu(), Form: f, Filtered: q.Get("q") != "" || q.Get("role") != "" || q.Get("domain") != "",
		CanInvite: s.cfg.Authorizer.Admits(c.userID(), allow(policy.Invite))}
	filter := workflow.UserFilter{Q: q.Get("q"), Roles: roleFilter(q.Get("role")), Domain: q.Get("domain"),
		Page: workflow.Page{Cursor: q.Get("cursor"), Total: true}}
	us, info, err := s.cfg.Service.Users(c.r.Context(), c.actor, filter)
	if err != nil {
		if !f.Refused(err, nil) {
			return err
		}
		return c.render(f.Status(err), "admin/users", "admin.users.title", v)
	}
	for _, u := range us {
		v.Users = append(v.Users, adminUserRow{Name: u.Name, Email: u.Email, Href: adminUserPath(u.ID, ""), Created: u.CreatedAt})
	}
	if info.Total != nil {
		v.Total = *info.Total
	}
	if info.NextCursor != "" {
		next := url.Values{"cursor": {info.NextCursor}}
		for _, k := range []string{"q", "role", "domain"} {
			if q.Get(k) != "" {
				next.Set(k, q.Get(k))
			}
		}
		v.Next = "/admin/users?" + next.Encode()
	}
	if q.Get("cursor") != "" {
		first := url.Values{}
		for _, k := range []string{"q", "role", "domain"} {
			if q.Get(k) != "" {
				first.Set(k, q.Get(k))
			}
		}
		v.First = "/admin/users?" + first.Encode()
	}
	return c.render(http.StatusOK, "admin/users", "admin.users.title", v)
}

func adminUserPath(id int64, suffix string) string {
	return "/admin/users/" + strconv.FormatInt(id, 10) + suffix
}

// ---- one user

type adminUserView struct {
	adminMenu
	User   workflow.User
	Lang   string
	Grants []adminGrant
	Form   *Form // granting a role; nil when the caller may grant none
	Action string
}

type adminGrant struct {
	ID                 int64
	Role, Domain       string
	GrantedAt          time.Time
	GrantedBy          string
	RevokedAt          time.Time
	RevokedBy          string
	Active, MayRevoke  bool
	RevokeHref, Pretty string
}

// adminID is a numeric path parameter, or NotFound in words.
func (c *ctx) adminID(name, ja, en string) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, workflow.Refuse(workflow.NotFound, ja, en, c.r.PathValue(name))
	}
	return id, nil
}

// adminLoadUser reads the user of the path as the service lets the caller see it.
func (s *Site) adminLoadUser(c *ctx) (workflow.UserView, error) {
	id, err := c.adminID("id", "ユーザー %s は見つかりません", "no such user %s")
	if err != nil {
		return workflow.UserView{}, err
	}
	return s.cfg.Service.User(c.r.Context(), c.actor, id)
}

func (c *ctx) adminGrantForm() *Form {
	roles, domains := c.adminManageable(false)
	if len(roles) == 0 || !c.s.cfg.Authorizer.Admits(c.userID(), allow(policy.GrantRole)) {
		return nil
	}
	f := c.form()
	choose := Option{Value: "", Label: c.T("admin.choose")}
	f.Add(Field{Name: "role", Label: c.T("admin.grant.role"), Type: "select", Required: true, Options: append([]Option{choose}, roles...)})
	f.Add(Field{Name: "domain", Label: c.T("admin.grant.domain"), Help: c.T("admin.grant.domain.help"), Type: "select", Required: true,
		Options: append([]Option{choose}, domains...)})
	return f
}

func (s *Site) adminUserModel(c *ctx, u workflow.UserView, f *Form) (adminUserView, error) {
	names := map[string]string{}
	v := adminUserView{adminMenu: c.adminMenu(), User: u.User, Lang: map[string]string{"ja": "日本語", "en": "English"}[u.User.Locale], Form: f,
		Action: adminUserPath(u.User.ID, "/grants")}
	mayRevoke := s.cfg.Authorizer.Admits(c.userID(), allow(policy.RevokeRole))
	for _, g := range slices.Backward(u.Grants) { // newest first
		gv := adminGrant{ID: g.ID, Role: g.Role.Label().In(c.lang), Domain: c.adminDomain(g.Domain), GrantedAt: g.GrantedAt,
			Active:     g.Active(),
			RevokeHref: adminUserPath(u.User.ID, "/grants/"+strconv.FormatInt(g.ID, 10)+"/revoke")}
		var err error
		if gv.GrantedBy, err = s.adminActor(c, g.GrantedBy, names); err != nil {
			return v, err
		}
		if g.RevokedAt != nil {
			gv.RevokedAt = *g.RevokedAt
			if gv.RevokedBy, err = s.adminActor(c, g.RevokedBy, names); err != nil {
				return v, err
			}
		}
		gv.MayRevoke = gv.Active && mayRevoke && s.cfg.Authorizer.Permits(c.actor, workflow.PermManageRole(g.Role), g.Domain, 0)
		gv.Pretty = c.T("admin.grant.pretty", gv.Role, gv.Domain)
		v.Grants = append(v.Grants, gv)
	}
	return v, nil
}

// adminUserRender shows the user's page with the grant form f.
func (s *Site) adminUserRender(c *ctx, status int, u workflow.UserView, f *Form) error {
	v, err := s.adminUserModel(c, u, f)
	if err != nil {
		return err
	}
	return c.renderPage(status, "admin/user", c.page(c.T("admin.user.title", u.User.Name), v))
}

// adminActor names who granted or loaded something: a user by name when
// the caller may see them, the command line as such, else the audit id.
func (s *Site) adminActor(c *ctx, id string, seen map[string]string) (string, error) {
	if n, ok := seen[id]; ok {
		return n, nil
	}
	n := id
	if rest, ok := strings.CutPrefix(id, "user:"); ok {
		if uid, err := strconv.ParseInt(rest, 10, 64); err == nil {
			v, err := s.cfg.Service.User(c.r.Context(), c.actor, uid)
			switch workflow.ErrorCode(err) {
			case "":
				n = v.User.Name
			case workflow.NotFound:
			default:
				return "", err
			}
		}
	} else if rest, ok := strings.CutPrefix(id, "cli:"); ok {
		n = c.T("admin.actor.cli") // the operating-system user, when known, is no one's name here
		if rest != "" && rest != "unknown" {
			n = c.T("admin.actor.cli_as", rest)
		}
	}
	seen[id] = n
	return n, nil
}

func (s *Site) adminUserPage(c *ctx) error {
	u, err := s.adminLoadUser(c)
	if err != nil {
		return err
	}
	f := c.adminGrantForm()
	if f != nil {
		q := c.r.URL.Query()
		f.Field("role").Value, f.Field("domain").Value = q.Get("role"), q.Get("domain")
	}
	return s.adminUserRender(c, http.StatusOK, u, f)
}

// adminGrantRole grants the role chosen; a refusal (another ministry, a role
// the caller may not give, a grant the user holds already) comes back on
// the form under its field, with nothing written.
func (s *Site) adminGrantRole(c *ctx) error {
	u, err := s.adminLoadUser(c)
	if err != nil {
		return err
	}
	f := c.adminGrantForm()
	if f == nil {
		return workflow.Refuse(workflow.Forbidden, "付与できる役割がありません", "there is no role you may grant")
	}
	if err := f.Read(); err != nil {
		return err
	}
	if c.adminChosen(f) {
		return s.adminUserRender(c, http.StatusUnprocessableEntity, u, f)
	}
	_, err = s.cfg.Service.GrantRole(c.r.Context(), c.actor, u.User.ID, workflow.Role(f.Value("role")), f.Value("domain"))
	if err == nil {
		return c.flash("flash.admin.granted", adminUserPath(u.User.ID, ""))
	}
	if !c.adminRefused(f, err, "domain") {
		return err
	}
	adminKeepTyped(f.Field("role"), c.adminRole)
	adminKeepTyped(f.Field("domain"), c.adminDomain)
	return s.adminUserRender(c, f.Status(err), u, f)
}

// adminChosen marks the role and domain selects left at 「選んでください」
// and reports whether either was.
func (c *ctx) adminChosen(f *Form) bool {
	failed := false
	for _, name := range []string{"role", "domain"} {
		if f.Value(name) == "" {
			f.Fail(name, c.T("admin.choose."+name))
			failed = true
		}
	}
	return failed
}

// adminRefused puts a service's refusal on the form: field problems
// under their fields, a refusal of the caller's right (Forbidden) or a
// conflict without problems under field. It reports false for errors
// that are not the caller's to correct.
func (c *ctx) adminRefused(f *Form, err error, field string) bool {
	var e *workflow.Error
	if !errors.As(err, &e) {
		return false
	}
	if (e.Code == workflow.Forbidden || e.Code == workflow.Conflict) && len(e.Problems) == 0 {
		f.Fail(field, e.MessageIn(c.lang))
		return true
	}
	return f.Refused(err, nil)
}

// ---- revoking

type adminRevokeView struct {
	adminMenu
	User   workflow.User
	Grant  adminGrant
	Form   *Form
	Action string
	Back   string
}

func (s *Site) adminRevokeTarget(c *ctx) (adminRevokeView, error) {
	u, err := s.adminLoadUser(c)
	if err != nil {
		return adminRevokeView{}, err
	}
	id, err := c.adminID("grant", "付与 %s は見つかりません", "no such grant %s")
	if err != nil {
		return adminRevokeView{}, err
	}
	uv, err := s.adminUserModel(c, u, nil)
	if err != nil {
		return adminRevokeView{}, err
	}
	i := slices.IndexFunc(uv.Grants, func(g adminGrant) bool { return g.ID == id })
	if i < 0 {
		return adminRevokeView{}, workflow.Refuse(workflow.NotFound, "付与 %d は見つかりません", "no such grant %d", id)
	}
	v := adminRevokeView{adminMenu: uv.adminMenu, User: u.User, Grant: uv.Grants[i], Form: c.form(), Back: adminUserPath(u.User.ID, ""),
		Action: uv.Grants[i].RevokeHref}
	if !v.Grant.Active {
		v.Form.Fail("", c.T("admin.revoke.already"))
	}
	return v, nil
}

func (s *Site) adminRevokePage(c *ctx) error {
	v, err := s.adminRevokeTarget(c)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "admin/revoke", "admin.revoke.title", v)
}

// adminRevokeGrant revokes once the confirmation page's button was pressed
// (confirm=yes); a post without it shows the confirmation page.
func (s *Site) adminRevokeGrant(c *ctx) error {
	v, err := s.adminRevokeTarget(c)
	if err != nil {
		return err
	}
	if err := v.Form.Read(); err != nil {
		return err
	}
	if v.Form.Value("confirm") != "yes" || v.Form.Failed() {
		return c.render(http.StatusOK, "admin/revoke", "admin.revoke.title", v)
	}
	_, err = s.cfg.Service.RevokeGrant(c.r.Context(), c.actor, v.Grant.ID)
	if err == nil {
		return c.flash("flash.admin.revoked", v.Back)
	}
	if !c.adminRefused(v.Form, err, "") {
		return err
	}
	return c.render(v.Form.Status(err), "admin/revoke", "admin.revoke.title", v)
}

// ---- invitations

type adminInvitationView struct {
	adminMenu
	Form *Form
	// After sending:
	Sent                *workflow.Invitation
	Role, Domain, Link  string
	Expires             time.Time
	LinkLang, LinkLabel string
}

func (c *ctx) adminInvitationForm() *Form {
	roles, domains := c.adminManageable(true)
	f := c.form()
	f.Add(Field{Name: "email", Label: c.T("admin.invite.email"), Type: "email", Required: true, Autocomplete: "off"})
	f.Add(Field{Name: "name", Label: c.T("admin.invite.name"), Type: "text", Required: true, Autocomplete: "off", MaxLength: 100})
	choose := Option{Value: "", Label: c.T("admin.choose")}
	f.Add(Field{Name: "role", Label: c.T("admin.invite.role"), Type: "select", Required: true, Options: append([]Option{choose}, roles...)})
	f.Add(Field{Name: "domain", Label: c.T("admin.invite.domain"), Help: c.T("admin.invite.domain.help"), Type: "select", Required: true,
		Options: append([]Option{choose}, domains...)})
	f.Add(Field{Name: "language", Label: c.T("admin.invite.language"), Help: c.T("admin.invite.language.help"), Type: "radio", Required: true, Value: "ja",
		Options: []Option{{Value: "ja", Label: "日本語"}, {Value: "en", Label: "English"}}})
	if slices.ContainsFunc(roles, func(o Option) bool { return workflow.Role(o.Value).ForOrganisation() }) {
		f.Add(Field{Name: "organisation_id", Label: c.T("admin.invite.organisation"), Help: c.T("admin.invite.organisation.help"),
			Type: "number", InputMode: "numeric"})
		if c.actor.OrganisationID != 0 { // an applicant contact invites colleagues of its own organisation
			f.Field("organisation_id").Value = strconv.FormatInt(c.actor.OrganisationID, 10)
		}
	}
	return f
}

func (s *Site) adminInvitationPage(c *ctx) error {
	f := c.adminInvitationForm()
	q := c.r.URL.Query()
	for _, name := range []string{"role", "domain"} { // the panel page's link: ?role=judge&domain=mic
		if v := q.Get(name); v != "" {
			f.Field(name).Value = v
		}
	}
	return c.render(http.StatusOK, "admin/invitations", "admin.invite.title", adminInvitationView{adminMenu: c.adminMenu(), Form: f})
}

// adminSendInvitation creates the invitation and shows its link once: only its
// hash is stored, so the page is the one chance to copy it. We send no
// email yet, and the page says so.
func (s *Site) adminSendInvitation(c *ctx) error {
	f := c.adminInvitationForm()
	if err := f.Read(); err != nil {
		return err
	}
	v := adminInvitationView{adminMenu: c.adminMenu(), Form: f}
	ni := workflow.NewInvitation{Email: f.Value("email"), Name: f.Value("name"), Role: workflow.Role(f.Value("role")), Domain: f.Value("domain")}
	c.adminChosen(f)
	lang := f.Value("language")
	if lang != "ja" && lang != "en" {
		f.Fail("language", c.T("admin.invite.language.missing"))
	}
	if org := strings.TrimSpace(width.Narrow.String(f.Value("organisation_id"))); org != "" {
		id, err := strconv.ParseInt(org, 10, 64)
		if err != nil || id <= 0 {
			f.Fail("organisation_id", c.T("admin.invite.organisation.bad"))
		}
		ni.OrganisationID = id
	}
	var (
		inv workflow.Invitation
		tok workflow.Token
		err error
	)
	if !f.Failed() {
		inv, tok, err = s.cfg.Service.Invite(c.r.Context(), c.actor, ni)
	}
	if f.Failed() || err != nil {
		if err != nil && !c.adminRefused(f, err, adminInvitationField(err)) {
			return err
		}
		adminKeepTyped(f.Field("role"), c.adminRole)
		adminKeepTyped(f.Field("domain"), c.adminDomain)
		status := http.StatusUnprocessableEntity
		if err != nil {
			status = f.Status(err)
		}
		return c.render(status, "admin/invitations", "admin.invite.title", v)
	}
	scheme := "http"
	if s.cfg.Secure {
		scheme = "https"
	}
	v.Sent, v.Expires = &inv, tok.ExpiresAt
	v.Role, v.Domain = c.adminRole(string(inv.Role)), c.adminDomain(inv.Domain)
	v.Link = scheme + "://" + c.r.Host + "/invite/" + url.PathEscape(tok.Value) + "?" + url.Values{"lang": {lang}}.Encode()
	v.LinkLang = map[string]string{"ja": "日本語", "en": "English"}[lang]
	return c.render(http.StatusCreated, "admin/invited", "admin.invited.title", v)
}

// adminInvitationField is the field a refusal without problems belongs under:
// the email for one that has an account, the organisation for an unknown
// one, the domain for a role the caller may not give there.
func adminInvitationField(err error) string {
	switch workflow.ErrorCode(err) {
	case workflow.Conflict:
		return "email"
	case workflow.NotFound:
		return "organisation_id"
	}
	return "domain"
}

// ---- cycles

type adminCyclesView struct {
	adminMenu
	Cycles []adminCycleRow
}

type adminCycleRow struct {
	Key, Title, FiscalYear, Hash, Href string
	Version, Programmes                int
	Loaded                             time.Time
}

func (s *Site) adminCyclesPage(c *ctx) error {
	ctx := c.r.Context()
	keys, err := s.cfg.Service.CycleKeys(ctx)
	if err != nil {
		return err
	}
	v := adminCyclesView{adminMenu: c.adminMenu()}
	for _, k := range keys {
		cv, err := s.cfg.Service.Cycle(ctx, k)
		if err != nil {
			return err
		}
		v.Cycles = append(v.Cycles, adminCycleRow{Key: k, Title: cv.Cycle.Title.In(c.lang), FiscalYear: c.adminFiscalYear(cv.Cycle.FiscalYear),
			Hash: adminShortHash(cv.Hash), Href: "/admin/cycles/" + url.PathEscape(k), Version: cv.Version,
			Programmes: len(cv.Cycle.Programmes), Loaded: cv.LoadedAt})
	}
	return c.render(http.StatusOK, "admin/cycles", "admin.cycles.title", v)
}

func adminShortHash(h string) string { return h[:min(len(h), 12)] }

// adminFiscalYear is 令和8年度（2026年度）, or FY2026.
func (c *ctx) adminFiscalYear(fy int) string {
	if c.lang == "ja" && fy >= 2019 {
		return fmt.Sprintf("令和%d年度（%d年度）", fy-2018, fy)
	}
	if c.lang == "ja" {
		return fmt.Sprintf("%d年度", fy)
	}
	return fmt.Sprintf("FY%d", fy)
}

type adminCycleView struct {
	adminMenu
	Version    workflow.CycleVersion
	LoadedBy   string
	Title      string
	FiscalYear string
	Programmes []adminProgramme
}

type adminProgramme struct {
	Key, Title, Ministry string
	Call                 workflow.Window
	Questions, Required  int
	Tiers, Awards        []string
	Stages               []adminStage
	Rules                int
}

type adminStage struct {
	Key, Title, Grants string
	Awards             []string
	Judging            *workflow.Judging
	Visibility         string
	Criteria           []adminCriterion
}

type adminCriterion struct {
	Label, Guidance, Weight, Range string
	Required                       bool
}

func (s *Site) adminCyclePage(c *ctx) error {
	cv, err := s.cfg.Service.Cycle(c.r.Context(), c.r.PathValue("key"))
	if err != nil {
		return err
	}
	v := adminCycleView{adminMenu: c.adminMenu(), Version: cv, Title: cv.Cycle.Title.In(c.lang), FiscalYear: c.adminFiscalYear(cv.Cycle.FiscalYear)}
	if v.LoadedBy, err = s.adminActor(c, cv.LoadedBy, map[string]string{}); err != nil {
		return err
	}
	for _, p := range cv.Cycle.Programmes {
		pv := adminProgramme{Key: p.Key, Title: p.Title.In(c.lang), Ministry: c.adminDomain(p.Ministry), Call: p.Call,
			Questions: len(p.Form.Fields), Rules: len(p.Eligibility), Tiers: adminTierTitles(c, p.Tiers), Awards: adminTierTitles(c, p.Awards)}
		for _, fl := range p.Form.Fields {
			if fl.Required {
				pv.Required++
			}
		}
		for _, st := range p.Stages {
			sv := adminStage{Key: st.Key, Title: st.Title.In(c.lang), Judging: st.Judging}
			for _, t := range append(slices.Clone(p.Tiers), p.Awards...) {
				if t.Key == st.Grants {
					sv.Grants = t.Title.In(c.lang)
				}
				if slices.Contains(st.Awards, t.Key) {
					sv.Awards = append(sv.Awards, t.Title.In(c.lang))
				}
			}
			if j := st.Judging; j != nil {
				sv.Visibility = c.T("admin.cycle.visibility." + string(j.ScoreVisibility))
				for _, cr := range j.Rubric {
					sv.Criteria = append(sv.Criteria, adminCriterion{Label: cr.Label.In(c.lang), Guidance: cr.Guidance.In(c.lang),
						Weight: adminNumber(cr.Weight), Range: c.T("admin.cycle.range", adminNumber(cr.Min), adminNumber(cr.Max), adminNumber(cr.Step)), Required: cr.Required})
				}
			}
			pv.Stages = append(pv.Stages, sv)
		}
		v.Programmes = append(v.Programmes, pv)
	}
	return c.renderPage(http.StatusOK, "admin/cycle", c.page(c.T("admin.cycle.title", v.Title), v))
}

func adminTierTitles(c *ctx, ts []workflow.Tier) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Title.In(c.lang)
	}
	return out
}

// adminNumber writes a rubric figure without trailing zeros: 1, 0.5, 2.25.
func adminNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// roleFilter is the list's ?role= as the user filter takes it.
func roleFilter(role string) []workflow.Role {
	if role == "" {
		return nil
	}
	return []workflow.Role{workflow.Role(role)}
}
