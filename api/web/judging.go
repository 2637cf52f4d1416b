package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// judgingPages registers the judges' and chairs' pages: my stages, my
// entries, the entry beside its rubric, the offline scoring sheet and my
// declared ties. Each asks for the permission the JSON API's route for the
// same data asks for; the services decide the facts (a judge not assigned
// to an entry, or conflicted with it, gets the same 404 as for an entry
// that does not exist).
//
// The home page asks for score:write, which only panel members hold: it
// lists the stages whose panel the caller sits on, so the secretariat, who
// reads entries but scores none, has no 「審査」 entry in its navigation.
func (s *Site) judgingPages() {
	const stage = "/judging/{cycle}/{programme}/{stage}"
	s.route("GET", "/judging", allow(policy.WriteScores), s.judgingHome)
	s.navigation("judging.nav", "/judging", allow(policy.WriteScores))
	s.route("GET", stage, allow(policy.ReadEntries), s.judgingEntries)
	s.route("GET", stage+"/entries/{id}", allow(policy.ReadEntries), s.judgingEntry)
	s.route("POST", stage+"/entries/{id}/score", allow(policy.WriteScores), s.saveScore)
	s.route("POST", stage+"/entries/{id}/recusal", allow(policy.WriteScores), s.recuse)
	s.route("GET", stage+"/sheet", allow(policy.DownloadSheet), s.downloadSheet)
	s.route("POST", stage+"/sheet", allow(policy.ImportSheet), s.uploadSheet)
	s.route("GET", "/me/conflicts", allow(policy.DeclareConflicts), s.myConflicts)
	s.route("POST", "/me/conflicts", allow(policy.DeclareConflicts), s.declareTie)
}

// ---- my stages ----

// stageRow is one of my stages on the home page.
type stageRow struct {
	Title        string // 段階 of 部門
	Cycle        string
	Href         string
	Role         string
	Window       workflow.Window
	Phase        string // before, open or closed
	Left         string // time left, or when it opens
	Assigned     int
	NotStarted   int
	Draft        int
	Submitted    int
	Recused      int
	Visibility   string
	ProgressHref string // for whoever may read the stage's progress
	RankingHref  string
}

type judgingHomeView struct {
	Stages []stageRow
}

func (s *Site) judgingHome(c *ctx) error {
	mine, err := s.cfg.Service.MyStages(c.r.Context(), c.actor)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	var v judgingHomeView
	for _, ms := range mine {
		w := ms.Stage.Judging.Window
		row := stageRow{Title: c.T("judging.stage_of", ms.Stage.Title.In(c.lang), ms.ProgrammeTitle.In(c.lang)), Cycle: ms.CycleTitle.In(c.lang),
			Href: judgingPath(ms.Ref, ""), Role: c.T("judging.role." + string(ms.Role)), Window: w,
			Phase: phase(w, now), Left: c.timeLeft(w), Assigned: ms.Assigned, Draft: ms.Draft, Submitted: ms.Submitted,
			NotStarted: ms.Assigned - ms.Draft - ms.Submitted, Recused: ms.Recused,
			Visibility: c.T("judging.visibility." + string(ms.Stage.Judging.ScoreVisibility))}
		if s.cfg.Authorizer.Admits(c.userID(), allow(policy.ReadProgress)) {
			row.ProgressHref = stagePath(ms.Ref, "/progress")
		}
		if s.cfg.Authorizer.Admits(c.userID(), allow(policy.ReadRanking)) {
			row.RankingHref = stagePath(ms.Ref, "/ranking")
		}
		v.Stages = append(v.Stages, row)
	}
	// The stages open now first, then those to come, then the closed.
	slices.SortStableFunc(v.Stages, func(a, b stageRow) int { return phaseOrder[a.Phase] - phaseOrder[b.Phase] })
	return c.render(http.StatusOK, "judging/home", "judging.home.title", v)
}

var phaseOrder = map[string]int{"open": 0, "before": 1, "closed": 2}

// ---- my entries ----

// Entry statuses, for the list's filter and badges.
const (
	statusNotStarted  = "not_started"
	statusDraft       = "draft"
	statusSubmitted   = "submitted"
	statusNotAssigned = "not_assigned" // the chair's or the secretariat's view of others' entries
	statusConflicted  = "conflicted"
	statusRecused     = "recused" // the caller recused (or declared a conflict): shown read-only
)

