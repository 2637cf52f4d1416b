package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// names are a board's panel members and entries as pages show them.
type names struct {
	users   map[int64]string
	entries map[int64]string
	c       *ctx
}

func (c *ctx) names(b workflow.StageBoard) names {
	n := names{users: map[int64]string{}, entries: map[int64]string{}, c: c}
	for _, m := range b.Panel {
		n.users[m.UserID] = m.Name
	}
	for _, e := range b.Entries {
		n.entries[e.Nomination.ID] = entryLabel(c, e.Nomination)
	}
	return n
}

func (n names) user(id int64) string {
	if s, ok := n.users[id]; ok {
		return s
	}
	return n.c.T("stage.user_n", id)
}

func (n names) entry(id int64) string {
	if s, ok := n.entries[id]; ok {
		return s
	}
	return n.c.T("stage.entry_n", workflow.EntryCode(id))
}

// entryLabel is an entry as "E00012 株式会社…": the code judges know it by.
func entryLabel(c *ctx, nm workflow.Nomination) string {
	name := ""
	if nm.Snapshot != nil {
		name = nm.Snapshot.Name
	}
	return c.T("stage.entry", workflow.EntryCode(nm.ID), name)
}

// pathID reads a positive id from the path; anything else is NotFound.
func pathID(c *ctx, name string) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, workflow.Refuse(workflow.NotFound, "%s は見つかりません", "no such %s", c.r.PathValue(name))
	}
	return id, nil
}

// ---- panel ----

type memberRow struct {
	workflow.PanelMember
	Chair  bool
	Load   int
	Remove string // the removal's action, when the caller may
}

type panelView struct {
	Head      stageHead
	Members   []memberRow
	Load      workflow.LoadLimits
	Form      *Form // adding a member; nil when the caller may not
	NoneToAdd bool
	Invite    string
	AddAt     string
}

func (s *Site) panelView(c *ctx, f *Form) (panelView, error) {
	ref := c.stageRef()
	panel, err := s.cfg.Service.Panel(c.r.Context(), c.actor, ref)
	if err != nil {
		return panelView{}, err
	}
	b, err := s.board(c)
	if err != nil {
		return panelView{}, err
	}
	load := map[int64]int{}
	for _, e := range b.Entries {
		for _, j := range e.Judges {
			load[j]++
		}
	}
	manage := c.may(policy.ManagePanel)
	v := panelView{Head: c.head(b, "/panel"), Load: b.Judging.Load, AddAt: stagePath(ref, "/panel")}
	on := map[int64]bool{}
	for _, m := range panel {
		r := memberRow{PanelMember: m, Chair: m.Role.ChairsPanel(), Load: load[m.UserID]}
		if manage {
			r.Remove = stagePath(ref, "/panel/"+strconv.FormatInt(m.UserID, 10)+"/remove")
		}
		on[m.UserID] = true
		v.Members = append(v.Members, r)
	}
	if !manage {
		return v, nil
	}
	if c.may(policy.Invite) {
		v.Invite = "/admin/invitations"
	}
	users, _, err := s.cfg.Service.Users(c.r.Context(), c.actor, workflow.UserFilter{
		Roles: []workflow.Role{workflow.RoleJudge, workflow.RoleChair}, Domain: b.Ministry, Page: workflow.Page{Limit: workflow.MaxLimit}})
	if err != nil {
		return v, err
	}
	opts := []Option{{Value: "", Label: c.T("stage.panel.choose")}}
	for _, u := range users {
		if !on[u.ID] {
			opts = append(opts, Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name + "（" + u.Email + "）"})
		}
	}
	v.NoneToAdd = len(opts) == 1
	if f == nil {
		f = c.form()
		f.Add(Field{Name: "user", Type: "select", Label: c.T("stage.panel.user"), Help: c.T("stage.panel.user.help"), Required: true, Options: opts})
		f.Add(Field{Name: "role", Type: "radio", Label: c.T("stage.panel.role"), Required: true, Value: string(workflow.RoleJudge), Options: []Option{
			{Value: string(workflow.RoleJudge), Label: c.T("stage.role.judge")}, {Value: string(workflow.RoleChair), Label: c.T("stage.role.chair")}}})
	}
	v.Form = f
	return v, nil
}

func (s *Site) panelPage(c *ctx) error {
	v, err := s.panelView(c, nil)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "stage/panel", "stage.panel.title", v)
}

