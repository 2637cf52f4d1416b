package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// stagePages registers the secretariat's programme and stage pages: the
// programme's windows, and per judged stage its overview, panel,
// conflicts, assignments (with the automatic proposal as a change set),
// progress and ranking. Each page asks for the permission the JSON API's
// route for the same data asks for; the services decide the ministry
// (another ministry's programme is NotFound, as the API answers).
func (s *Site) stagePages() {
	const prog = "/staff/cycles/{cycle}/{programme}"
	const st = prog + "/stages/{stage}"
	s.route("GET", prog, allow(policy.ReadWindows), s.programmePage)
	s.route("POST", prog+"/windows/call", allow(policy.ChangeWindows), s.changeWindow)
	s.route("POST", st+"/window", allow(policy.ChangeWindows), s.changeWindow)
	s.route("GET", st, allow(policy.ReadProgress), s.stageOverview)
	s.route("GET", st+"/panel", allow(policy.ReadPanel), s.panelPage)
	s.route("POST", st+"/panel", allow(policy.ManagePanel), s.addPanelMember)
	s.route("POST", st+"/panel/{user}/remove", allow(policy.ManagePanel), s.removePanelMember)
	s.route("GET", st+"/conflicts", allow(policy.ListConflicts), s.conflictsPage)
	s.route("GET", st+"/assignments", allow(policy.ReadAssignments), s.assignmentsPage)
	s.route("POST", st+"/assignments", allow(policy.ManageAssignments), s.assign)
	s.route("POST", st+"/assignments/{id}/{user}/remove", allow(policy.ManageAssignments), s.unassign)
	s.route("POST", st+"/proposals", allow(policy.ManageAssignments), s.propose)
	s.route("GET", st+"/proposals/{proposal}", allow(policy.ManageAssignments), s.proposalPage)
	s.route("POST", st+"/proposals/{proposal}/apply", allow(policy.ManageAssignments), s.decideProposal)
	s.route("POST", st+"/proposals/{proposal}/discard", allow(policy.ManageAssignments), s.decideProposal)
	s.route("GET", st+"/progress", allow(policy.ReadProgress), s.progressPage)
	s.route("GET", st+"/ranking", allow(policy.ReadRanking), s.rankingPage)
}

// may reports whether the caller's roles admit a permission (somewhere):
// links to pages the caller could not open are left out.
func (c *ctx) may(p policy.Permission) bool { return c.s.cfg.Authorizer.Admits(c.userID(), allow(p)) }

// ---- the programme and its windows ----

// windowRow is one window of the programme: the call or a judged stage's.
type windowRow struct {
	Key     string // "call" or the stage key
	Title   string
	Href    string // the stage's page; "" for the call and unjudged stages
	Judged  bool
	Window  workflow.Window
	Left    string // time left, or that it has closed / not opened
	Version int
	Form    *Form // nil when the caller may not change it
	Action  string
}

type programmeView struct {
	Cycle, Programme string
	CycleTitle       string
	Windows          []windowRow // the call first, then the stages in order
	Changes          []windowChangeRow
	Release          string
	Publications     string
}

type windowChangeRow struct {
	Window, Previous string
	Change           workflow.WindowChange
}

func (s *Site) programmeView(c *ctx) (programmeView, error) {
	cycle, key := c.r.PathValue("cycle"), c.r.PathValue("programme")
	log, err := s.cfg.Service.Windows(c.r.Context(), c.actor, cycle, key) // the refusal for who may not see it
	if err != nil {
		return programmeView{}, err
	}
	cv, err := s.cfg.Service.Cycle(c.r.Context(), cycle)
	if err != nil {
		return programmeView{}, err
	}
	p, ok := cv.Cycle.Programme(key)
	if !ok {
		return programmeView{}, workflow.Refuse(workflow.NotFound, "部門「%s」は見つかりません", "no such programme %q", key)
	}
	v := programmeView{Cycle: cycle, Programme: p.Title.In(c.lang), CycleTitle: cv.Cycle.Title.In(c.lang),
		Release: programmePath(cycle, key, "/release"), Publications: programmePath(cycle, key, "/publications")}
	change := c.may(policy.ChangeWindows)
	row := func(k, title string, w workflow.Window, action string) windowRow {
		r := windowRow{Key: k, Title: title, Judged: true, Window: w, Left: c.timeLeft(w), Version: log.Versions[k], Action: action}
		if change {
			r.Form = c.windowForm(k, w)
		}
		return r
	}
	v.Windows = append(v.Windows, row("call", c.T("stage.call"), log.Call, programmePath(cycle, key, "/windows/call")))
	for _, st := range p.Stages {
		ref := workflow.StageRef{Cycle: cycle, Programme: key, Stage: st.Key}
		w, judged := log.Stages[st.Key]
		if !judged {
			v.Windows = append(v.Windows, windowRow{Key: st.Key, Title: st.Title.In(c.lang)})
			continue
		}
		r := row(st.Key, st.Title.In(c.lang), w, stagePath(ref, "/window"))
		r.Href = stagePath(ref, "")
		v.Windows = append(v.Windows, r)
	}
	titles := map[string]string{}
	for _, w := range v.Windows {
		titles[w.Key] = w.Title
	}
	for i := len(log.Changes) - 1; i >= 0; i-- { // newest first
		ch := log.Changes[i]
		k := ch.Stage
		if k == "" {
			k = "call"
		}
		v.Changes = append(v.Changes, windowChangeRow{Window: titles[k], Change: ch,
			Previous: c.windowText(ch.Previous)})
	}
	return v, nil
}