// entryStatus is an entry's status for the caller.
func entryStatus(e workflow.StageEntry, userID int64, readsAll bool) string {
	switch {
	case e.Conflicted:
		return statusConflicted
	case e.MyScore != nil && e.MyScore.Status == workflow.ScoreSubmitted:
		return statusSubmitted
	case e.MyScore != nil:
		return statusDraft
	case readsAll && !containsID(e.Assigned, userID):
		return statusNotAssigned
	}
	return statusNotStarted
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

type judgeEntryRow struct {
	Code, Organisation, Prefecture, Industry string
	Href                                     string
	Status                                   string
	StatusLabel                              string
	Total                                    string
}

type entriesView struct {
	Ref        workflow.StageRef
	Programme  string
	Stage      string
	Window     workflow.Window
	Left       string
	Filters    *Form
	Filtered   bool
	Rows       []judgeEntryRow
	Count      int
	All        int
	Counts     map[string]int
	Next       string // the next entry to score: the first not started, else the first draft
	SheetHref  string
	Upload     *Form
	CanUpload  bool
	CanSheet   bool
	SheetError []sheetError
}

// stageEntries reads every entry of the stage the caller may see, page by
// page (a judge has tens; the chair the stage's).
func (s *Site) stageEntries(c *ctx, ref workflow.StageRef) ([]workflow.StageEntry, error) {
	var all []workflow.StageEntry
	pg := workflow.Page{Limit: workflow.MaxLimit}
	for {
		es, info, err := s.cfg.Service.Entries(c.r.Context(), c.actor, ref, pg)
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
		if info.NextCursor == "" {
			return all, nil
		}
		pg.Cursor = info.NextCursor
	}
}

// stageOfCycle is the stage's definition in force, once a service has
// admitted the caller to it.
func (s *Site) stageOfCycle(c *ctx, ref workflow.StageRef) (workflow.Programme, workflow.Stage, error) {
	cv, err := s.cfg.Service.Cycle(c.r.Context(), ref.Cycle)
	if err != nil {
		return workflow.Programme{}, workflow.Stage{}, err
	}
	p, ok := cv.Cycle.Programme(ref.Programme)
	if !ok {
		return workflow.Programme{}, workflow.Stage{}, workflow.Refuse(workflow.NotFound, "部門「%s」は見つかりません", "no such programme %q", ref.Programme)
	}
	st, ok := p.Stage(ref.Stage)
	if !ok || st.Judging == nil {
		return workflow.Programme{}, workflow.Stage{}, workflow.Refuse(workflow.NotFound, "審査段階「%s」は見つかりません", "no such judged stage %q", ref.Stage)
	}
	return *p, *st, nil
}

// entryFilters is the list's filter form: the statuses the caller's rows
// can have (only those reading every entry see entries not assigned to
// them or conflicted with them).
func (c *ctx) entryFilters(readsAll bool) *Form {
	f := c.form()
	opts := []Option{{Value: "", Label: c.T("judging.filter.all")}}
	statuses := []string{statusNotStarted, statusDraft, statusSubmitted, statusRecused}
	if readsAll {
		statuses = append(statuses, statusNotAssigned, statusConflicted)
	}
	for _, st := range statuses {
		opts = append(opts, Option{Value: st, Label: c.T("judging.status." + st)})
	}
	f.Add(Field{Name: "state", Label: c.T("judging.filter.state"), Type: "select", Options: opts})
	f.Add(Field{Name: "q", Label: c.T("judging.filter.q"), Help: c.T("judging.filter.q.help"), Type: "text"})
	return f
}

func (s *Site) judgingEntries(c *ctx) error {
	v, err := s.entriesView(c)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "judging/entries", "judging.entries.title", v)
}