func (s *Site) addPanelMember(c *ctx) error {
	v, err := s.panelView(c, nil)
	if err != nil {
		return err
	}
	f := v.Form
	if err := f.Read(); err != nil {
		return err
	}
	id, _ := strconv.ParseInt(f.Value("user"), 10, 64)
	role := workflow.Role(f.Value("role"))
	status := http.StatusUnprocessableEntity
	switch {
	case id <= 0:
		f.Fail("user", c.T("stage.panel.user.missing"))
	case !role.SitsOnPanel():
		f.Fail("role", c.T("stage.panel.role.missing"))
	default:
		_, err := s.cfg.Service.SetPanelMember(c.r.Context(), c.actor, c.stageRef(), workflow.PanelMember{UserID: id, Role: role})
		if err == nil {
			return c.flash("flash.stage.member_added", stagePath(c.stageRef(), "/panel"))
		}
		if workflow.ErrorCode(err) == workflow.NotFound { // a user id the secretariat may not see
			f.Fail("user", c.T("stage.panel.user.missing"))
		} else if !f.Refused(err, nil) {
			return err
		} else {
			status = f.Status(err)
		}
	}
	return c.render(status, "stage/panel", "stage.panel.title", v)
}

func (s *Site) removePanelMember(c *ctx) error {
	id, err := pathID(c, "user")
	if err != nil {
		return err
	}
	if err := s.cfg.Service.RemovePanelMember(c.r.Context(), c.actor, c.stageRef(), id); err != nil {
		return err
	}
	return c.flash("flash.stage.member_removed", stagePath(c.stageRef(), "/panel"))
}

// ---- conflicts ----

type conflictRow struct {
	Entry, Judge, Source, Reason string
}

type conflictsView struct {
	Head stageHead
	Rows []conflictRow
}

func (s *Site) conflictsPage(c *ctx) error {
	cs, err := s.cfg.Service.Conflicts(c.r.Context(), c.actor, c.stageRef())
	if err != nil {
		return err
	}
	b, err := s.board(c)
	if err != nil {
		return err
	}
	n := c.names(b)
	v := conflictsView{Head: c.head(b, "/conflicts")}
	for _, cf := range cs {
		v.Rows = append(v.Rows, conflictRow{Entry: n.entry(cf.NominationID), Judge: n.user(cf.UserID),
			Source: workflow.SourceLabel(cf.Source).In(c.lang), Reason: cf.Reason})
	}
	return c.render(http.StatusOK, "stage/conflicts", "stage.conflicts.title", v)
}

// ---- assignments ----

type assignedJudge struct {
	Name, Remove string
}

type entryRow struct {
	Label       string
	UnderReview bool
	Judges      []assignedJudge
	Recused     []string
	Count       int
	Short       bool
}

type judgeLoad struct {
	Name        string
	Chair       bool
	Load        int
	Below, Over bool
}

type assignmentsView struct {
	Head                stageHead
	K                   int
	Limits              workflow.LoadLimits
	Entries             []entryRow
	Judges              []judgeLoad
	Manage              bool
	Form                *Form // manual assignment
	Propose             *Form
	Unassigned          int
	ProposeAt, AssignAt string
}