// windowText is a window as one line: 開始 … 〜 締切 ….
func (c *ctx) windowText(w workflow.Window) string {
	p := &Page{Lang: c.lang} // dates only: c.page would take the flash
	return c.T("stage.window.span", p.DateTime(w.Opens), p.DateTime(w.Closes))
}

// localInput is an instant as a datetime-local control shows it, in JST.
func localInput(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(workflow.Tokyo).Format("2006-01-02T15:04")
}

// windowForm is the change form of one window, its fields named as the
// API's request and their ids prefixed with the window's key.
func (c *ctx) windowForm(key string, w workflow.Window) *Form {
	f := c.form()
	id := "f-" + key + "-"
	f.Add(Field{Name: "opens_at", ID: id + "opens", Type: "datetime-local", Label: c.T("stage.window.opens"), Help: c.T("stage.window.opens.help"), Value: localInput(w.Opens)})
	f.Add(Field{Name: "closes_at", ID: id + "closes", Type: "datetime-local", Label: c.T("stage.window.closes"), Help: c.T("stage.window.closes.help"), Required: true, Value: localInput(w.Closes)})
	f.Add(Field{Name: "reason", ID: id + "reason", Type: "textarea", Rows: 2, Label: c.T("stage.window.reason"), Help: c.T("stage.window.reason.help"), Required: true, MaxLength: 500})
	return f
}

func (s *Site) programmePage(c *ctx) error {
	v, err := s.programmeView(c)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "stage/programme", "stage.programme.title", v)
}

// changeWindow changes the call's window (no {stage}) or a stage's; a
// refused change comes back on the programme page with what was typed,
// a change made meanwhile by someone else on the conflict page.
func (s *Site) changeWindow(c *ctx) error {
	v, err := s.programmeView(c)
	if err != nil {
		return err
	}
	key := c.r.PathValue("stage")
	if key == "" {
		key = "call"
	}
	var row *windowRow
	for i := range v.Windows {
		if v.Windows[i].Key == key && v.Windows[i].Form != nil {
			row = &v.Windows[i]
		}
	}
	if row == nil {
		return workflow.Refuse(workflow.NotFound, "審査段階「%s」は見つかりません", "no judged stage %q", key)
	}
	f := row.Form
	if err := f.Read(); err != nil {
		return err
	}
	in := workflow.WindowInput{Reason: f.Value("reason")}
	in.Expected, _ = strconv.Atoi(f.Value("version"))
	if in.Expected > 0 {
		row.Version = in.Expected // the version the user saw, kept if the form comes back
	}
	if t := norm.NFKC.String(strings.TrimSpace(f.Value("opens_at"))); t != "" {
		if at, ok := workflow.ParseInstant(t); ok {
			in.Opens = &at
		} else {
			f.Fail("opens_at", c.T("stage.window.bad_time"))
		}
	}
	if t := norm.NFKC.String(strings.TrimSpace(f.Value("closes_at"))); t != "" {
		if at, ok := workflow.ParseInstant(t); ok {
			in.Closes = at
		} else {
			f.Fail("closes_at", c.T("stage.window.bad_time"))
		}
	}
	if !f.Failed() {
		ref := workflow.WindowRef{Cycle: v.Cycle, Programme: c.r.PathValue("programme"), Stage: c.r.PathValue("stage")}
		_, err = s.cfg.Service.SetWindow(c.r.Context(), c.actor, ref, in)
		if err == nil {
			return c.flash("flash.stage.window_changed", programmePath(ref.Cycle, ref.Programme, ""))
		}
		if workflow.ErrorCode(err) == workflow.Conflict {
			yours := workflow.Window{Opens: row.Window.Opens, Closes: in.Closes}
			if in.Opens != nil {
				yours.Opens = *in.Opens
			}
			return c.conflict("", []ConflictRow{
				{Label: c.T("stage.window.of", row.Title), Theirs: c.windowText(row.Window), Yours: c.windowText(yours)},
			}, programmePath(ref.Cycle, ref.Programme, ""))
		}
		if !f.Refused(err, nil) {
			return err
		}
	}
	return c.render(http.StatusUnprocessableEntity, "stage/programme", "stage.programme.title", v)
}