func (s *Site) entriesView(c *ctx) (entriesView, error) {
	ref := c.stageRef()
	es, err := s.stageEntries(c, ref)
	if err != nil {
		return entriesView{}, err
	}
	p, st, err := s.stageOfCycle(c, ref)
	if err != nil {
		return entriesView{}, err
	}
	recused, err := s.cfg.Service.MyRecusals(c.r.Context(), c.actor, ref)
	if err != nil {
		return entriesView{}, err
	}
	// The chair and the secretariat read every entry (the roles that read
	// the ranking): an entry not assigned to them is marked so.
	readsAll := s.cfg.Authorizer.Admits(c.userID(), allow(policy.ReadRanking))
	q := c.r.URL.Query()
	v := entriesView{Ref: ref, Programme: p.Title.In(c.lang), Stage: st.Title.In(c.lang), Window: st.Judging.Window,
		Left: c.timeLeft(st.Judging.Window), Filters: c.entryFilters(readsAll), Counts: map[string]int{}, All: len(es) + len(recused),
		SheetHref: judgingPath(ref, "/sheet"), Upload: c.uploadForm(),
		CanSheet:  s.cfg.Authorizer.Admits(c.userID(), allow(policy.DownloadSheet)),
		CanUpload: s.cfg.Authorizer.Admits(c.userID(), allow(policy.ImportSheet))}
	state, text := q.Get("state"), strings.TrimSpace(q.Get("q"))
	v.Filters.Field("state").Value, v.Filters.Field("q").Value = state, text
	v.Filtered = state != "" || text != ""
	for _, e := range es {
		row := c.entryRow(ref, st, e, entryStatus(e, c.userID(), readsAll))
		v.Counts[row.Status]++
		if (state == "" || state == row.Status) && matches(row, text) {
			v.Rows = append(v.Rows, row)
		}
	}
	v.Next = nextToScore(ref, es, c.userID(), readsAll, 0)
	for _, r := range recused {
		row := judgeEntryRow{Code: workflow.EntryCode(r.NominationID), Organisation: r.Organisation, Href: entryPath(ref, r.NominationID, ""),
			Status: statusRecused, StatusLabel: c.T("judging.status." + statusRecused)}
		v.Counts[statusRecused]++
		if (state == "" || state == statusRecused) && matches(row, text) {
			v.Rows = append(v.Rows, row)
		}
	}
	v.Count = len(v.Rows)
	return v, nil
}

// nextToScore is the page of the entry to score next, other than except:
// the first not started, else the first draft; "" when none is left.
func nextToScore(ref workflow.StageRef, es []workflow.StageEntry, userID int64, readsAll bool, except int64) string {
	var next, draft int64
	for _, e := range es {
		id := e.Nomination.ID
		switch st := entryStatus(e, userID, readsAll); {
		case id == except:
		case st == statusNotStarted && next == 0:
			next = id
		case st == statusDraft && draft == 0:
			draft = id
		}
	}
	if next == 0 {
		next = draft
	}
	if next == 0 {
		return ""
	}
	return entryPath(ref, next, "")
}

func (c *ctx) entryRow(ref workflow.StageRef, st workflow.Stage, e workflow.StageEntry, status string) judgeEntryRow {
	n := e.Nomination
	row := judgeEntryRow{Code: workflow.EntryCode(n.ID), Href: entryPath(ref, n.ID, ""),
		Status: status, StatusLabel: c.T("judging.status." + status)}
	if o := n.Snapshot; o != nil {
		row.Organisation = o.Name
		if p, ok := workflow.PrefectureByCode(o.Prefecture); ok {
			row.Prefecture = p.Name.In(c.lang)
		}
		if i, ok := workflow.IndustryByCode(o.Industry); ok {
			row.Industry = i.Name.In(c.lang)
		}
	}
	if e.MyScore != nil {
		row.Total = total(st.Judging, e.MyScore.Values)
	}
	return row
}

// matches reports whether a row holds text (code, organisation, place or
// industry), ignoring case and full-width forms.
func matches(r judgeEntryRow, text string) bool {
	if text == "" {
		return true
	}
	fold := func(s string) string { return strings.ToLower(norm.NFKC.String(s)) }
	t := fold(text)
	for _, s := range []string{r.Code, r.Organisation, r.Prefecture, r.Industry} {
		if strings.Contains(fold(s), t) {
			return true
		}
	}
	return false
}

// FilterHref is the list filtered by one status, for the summary's links.
func (v entriesView) FilterHref(status string) string {
	return judgingPath(v.Ref, "?"+url.Values{"state": {status}}.Encode())
}