func (s *Site) assignmentsView(c *ctx) (assignmentsView, error) {
	b, err := s.board(c)
	if err != nil {
		return assignmentsView{}, err
	}
	n := c.names(b)
	manage := c.may(policy.ManageAssignments)
	v := assignmentsView{Head: c.head(b, "/assignments"), K: b.Judging.JudgesPerEntry, Limits: b.Judging.Load, Manage: manage,
		ProposeAt: stagePath(b.Stage, "/proposals"), AssignAt: stagePath(b.Stage, "/assignments")}
	load := map[int64]int{}
	entryOpts := []Option{{Value: "", Label: c.T("stage.assign.choose_entry")}}
	for _, e := range b.Entries {
		r := entryRow{Label: n.entry(e.Nomination.ID), UnderReview: e.UnderReview, Count: len(e.Judges), Short: e.UnderReview && len(e.Judges) < v.K}
		for _, j := range e.Judges {
			load[j]++
			aj := assignedJudge{Name: n.user(j)}
			if manage && e.UnderReview {
				aj.Remove = stagePath(b.Stage, "/assignments/"+strconv.FormatInt(e.Nomination.ID, 10)+"/"+strconv.FormatInt(j, 10)+"/remove")
			}
			r.Judges = append(r.Judges, aj)
		}
		for _, j := range e.Recused {
			r.Recused = append(r.Recused, n.user(j))
		}
		if e.UnderReview && len(e.Judges) == 0 {
			v.Unassigned++
		}
		if e.UnderReview {
			entryOpts = append(entryOpts, Option{Value: strconv.FormatInt(e.Nomination.ID, 10), Label: r.Label})
		}
		v.Entries = append(v.Entries, r)
	}
	judgeOpts := []Option{{Value: "", Label: c.T("stage.assign.choose_judge")}}
	for _, m := range b.Panel {
		l := load[m.UserID]
		v.Judges = append(v.Judges, judgeLoad{Name: m.Name, Chair: m.Role.ChairsPanel(), Load: l,
			Below: l < b.Judging.Load.Min, Over: b.Judging.Load.Max > 0 && l > b.Judging.Load.Max})
		judgeOpts = append(judgeOpts, Option{Value: strconv.FormatInt(m.UserID, 10), Label: m.Name})
	}
	if manage {
		v.Form = c.form()
		v.Form.Add(Field{Name: "nomination", Type: "select", Label: c.T("stage.assign.entry"), Required: true, Options: entryOpts})
		v.Form.Add(Field{Name: "user", Type: "select", Label: c.T("stage.assign.judge"), Help: c.T("stage.assign.judge.help"), Required: true, Options: judgeOpts})
		v.Propose = c.form()
		v.Propose.Add(Field{Name: "preferences", ID: "f-preferences", Type: "checkbox", Label: c.T("stage.propose.preferences"), Help: c.T("stage.propose.preferences.help")})
	}
	return v, nil
}

func (s *Site) assignmentsPage(c *ctx) error {
	v, err := s.assignmentsView(c)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "stage/assignments", "stage.assignments.title", v)
}

func (s *Site) assign(c *ctx) error {
	v, err := s.assignmentsView(c)
	if err != nil {
		return err
	}
	f := v.Form
	if err := f.Read(); err != nil {
		return err
	}
	entry, _ := strconv.ParseInt(f.Value("nomination"), 10, 64)
	judge, _ := strconv.ParseInt(f.Value("user"), 10, 64)
	if entry <= 0 {
		f.Fail("nomination", c.T("stage.assign.entry.missing"))
	}
	if judge <= 0 {
		f.Fail("user", c.T("stage.assign.judge.missing"))
	}
	if !f.Failed() {
		_, err := s.cfg.Service.Assign(c.r.Context(), c.actor, c.stageRef(), entry, judge)
		if err == nil {
			return c.flash("flash.stage.assigned", stagePath(c.stageRef(), "/assignments"))
		}
		switch {
		case workflow.ErrorCode(err) == workflow.NotFound:
			f.Fail("nomination", refusal(err, c.lang))
		case !f.Refused(err, func(string) string { return "user" }):
			return err
		}
	}
	return c.render(http.StatusUnprocessableEntity, "stage/assignments", "stage.assignments.title", v)
}

func (s *Site) unassign(c *ctx) error {
	entry, err := pathID(c, "id")
	if err != nil {
		return err
	}
	judge, err := pathID(c, "user")
	if err != nil {
		return err
	}
	if err := s.cfg.Service.Unassign(c.r.Context(), c.actor, c.stageRef(), entry, judge); err != nil {
		return err
	}
	return c.flash("flash.stage.unassigned", stagePath(c.stageRef(), "/assignments"))
}

// proposalSeed fixes the proposal's tie-breaking: the same stage, panel
// and assignments give the same proposal.
const proposalSeed = 1

func (s *Site) propose(c *ctx) error {
	v, err := s.assignmentsView(c)
	if err != nil {
		return err
	}
	f := v.Propose
	if err := f.Read(); err != nil {
		return err
	}
	pr, err := s.cfg.Service.Propose(c.r.Context(), c.actor, c.stageRef(), proposalSeed, f.Value("preferences") == "true")
	if err == nil {
		return c.redirect(stagePath(c.stageRef(), "/proposals/"+strconv.FormatInt(pr.ID, 10)))
	}
	if !f.Refused(err, func(string) string { return "" }) {
		return err
	}
	return c.render(f.Status(err), "stage/assignments", "stage.assignments.title", v)
}

// ---- the proposal as a change set ----