// ---- one stage ----

// stageHead is what every stage page shows above its content.
type stageHead struct {
	Ref       workflow.StageRef
	Programme string // the programme's title
	Stage     string // the stage's title
	Window    workflow.Window
	Left      string
	Back      string // the programme page, when the caller may open it
	Links     []NavLink
}

// head is the stage's heading and its sub-pages' links, each only if the
// caller's roles may open it; current is the page's suffix.
func (c *ctx) head(b workflow.StageBoard, current string) stageHead {
	ref := b.Stage
	h := stageHead{Ref: ref, Programme: b.ProgrammeTitle.In(c.lang), Stage: b.Title.In(c.lang),
		Window: b.Judging.Window, Left: c.timeLeft(b.Judging.Window)}
	if c.may(policy.ReadWindows) {
		h.Back = programmePath(ref.Cycle, ref.Programme, "")
	}
	for _, l := range []struct {
		suffix, key string
		perm        policy.Permission
	}{
		{"", "stage.nav.overview", policy.ReadProgress},
		{"/panel", "stage.nav.panel", policy.ReadPanel},
		{"/conflicts", "stage.nav.conflicts", policy.ListConflicts},
		{"/assignments", "stage.nav.assignments", policy.ReadAssignments},
		{"/progress", "stage.nav.progress", policy.ReadProgress},
		{"/ranking", "stage.nav.ranking", policy.ReadRanking},
		{"/decision", "stage.nav.decision", policy.PreviewDecision},
	} {
		if c.may(l.perm) {
			h.Links = append(h.Links, NavLink{Label: c.T(l.key), Href: stagePath(ref, l.suffix), Current: l.suffix == current})
		}
	}
	return h
}

// board is the stage's StageBoard.
func (s *Site) board(c *ctx) (workflow.StageBoard, error) {
	return s.cfg.Service.StageBoard(c.r.Context(), c.actor, c.stageRef())
}

type overviewView struct {
	Head                 stageHead
	Judges, Chairs       int
	K                    int
	Load                 workflow.LoadLimits
	UnderReview, Covered int // entries under review, and those with k judges
	Short                int
	Entries              int
	Progress             workflow.Progress
	Results, Sheets      string // downloads, when the caller may
}

func (s *Site) stageOverview(c *ctx) error {
	pr, err := s.cfg.Service.Progress(c.r.Context(), c.actor, c.stageRef())
	if err != nil {
		return err
	}
	b, err := s.board(c)
	if err != nil {
		return err
	}
	v := overviewView{Head: c.head(b, ""), K: b.Judging.JudgesPerEntry, Load: b.Judging.Load, Entries: len(b.Entries), Progress: pr}
	for _, m := range b.Panel {
		if m.Role.ChairsPanel() {
			v.Chairs++
		} else {
			v.Judges++
		}
	}
	for _, e := range b.Entries {
		if !e.UnderReview {
			continue
		}
		v.UnderReview++
		if len(e.Judges) >= v.K {
			v.Covered++
		} else {
			v.Short++
		}
	}
	if c.may(policy.ExportResults) {
		v.Results = stagePath(b.Stage, "/results.xlsx")
	}
	if c.may(policy.ExportSheets) {
		v.Sheets = stagePath(b.Stage, "/sheets.zip")
	}
	return c.render(http.StatusOK, "stage/overview", "stage.overview.title", v)
}

// ---- progress ----

type progressRow struct {
	workflow.JudgeProgress
	NotStarted int
	Total      bool // the panel's totals
}

type progressView struct {
	Head   stageHead
	Closed bool
	Rows   []progressRow // the judges, then the panel's totals
}

func (s *Site) progressPage(c *ctx) error {
	pr, err := s.cfg.Service.Progress(c.r.Context(), c.actor, c.stageRef())
	if err != nil {
		return err
	}
	b, err := s.board(c)
	if err != nil {
		return err
	}
	row := func(jp workflow.JudgeProgress) progressRow {
		return progressRow{JudgeProgress: jp, NotStarted: jp.Assigned - jp.Draft - jp.Submitted}
	}
	v := progressView{Head: c.head(b, "/progress"), Closed: pr.WindowClosed}
	for _, jp := range pr.Judges {
		r := row(jp)
		if r.Name == "" {
			r.Name = c.T("stage.user_n", jp.UserID)
		}
		v.Rows = append(v.Rows, r)
	}
	total := row(pr.Panel)
	total.Total = true
	v.Rows = append(v.Rows, total)
	return c.render(http.StatusOK, "stage/progress", "stage.progress.title", v)
}

// decimal is a figure with two decimals, "—" when there is none.
func decimal(x float64, has bool) string {
	if !has {
		return "—"
	}
	return fmt.Sprintf("%.2f", x)
}