type loadChange struct {
	Name          string
	Before, After int
	Added         int
	Below, Over   bool // after the change
}

type coverChange struct {
	Label         string
	Before, After int
	Short         bool // still under k after the change
}

type pairRow struct {
	Entry, Judge string
}

type proposalView struct {
	Head     stageHead
	Proposal workflow.Proposal
	Pending  bool
	Stale    bool
	K        int
	Loads    []loadChange
	Entries  []coverChange
	Added    []pairRow
	Short    int
	Apply    string
	Discard  string
	Back     string
}

func (s *Site) proposalView(c *ctx) (proposalView, error) {
	id, err := pathID(c, "proposal")
	if err != nil {
		return proposalView{}, err
	}
	pr, err := s.cfg.Service.Proposal(c.r.Context(), c.actor, c.stageRef(), id)
	if err != nil {
		return proposalView{}, err
	}
	b, err := s.board(c)
	if err != nil {
		return proposalView{}, err
	}
	n := c.names(b)
	base := stagePath(b.Stage, "/proposals/"+strconv.FormatInt(id, 10))
	v := proposalView{Head: c.head(b, "/assignments"), Proposal: pr, Pending: pr.Status == workflow.ProposalPending,
		K: b.Judging.JudgesPerEntry, Apply: base + "/apply", Discard: base + "/discard", Back: stagePath(b.Stage, "/assignments")}
	v.Stale = v.Pending && pr.BaseVersion != b.Version
	added := map[int64]int{}   // judge → pairs added
	covered := map[int64]int{} // entry → judges added
	for _, p := range pr.Pairs {
		added[p.Judge]++
		covered[p.Entry]++
		v.Added = append(v.Added, pairRow{Entry: n.entry(p.Entry), Judge: n.user(p.Judge)})
	}
	before := map[int64]int{}
	for _, e := range b.Entries {
		for _, j := range e.Judges {
			before[j]++
		}
		if !e.UnderReview {
			continue
		}
		after := len(e.Judges) + covered[e.Nomination.ID]
		if !v.Pending { // applied: the board already holds the pairs
			after = len(e.Judges)
		}
		cc := coverChange{Label: n.entry(e.Nomination.ID), Before: after - covered[e.Nomination.ID], After: after, Short: after < v.K}
		if cc.Short {
			v.Short++
		}
		v.Entries = append(v.Entries, cc)
	}
	lim := b.Judging.Load
	for _, m := range b.Panel {
		lc := loadChange{Name: m.Name, Before: before[m.UserID], Added: added[m.UserID]}
		if v.Pending {
			lc.After = lc.Before + lc.Added
		} else {
			lc.After, lc.Before = lc.Before, lc.Before-lc.Added
		}
		lc.Below, lc.Over = lc.After < lim.Min && !m.Role.ChairsPanel(), lim.Max > 0 && lc.After > lim.Max
		v.Loads = append(v.Loads, lc)
	}
	slices.SortStableFunc(v.Loads, func(a, b loadChange) int { return b.Added - a.Added })
	return v, nil
}

func (s *Site) proposalPage(c *ctx) error {
	v, err := s.proposalView(c)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "stage/proposal", "stage.proposal.title", v)
}

// decideProposal applies or discards a proposal, all or nothing; a stale
// or already decided one answers the conflict page.
func (s *Site) decideProposal(c *ctx) error {
	v, err := s.proposalView(c)
	if err != nil {
		return err
	}
	decide, flash := s.cfg.Service.DiscardProposal, "flash.stage.proposal_discarded"
	if strings.HasSuffix(c.r.URL.Path, "/apply") {
		decide, flash = s.cfg.Service.ApplyProposal, "flash.stage.proposal_applied"
	}
	if _, err := decide(c.r.Context(), c.actor, c.stageRef(), v.Proposal.ID); err != nil {
		if workflow.ErrorCode(err) != workflow.Conflict {
			return err
		}
		return c.render(http.StatusConflict, "stage/stale", "stage.stale.title", staleView{Message: refusal(err, c.lang), Back: v.Back})
	}
	return c.flash(flash, v.Back)
}

type staleView struct {
	Message, Back string
}

// refusal is a service's refusal message in lang.
func refusal(err error, lang string) string {
	var e *workflow.Error
	if errors.As(err, &e) {
		return e.MessageIn(lang)
	}
	return err.Error()
}
