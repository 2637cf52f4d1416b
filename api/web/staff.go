package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/awardflow/awardflow/api/workbook"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// staffPages registers the secretariat's dashboard, nomination list, bulk
// actions and nomination detail. Each asks for the permission of the API
// route for the same data; the services keep each ministry's staff to its
// own programmes (another ministry's nomination is NotFound, as the API
// answers). Applicants hold the list and read permissions for their own
// nominations, which they read on /me, so these pages refuse them.
func (s *Site) staffPages() {
	s.route("GET", "/staff", allow(policy.ReadWindows), s.staffDashboard)
	s.route("GET", "/staff/nominations", allow(policy.ListNominations), s.staffList)
	s.route("POST", "/staff/nominations/bulk", allow(policy.ActOnNomination), s.staffBulkConfirm)
	s.route("POST", "/staff/nominations/bulk/apply", allow(policy.ActOnNomination), s.staffBulkApply)
	s.route("GET", "/staff/nominations/{id}", allow(policy.ReadNomination), s.staffNomination)
	s.route("POST", "/staff/nominations/{id}/actions/{action}", allow(policy.ActOnNomination), s.staffAct)
	s.navigation("staff.nav", "/staff", allow(policy.ReadWindows))
}

// staffOnly refuses a caller that is neither a secretariat nor an
// administrator (an applicant reads its nominations on /me).
func staffOnly(c *ctx) error {
	if c.actor.IsStaff() {
		return nil
	}
	return workflow.Refuse(workflow.Forbidden, "事務局の画面です。ご自身の応募はマイページから確認してください",
		"this is the secretariat's page; see your own nominations on your home page")
}

func staffPath(id int64, suffix string) string {
	return "/staff/nominations/" + strconv.FormatInt(id, 10) + suffix
}

// ---- dashboard ----

// staffProgramme is a programme the caller oversees, with its windows.
type staffProgramme struct {
	Cycle      string
	CycleTitle string // 令和8年度 テレワーク推進企業表彰: what people call the cycle
	Programme  workflow.Programme
	Windows    workflow.WindowLog
}

// staffProgrammes are the programmes of every cycle whose windows the
// service lets the caller read: its ministry's (an administrator's: all).
func (s *Site) staffProgrammes(c *ctx) ([]staffProgramme, error) {
	ctx := c.r.Context()
	keys, err := s.cfg.Service.CycleKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []staffProgramme
	for _, k := range keys {
		cv, err := s.cfg.Service.Cycle(ctx, k)
		if err != nil {
			return nil, err
		}
		for _, p := range cv.Cycle.Programmes {
			w, err := s.cfg.Service.Windows(ctx, c.actor, k, p.Key)
			switch workflow.ErrorCode(err) {
			case "":
				out = append(out, staffProgramme{Cycle: k, CycleTitle: cv.Cycle.Title.In(c.lang), Programme: p, Windows: w})
			case workflow.NotFound, workflow.Forbidden:
			default:
				return nil, err
			}
		}
	}
	return out, nil
}

// stateCount is how many nominations are in one state (Href: the list of them).
type stateCount struct {
	Label string
	N     int
	Href  string
}

type dashWindow struct {
	Label, Href  string
	Opens, Ends  time.Time
	Left         string
	Open, Closed bool
	Judges       []judgeRow // overdue or lagging
	Submitted    int
	Assigned     int
}

type judgeRow struct {
	Name string
	Note string
}

type dashboardProgramme struct {
	Title, Cycle, Href, ListHref string
	Total                        int
	Counts                       []stateCount
	Windows                      []dashWindow
}

// lagging is the window's last days in which a judge with unsubmitted
// entries is named on the dashboard.
const lagging = 7 * 24 * time.Hour

func (s *Site) staffDashboard(c *ctx) error {
	ps, err := s.staffProgrammes(c)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	var out []dashboardProgramme
	for _, sp := range ps {
		p := sp.Programme
		counts, err := s.cfg.Service.StateCounts(c.r.Context(), c.actor, sp.Cycle, p.Key)
		if err != nil {
			return err
		}
		list := url.Values{"cycle": {sp.Cycle}, "programme": {p.Key}}
		d := dashboardProgramme{Title: p.Title.In(c.lang), Cycle: sp.CycleTitle, Href: programmePath(sp.Cycle, p.Key, ""),
			ListHref: "/staff/nominations?" + list.Encode()}
		for _, st := range workflow.States {
			if counts[st] == 0 {
				continue
			}
			q := url.Values{"cycle": {sp.Cycle}, "programme": {p.Key}, "state": {string(st)}}
			d.Counts = append(d.Counts, stateCount{Label: st.Label().In(c.lang), N: counts[st], Href: "/staff/nominations?" + q.Encode()})
			d.Total += counts[st]
		}
		call := sp.Windows.Call
		d.Windows = append(d.Windows, dashWindow{Label: c.T("staff.call"), Href: d.Href, Opens: call.Opens, Ends: call.Closes,
			Left: c.timeLeft(call), Open: call.Contains(now), Closed: !now.Before(call.Closes)})
		for _, st := range p.Stages {
			w, ok := sp.Windows.Stages[st.Key]
			if !ok {
				continue
			}
			ref := workflow.StageRef{Cycle: sp.Cycle, Programme: p.Key, Stage: st.Key}
			row := dashWindow{Label: st.Title.In(c.lang), Href: stagePath(ref, ""), Opens: w.Opens, Ends: w.Closes,
				Left: c.timeLeft(w), Open: w.Contains(now), Closed: !now.Before(w.Closes)}
			pr, err := s.cfg.Service.Progress(c.r.Context(), c.actor, ref)
			if err != nil {
				return err
			}
			row.Submitted, row.Assigned = pr.Panel.Submitted, pr.Panel.Assigned
			for _, j := range pr.Judges {
				left := j.Assigned - j.Submitted
				switch {
				case j.Overdue > 0:
					row.Judges = append(row.Judges, judgeRow{Name: j.Name, Note: c.T("staff.judge.overdue", j.Overdue)})
				case row.Open && left > 0 && w.Closes.Sub(now) < lagging:
					row.Judges = append(row.Judges, judgeRow{Name: j.Name, Note: c.T("staff.judge.lagging", left, j.Assigned)})
				}
			}
			d.Windows = append(d.Windows, row)
		}
		out = append(out, d)
	}
	return c.render(http.StatusOK, "staff/dashboard", "staff.dashboard.title", out)
}

// ---- the list ----

// sizeBands are the size filter's choices: bands of the regular headcount
// (常時雇用). "le20" is the small-enterprise bound of most sectors; the
// SME test itself also weighs capital and sector, which the list cannot.
var sizeBands = []struct {
	Key      string
	Min, Max int
}{{"le20", 0, 20}, {"21-100", 21, 100}, {"101-300", 101, 300}, {"gt300", 301, 0}}

// listQuery is the list's filters as the URL carries them.
type listQuery struct {
	Cycle, Programme, State, Prefecture, Industry, Size, Verdict, Q string
}

func readListQuery(v url.Values) listQuery {
	return listQuery{Cycle: v.Get("cycle"), Programme: v.Get("programme"), State: v.Get("state"), Prefecture: v.Get("prefecture"),
		Industry: v.Get("industry"), Size: v.Get("size"), Verdict: v.Get("verdict"), Q: v.Get("q")}
}

func (q listQuery) values() url.Values {
	v := url.Values{}
	for k, x := range map[string]string{"cycle": q.Cycle, "programme": q.Programme, "state": q.State, "prefecture": q.Prefecture,
		"industry": q.Industry, "size": q.Size, "verdict": q.Verdict, "q": q.Q} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v
}

// filter is the service's filter for q; an unknown size band or verdict
// is Invalid.
func (q listQuery) filter() (workflow.NominationFilter, error) {
	f := workflow.NominationFilter{Cycle: q.Cycle, Programme: q.Programme, State: workflow.State(q.State), Prefecture: q.Prefecture,
		Industry: q.Industry, Q: q.Q}
	var err error
	if f.Verdict, err = workflow.ParseVerdict(q.Verdict); err != nil {
		return f, err
	}
	if q.Size != "" {
		i := slices.IndexFunc(sizeBands, func(b struct {
			Key      string
			Min, Max int
		}) bool {
			return b.Key == q.Size
		})
		if i < 0 {
			e := workflow.Refuse(workflow.Invalid, "規模「%s」はありません", "there is no size %q", q.Size)
			e.Problems = []workflow.Problem{{Path: "size", Code: "invalid", Message: workflow.Text{Ja: e.Ja, En: e.Message}}}
			return f, e
		}
		f.MinHeadcount, f.MaxHeadcount = sizeBands[i].Min, sizeBands[i].Max
	}
	if q.State != "" && !slices.Contains(workflow.States, f.State) {
		e := workflow.Refuse(workflow.Invalid, "状態「%s」はありません", "there is no state %q", q.State)
		e.Problems = []workflow.Problem{{Path: "state", Code: "invalid", Message: workflow.Text{Ja: e.Ja, En: e.Message}}}
		return f, e
	}
	return f, nil
}

type listRow struct {
	ID                                int64
	Version                           int
	Code, Receipt, Name, Programme    string // Code: E00019, what judges and staff call it
	State                             string
	Prefecture, Industry, Stage, Href string
	Verdict                           string // "" when not evaluated
	Updated                           time.Time
}

type staffListView struct {
	Form       *Form
	Query      listQuery
	Hidden     url.Values // the filters, for the bulk form's "everything matching"
	Rows       []listRow
	Total      int
	Next, Prev string
	First      string // the first page, when on another
	CSV        string
	Filtered   bool
	Actions    []Option
	Max        int
}

// bulkActions are the actions offered on a selection.
var bulkActions = []workflow.Action{workflow.StartScreening, workflow.Return, workflow.DeclareIneligible, workflow.Recognise, workflow.Advance}

// maxTrail bounds the previous pages a list URL remembers.
const maxTrail = 30

// filterForm is the list's filter controls, filled from the URL.
func (s *Site) filterForm(c *ctx, q listQuery, ps []staffProgramme) *Form {
	f := c.form()
	choose := Option{Value: "", Label: c.T("staff.filter.any")}
	progs, cycles := []Option{choose}, []Option{choose}
	for _, p := range ps {
		if !slices.ContainsFunc(progs, func(o Option) bool { return o.Value == p.Programme.Key }) {
			progs = append(progs, Option{Value: p.Programme.Key, Label: p.Programme.Title.In(c.lang)})
		}
		if !slices.ContainsFunc(cycles, func(o Option) bool { return o.Value == p.Cycle }) {
			cycles = append(cycles, Option{Value: p.Cycle, Label: p.CycleTitle})
		}
	}
	states := []Option{choose}
	for _, st := range workflow.States {
		states = append(states, Option{Value: string(st), Label: st.Label().In(c.lang)})
	}
	prefs := []Option{choose}
	for _, p := range workflow.Prefectures {
		prefs = append(prefs, Option{Value: p.Code, Label: p.Name.In(c.lang)})
	}
	inds := []Option{choose}
	for _, i := range workflow.Industries {
		inds = append(inds, Option{Value: i.Code, Label: i.Code + " " + i.Name.In(c.lang)})
	}
	sizes := []Option{choose}
	for _, b := range sizeBands {
		sizes = append(sizes, Option{Value: b.Key, Label: c.T("staff.size." + b.Key)})
	}
	verdicts := []Option{choose}
	for _, o := range []workflow.Outcome{workflow.Pass, workflow.Fail, workflow.Unknown} {
		verdicts = append(verdicts, Option{Value: workflow.VerdictName(o), Label: c.T("staff.outcome." + string(o))})
	}
	for _, fl := range []Field{
		{Name: "q", Label: c.T("staff.filter.q"), Help: c.T("staff.filter.q.help"), Type: "text", Value: q.Q},
		{Name: "cycle", Label: c.T("staff.filter.cycle"), Type: "select", Options: cycles, Value: q.Cycle},
		{Name: "programme", Label: c.T("staff.filter.programme"), Type: "select", Options: progs, Value: q.Programme},
		{Name: "state", Label: c.T("staff.filter.state"), Type: "select", Options: states, Value: q.State},
		{Name: "prefecture", Label: c.T("staff.filter.prefecture"), Type: "select", Options: prefs, Value: q.Prefecture},
		{Name: "industry", Label: c.T("staff.filter.industry"), Type: "select", Options: inds, Value: q.Industry},
		{Name: "size", Label: c.T("staff.filter.size"), Help: c.T("staff.filter.size.help"), Type: "select", Options: sizes, Value: q.Size},
		{Name: "verdict", Label: c.T("staff.filter.verdict"), Help: c.T("staff.filter.verdict.help"), Type: "select", Options: verdicts, Value: q.Verdict},
	} {
		f.Add(fl)
	}
	return f
}

func (c *ctx) listRow(it workflow.NominationItem, progs map[string]string) listRow {
	n := it.Nomination
	r := listRow{ID: n.ID, Version: n.Version, Code: workflow.EntryCode(n.ID), Receipt: receiptNumber(n), Name: it.OrganisationName, Programme: progs[n.CycleKey+"/"+n.ProgrammeKey],
		State: n.State.Label().In(c.lang), Stage: progs[n.CycleKey+"/"+n.ProgrammeKey+"/"+n.Stage], Href: staffPath(n.ID, ""), Updated: n.UpdatedAt}
	if r.Stage == "" {
		r.Stage = n.Stage
	}
	if p, ok := workflow.PrefectureByCode(it.Prefecture); ok {
		r.Prefecture = p.Name.In(c.lang)
	}
	if i, ok := workflow.IndustryByCode(it.Industry); ok {
		r.Industry = i.Code + " " + i.Name.In(c.lang)
	}
	if r.Programme == "" {
		r.Programme = n.ProgrammeKey
	}
	if t := progs[n.CycleKey+"/"+n.ProgrammeKey+"/"+n.Stage]; n.Stage != "" && t != "" {
		r.Stage = t
	}
	if n.Eligibility != "" {
		r.Verdict = c.T("staff.outcome." + string(n.Eligibility))
	}
	return r
}

func (s *Site) staffList(c *ctx) error {
	if err := staffOnly(c); err != nil {
		return err
	}
	uq := c.r.URL.Query()
	q := readListQuery(uq)
	ps, err := s.staffProgrammes(c)
	if err != nil {
		return err
	}
	form, progs := s.filterForm(c, q, ps), programmeTitles(c, ps)
	f, err := q.filter()
	if err == nil && uq.Get("format") == "csv" {
		return s.staffCSV(c, f, progs)
	}
	v := staffListView{Form: form, Query: q, Hidden: q.values(), CSV: "/staff/nominations?" + withFormat(q.values()), Filtered: len(q.values()) > 0}
	for _, a := range bulkActions {
		v.Actions = append(v.Actions, Option{Value: string(a), Label: c.actionName(a)})
	}
	var items []workflow.NominationItem
	var info workflow.PageInfo
	if err == nil {
		f.Page = workflow.Page{Cursor: uq.Get("cursor"), Total: true}
		items, info, err = s.cfg.Service.Nominations(c.r.Context(), c.actor, f)
	}
	if err != nil {
		if !form.Refused(err, nil) {
			return err
		}
		return c.render(form.Status(err), "staff/list", "staff.list.title", v)
	}
	for _, it := range items {
		v.Rows = append(v.Rows, c.listRow(it, progs))
	}
	v.Total = *info.Total
	v.Next, v.Prev, v.First = pageLinks(q, uq.Get("cursor"), uq.Get("trail"), info.NextCursor)
	return c.render(http.StatusOK, "staff/list", "staff.list.title", v)
}

// programmeTitles are the titles of the caller's programmes by
// "cycle/programme" (a programme's key recurs every year), and of their
// stages by "cycle/programme/stage".
func programmeTitles(c *ctx, ps []staffProgramme) map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		key := p.Cycle + "/" + p.Programme.Key
		out[key] = p.Programme.Title.In(c.lang)
		for _, st := range p.Programme.Stages {
			out[key+"/"+st.Key] = st.Title.In(c.lang)
		}
	}
	return out
}

func withFormat(v url.Values) string {
	v.Set("format", "csv")
	return v.Encode()
}

// pageLinks are the next, previous and first pages. The cursor only goes
// forward, so the URL carries the cursors of the pages before (trail, "-"
// for the first page), up to maxTrail of them.
func pageLinks(q listQuery, cursor, trail, next string) (string, string, string) {
	var seen []string
	if trail != "" {
		seen = strings.Split(trail, ",")
	}
	link := func(cur string, tr []string) string {
		v := q.values()
		if cur != "" {
			v.Set("cursor", cur)
		}
		if len(tr) > 0 {
			v.Set("trail", strings.Join(tr, ","))
		}
		return "/staff/nominations?" + v.Encode()
	}
	var n, p, first string
	if next != "" {
		here := cursor
		if here == "" {
			here = "-"
		}
		tr := append(slices.Clone(seen), here)
		if len(tr) > maxTrail {
			tr = tr[len(tr)-maxTrail:]
		}
		n = link(next, tr)
	}
	if cursor != "" {
		first = link("", nil)
		if len(seen) > 0 {
			prev := seen[len(seen)-1]
			if prev == "-" {
				prev = ""
			}
			p = link(prev, seen[:len(seen)-1])
		} else {
			p = first
		}
	}
	return n, p, first
}

// maxExport bounds a CSV download (and "everything matching").
const maxExport = 10_000

// matching reads every nomination matching f, page by page, up to limit;
// more than limit is Invalid (narrow the filter).
func (s *Site) matching(c *ctx, f workflow.NominationFilter, limit int) ([]workflow.NominationItem, error) {
	var out []workflow.NominationItem
	f.Page = workflow.Page{Limit: workflow.MaxLimit}
	for {
		items, info, err := s.cfg.Service.Nominations(c.r.Context(), c.actor, f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if len(out) > limit {
			return nil, workflow.Refuse(workflow.Invalid, "該当する応募が %[1]d 件を超えています。条件を絞り込んでください",
				"more than %[1]d nominations match; narrow the filter", limit)
		}
		if info.NextCursor == "" {
			return out, nil
		}
		f.Page.Cursor = info.NextCursor
	}
}

// staffCSV downloads the filtered list as UTF-8 CSV with a byte-order
// mark (Excel then reads the Japanese), cells escaped as the public lists'.
func (s *Site) staffCSV(c *ctx, f workflow.NominationFilter, progs map[string]string) error {
	items, err := s.matching(c, f, maxExport)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	head := []string{}
	for _, k := range []string{"receipt", "id", "organisation", "programme", "state", "stage", "verdict", "prefecture", "industry", "version", "updated"} {
		head = append(head, c.T("staff.col."+k))
	}
	w.Write(head) //nolint:errcheck // a bytes.Buffer; Error below
	p := c.page("", nil)
	for _, it := range items {
		r := c.listRow(it, progs)
		rec := []string{r.Receipt, strconv.FormatInt(r.ID, 10), r.Name, r.Programme, r.State, r.Stage, r.Verdict, r.Prefecture, r.Industry,
			strconv.Itoa(r.Version), p.DateTime(r.Updated)}
		for i := range rec {
			rec[i] = workbook.CSVCell(rec[i])
		}
		w.Write(rec) //nolint:errcheck // a bytes.Buffer; Error below
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	h := c.w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="nominations.csv"`)
	h.Set("Cache-Control", "no-store")
	_, err = c.w.Write(buf.Bytes())
	return err
}

// ---- bulk actions ----

// selected is one nomination of a bulk selection and the version it was
// seen at: "ID:VERSION" in the forms.
type selected struct {
	ID                               int64
	Version                          int
	Code, Receipt, Name, State, Href string
	Changed                          bool // moved on since the list showed it
	Blocked                          []string
}

func parseSelection(vals []string) ([]selected, bool) {
	var out []selected
	for _, v := range vals {
		a, b, ok := strings.Cut(v, ":")
		id, err1 := strconv.ParseInt(a, 10, 64)
		ver, err2 := strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || id <= 0 || ver <= 0 {
			return nil, false
		}
		out = append(out, selected{ID: id, Version: ver})
	}
	return out, true
}

type bulkView struct {
	Action     workflow.Action
	ActionName string
	To         string
	Rows       []selected
	Form       *Form
	Changed    int
	Blocked    int        // rows that cannot take the action now
	Eligible   []selected // the rows that can: "continue with only these"
	Stale      bool
	Back       string
}

func bulkAction(name string) (workflow.Action, bool) {
	a := workflow.Action(name)
	return a, slices.Contains(bulkActions, a)
}

// targetState is where an action leads (the first row of the table with it).
func targetState(a workflow.Action) workflow.State {
	for _, t := range workflow.Transitions() {
		if t.Action == a {
			return t.To
		}
	}
	return ""
}

// inputForm is the inputs an action needs, by the lifecycle table's needs.
func (c *ctx) inputForm(needs []string, prefix string) *Form {
	f := c.form()
	for _, n := range needs {
		switch n {
		case "reason":
			f.Add(Field{Name: "reason", ID: prefix + "reason", Label: c.T("staff.input.reason"), Help: c.T("staff.input.reason.help"),
				Type: "textarea", Required: true, MaxLength: 2000, Rows: 3})
		case "due":
			f.Add(Field{Name: "due", ID: prefix + "due", Label: c.T("staff.input.due"), Help: c.T("staff.input.due.help"), Type: "date", Required: true})
		}
	}
	return f
}

// readInput is the posted inputs of an action; a missing or malformed one
// marks its field.
func (c *ctx) readInput(f *Form) workflow.Input {
	in := workflow.Input{}
	if fl := f.Field("reason"); fl != nil {
		in.Reason = strings.TrimSpace(fl.Value)
		if in.Reason == "" {
			f.Fail("reason", c.T("staff.input.reason.missing"))
		}
	}
	if fl := f.Field("due"); fl != nil {
		d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(fl.Value), workflow.Tokyo)
		if err != nil {
			f.Fail("due", c.T("staff.input.due.bad"))
		} else {
			end := d.AddDate(0, 0, 1) // the end of that day: a due date is a must-arrive deadline
			in.Due = &end
		}
	}
	if fl := f.Field("award"); fl != nil {
		in.Award = fl.Value
	}
	return in
}

// selection resolves a bulk post: the rows ticked, or everything matching
// the list's filters, each as the caller may see it now and checked
// against the action (see checkRows).
func (s *Site) selection(c *ctx, f *Form, a workflow.Action) ([]selected, error) {
	var sel []selected
	if f.Value("all") == "true" {
		lf, err := readListQuery(c.r.PostForm).filter()
		if err != nil {
			return nil, err
		}
		items, err := s.matching(c, lf, workflow.MaxLimit*5)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			sel = append(sel, selected{ID: it.Nomination.ID, Version: it.Nomination.Version})
		}
	} else {
		var ok bool
		if sel, ok = parseSelection(c.r.PostForm["sel"]); !ok {
			return nil, workflow.Refuse(workflow.Invalid, "選択の形式が正しくありません", "the selection is malformed")
		}
	}
	return sel, s.checkRows(c, sel, a)
}

// checkRows reads each selected nomination as the caller sees it now and
// notes on the row why it cannot take the action, if it cannot: not from
// its state, or a guard that fails (the nomination's own list of actions,
// the one its detail page offers).
func (s *Site) checkRows(c *ctx, rows []selected, a workflow.Action) error {
	for i := range rows {
		r := &rows[i]
		v, err := s.cfg.Service.Nomination(c.r.Context(), c.actor, r.ID)
		if err != nil {
			return err
		}
		n := v.Nomination
		r.Code, r.Receipt, r.State, r.Href = workflow.EntryCode(n.ID), receiptNumber(n), n.State.Label().In(c.lang), staffPath(n.ID, "")
		r.Name = fmt.Sprintf("#%d", n.ID)
		if n.Snapshot != nil {
			r.Name = n.Snapshot.Name
		}
		r.Changed = n.Version != r.Version
		r.Blocked = c.cannotTake(v, a)
	}
	return nil
}

// cannotTake is why the nomination cannot take the action now; none when it can.
func (c *ctx) cannotTake(v workflow.NominationView, a workflow.Action) []string {
	i := slices.IndexFunc(v.Actions, func(o workflow.Option) bool { return o.Action == a })
	if i < 0 {
		return []string{c.T("staff.bulk.not_from", v.Nomination.State.Label().In(c.lang), a.Label().In(c.lang))}
	}
	var out []string
	for _, p := range v.Actions[i].Reasons {
		out = append(out, p.Message.In(c.lang))
	}
	return out
}

func (s *Site) bulkView(c *ctx, a workflow.Action, rows []selected) bulkView {
	v := bulkView{Action: a, ActionName: c.actionName(a), To: targetState(a).Label().In(c.lang), Rows: rows, Back: "/staff/nominations"}
	var needs []string
	for _, t := range workflow.Transitions() {
		if t.Action == a {
			for _, n := range []struct {
				bit  workflow.Needs
				name string
			}{{workflow.NeedReason, "reason"}, {workflow.NeedDue, "due"}} {
				if t.Needs&n.bit != 0 && !slices.Contains(needs, n.name) {
					needs = append(needs, n.name)
				}
			}
		}
	}
	v.Form = c.inputForm(needs, "f-")
	for _, r := range rows {
		if r.Changed {
			v.Changed++
		}
		if r.Blocked != nil {
			v.Blocked++
		} else {
			v.Eligible = append(v.Eligible, r)
		}
	}
	return v
}

func (s *Site) staffBulkConfirm(c *ctx) error {
	if err := staffOnly(c); err != nil {
		return err
	}
	f := c.form()
	if err := f.Read(); err != nil {
		return err
	}
	a, ok := bulkAction(f.Value("action"))
	if !ok {
		return workflow.Refuse(workflow.Invalid, "一括操作を選んでください", "choose a bulk action")
	}
	rows, err := s.selection(c, f, a)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return workflow.Refuse(workflow.Invalid, "応募が選ばれていません。一覧で選んでからやり直してください", "no nominations were selected; select some in the list")
	}
	return c.render(http.StatusOK, "staff/bulk", "staff.bulk.title", s.bulkView(c, a, rows))
}

func (s *Site) staffBulkApply(c *ctx) error {
	if err := staffOnly(c); err != nil {
		return err
	}
	if err := c.form().Read(); err != nil {
		return err
	}
	a, ok := bulkAction(c.r.PostFormValue("action"))
	if !ok {
		return workflow.Refuse(workflow.Invalid, "一括操作を選んでください", "choose a bulk action")
	}
	sel, ok := parseSelection(c.r.PostForm["sel"])
	if !ok || len(sel) == 0 {
		return workflow.Refuse(workflow.Invalid, "選択の形式が正しくありません", "the selection is malformed")
	}
	if err := s.checkRows(c, sel, a); err != nil {
		return err
	}
	v := s.bulkView(c, a, sel)
	names := map[int64]*selected{}
	for i := range v.Rows {
		v.Rows[i].Blocked = nil // the service's refusal names them below
		names[v.Rows[i].ID] = &v.Rows[i]
	}
	v.Blocked, v.Eligible = 0, nil
	if err := v.Form.Read(); err != nil {
		return err
	}
	in := c.readInput(v.Form)
	if v.Form.Failed() {
		return c.render(http.StatusUnprocessableEntity, "staff/bulk", "staff.bulk.title", v)
	}
	want := make([]workflow.Expect, len(sel))
	for i, r := range sel {
		want[i] = workflow.Expect{ID: r.ID, Version: r.Version}
	}
	done, err := s.cfg.Service.BulkAct(c.r.Context(), c.actor, want, a, in)
	if err == nil {
		http.SetCookie(c.w, &http.Cookie{Name: flashCookie, Value: "flash.staff.bulk_done", Path: "/", MaxAge: 60,
			HttpOnly: true, Secure: c.s.cfg.Secure, SameSite: http.SameSiteLaxMode})
		q := url.Values{"state": {string(done[0].State)}}
		return c.redirect("/staff/nominations?" + q.Encode())
	}
	code := workflow.ErrorCode(err)
	switch code {
	case workflow.Invalid, workflow.IllegalTransition, workflow.Conflict, workflow.Forbidden, workflow.NotFound:
	default:
		return err
	}
	ps := workflow.ErrorProblems(err)
	if len(sel) == 1 { // a single nomination's refusal carries no path
		for i := range ps {
			ps[i].Path = strings.TrimSuffix(fmt.Sprintf("nominations[%d].%s", sel[0].ID, ps[i].Path), ".")
		}
		if len(ps) == 0 {
			var e *workflow.Error
			if errors.As(err, &e) {
				ps = []workflow.Problem{{Path: fmt.Sprintf("nominations[%d]", sel[0].ID), Code: string(code), Message: workflow.Text{Ja: e.Ja, En: e.Message}}}
			}
		}
	}
	for _, p := range ps {
		var id int64
		rest := ""
		if _, err := fmt.Sscanf(p.Path, "nominations[%d]", &id); err != nil {
			continue
		}
		if i := strings.Index(p.Path, "]."); i >= 0 {
			rest = p.Path[i+2:]
		}
		r := names[id]
		if r == nil {
			continue
		}
		msg := p.Message.In(c.lang)
		if p.Code == "stale" {
			v.Stale, r.Changed = true, true
		}
		if rest == "reason" || rest == "due" {
			v.Form.Fail(rest, msg)
			continue
		}
		if p.Code != "stale" {
			r.Blocked = append(r.Blocked, msg)
		}
	}
	for _, r := range v.Rows {
		if r.Blocked != nil {
			v.Blocked++
		} else if !r.Changed {
			v.Eligible = append(v.Eligible, r)
		}
	}
	if !v.Form.Failed() && v.Blocked == 0 && !v.Stale {
		v.Form.Refused(err, nil)
	}
	st := statusOf[code]
	if v.Stale {
		st = http.StatusConflict
	}
	return c.render(st, "staff/bulk", "staff.bulk.title", v)
}

// ---- detail ----

type answerLine struct {
	Label, Value string
	Public       bool
}

type verdictView struct {
	Title   string
	Outcome string
	Class   string
	Rules   []ruleLine
}

type ruleLine struct {
	Rule, Condition, Outcome, Reason string
}

// ruleCondition is a rule's condition with the form's field keys written
// as their labels: 「…時間外・休日労働時間（時間）」 < 45. The cycle gives
// rules no label of their own; the condition is what the rule checks.
func (c *ctx) ruleCondition(p workflow.Programme, key string) string {
	for _, r := range p.Eligibility {
		if r.Key != key {
			continue
		}
		cond := r.Condition
		for _, f := range p.Form.Fields {
			cond = regexp.MustCompile(`\b`+regexp.QuoteMeta(f.Key)+`\b`).ReplaceAllString(cond, "「"+f.Label.In(c.lang)+"」")
		}
		return cond
	}
	return ""
}

type timelineRow struct {
	At           time.Time
	Who, Role    string
	What, Detail string
	Due          *time.Time
}

type actionForm struct {
	Action  string
	Label   string
	Href    string
	Allowed bool
	Reasons []string
	Form    *Form
	Award   []Option
}

type detailView struct {
	Nomination workflow.Nomination
	Programme  workflow.Programme
	Code       string // E00019
	Receipt    string
	Cycle      string // the cycle's title
	State      string
	Stage      string // the stage's title, while the nomination is at one
	Org        *workflow.Organisation
	OrgRows    []answerLine
	Answers    []answerLine
	Verdicts   []verdictView
	Timeline   []timelineRow
	Actions    []actionForm
	Public     string
	Version    int
}

var outcomeClass = map[workflow.Outcome]string{workflow.Pass: "pass", workflow.Fail: "fail", workflow.Unknown: "unknown"}

func (c *ctx) orgRows(o workflow.Organisation) []answerLine {
	rows := []answerLine{{Label: c.T("staff.org.name"), Value: o.Name}, {Label: c.T("staff.org.kana"), Value: o.NameKana},
		{Label: c.T("staff.org.corporate_number"), Value: o.CorporateNumber}}
	if p, ok := workflow.PrefectureByCode(o.Prefecture); ok {
		rows = append(rows, answerLine{Label: c.T("staff.org.address"), Value: p.Name.In(c.lang) + " " + o.Municipality})
	}
	if i, ok := workflow.IndustryByCode(o.Industry); ok {
		rows = append(rows, answerLine{Label: c.T("staff.org.industry"), Value: i.Code + " " + i.Name.In(c.lang)})
	}
	rows = append(rows, answerLine{Label: c.T("staff.org.headcount"), Value: c.T("staff.org.headcount.value", grouped(int64(o.TotalHeadcount)), grouped(int64(o.RegularHeadcount)))})
	if o.Capital != nil {
		rows = append(rows, answerLine{Label: c.T("staff.org.capital"), Value: c.T("staff.org.capital.value", grouped(*o.Capital))})
	}
	size := c.T("staff.org.size.large")
	switch z := o.Size(); {
	case z.Small:
		size = c.T("staff.org.size.small")
	case z.SME:
		size = c.T("staff.org.size.sme")
	}
	return append(rows, answerLine{Label: c.T("staff.org.size"), Value: size})
}

func (s *Site) detailView(c *ctx, v workflow.NominationView) (detailView, error) {
	n := v.Nomination
	d := detailView{Nomination: n, Programme: v.Programme, Code: workflow.EntryCode(n.ID), Receipt: receiptNumber(n), Cycle: n.CycleKey, State: n.State.Label().In(c.lang), Org: n.Snapshot, Version: n.Version}
	if n.Snapshot != nil {
		d.OrgRows = c.orgRows(*n.Snapshot)
	}
	if cv, err := s.cfg.Service.Cycle(c.r.Context(), n.CycleKey); err == nil {
		d.Cycle = cv.Cycle.Title.In(c.lang)
	}
	if st, ok := v.Programme.Stage(n.Stage); ok {
		d.Stage = st.Title.In(c.lang)
	}
	for _, q := range v.Programme.Form.Fields {
		d.Answers = append(d.Answers, answerLine{Label: q.Label.In(c.lang), Value: c.answerText(q, n.Answers[q.Key]), Public: q.Public})
	}
	for _, vd := range v.Verdicts {
		title := c.T("staff.verdict.screening")
		for _, st := range v.Programme.Stages {
			if st.Key == vd.AppliesTo {
				title = st.Title.In(c.lang)
			}
		}
		vv := verdictView{Title: title, Outcome: c.T("staff.outcome." + string(vd.Outcome)), Class: outcomeClass[vd.Outcome]}
		for _, r := range vd.Results {
			reason := r.Reason.In(c.lang)
			if len(r.Missing) > 0 {
				reason = strings.TrimSpace(reason + " " + c.T("staff.verdict.missing", strings.Join(r.Missing, ", ")))
			}
			if reason == "" {
				reason = c.T("staff.verdict.reason." + string(r.Outcome))
			}
			vv.Rules = append(vv.Rules, ruleLine{Rule: r.Rule, Condition: c.ruleCondition(v.Programme, r.Rule),
				Outcome: c.T("staff.outcome." + string(r.Outcome)), Reason: reason})
		}
		d.Verdicts = append(d.Verdicts, vv)
	}
	ctx := c.r.Context()
	hs, err := s.cfg.Service.History(ctx, c.actor, n.ID)
	if err != nil {
		return d, err
	}
	for _, h := range hs {
		what := h.Action.Label().In(c.lang)
		if h.To != "" {
			what += " → " + h.To.Label().In(c.lang)
		}
		d.Timeline = append(d.Timeline, timelineRow{At: h.At, Who: h.ActorName, Role: h.Role.Label().In(c.lang), What: what, Detail: h.Reason, Due: h.Due})
	}
	if s.cfg.Authorizer.Allowed(c.user.ID, policy.ReadHistory) {
		edits, err := s.cfg.Service.AnswerHistory(ctx, c.actor, n.ID)
		if err != nil && workflow.ErrorCode(err) != workflow.Forbidden {
			return d, err
		}
		for _, e := range edits {
			var fields []string
			for _, ch := range e.Changes {
				label := ch.Field
				if q, ok := v.Programme.Form.Field(ch.Field); ok {
					label = q.Label.In(c.lang)
				}
				fields = append(fields, label)
			}
			d.Timeline = append(d.Timeline, timelineRow{At: e.At, Who: e.ActorName, Role: e.Role.Label().In(c.lang), What: c.T("staff.timeline.answers"),
				Detail: strings.Join(fields, c.T("staff.list_sep"))})
		}
	}
	slices.SortStableFunc(d.Timeline, func(a, b timelineRow) int { return a.At.Compare(b.At) })
	for _, o := range v.Actions {
		af := actionForm{Action: string(o.Action), Label: c.actionName(o.Action), Href: staffPath(n.ID, "/actions/"+string(o.Action)),
			Allowed: o.Allowed, Form: c.inputForm(o.Needs, "f-"+string(o.Action)+"-")}
		for _, r := range o.Reasons {
			af.Reasons = append(af.Reasons, r.Message.In(c.lang))
		}
		if slices.Contains(o.Needs, "award") {
			fl := af.Form.Add(Field{Name: "award", ID: "f-" + string(o.Action) + "-award", Label: c.T("staff.input.award"), Type: "select", Required: true})
			for _, st := range v.Programme.Stages {
				if st.Key != n.Stage {
					continue
				}
				for _, key := range st.Awards {
					label := key
					for _, aw := range v.Programme.Awards {
						if aw.Key == key {
							label = aw.Title.In(c.lang)
						}
					}
					fl.Options = append(fl.Options, Option{Value: key, Label: label})
				}
			}
		}
		d.Actions = append(d.Actions, af)
	}
	if s.cfg.Authorizer.Allowed(c.user.ID, policy.ManagePublications) && n.SubmittedAt != nil {
		d.Public = staffPath(n.ID, "/public")
	}
	return d, nil
}

func (s *Site) staffNomination(c *ctx) error {
	if err := staffOnly(c); err != nil {
		return err
	}
	v, err := s.loadNomination(c)
	if err != nil {
		return err
	}
	d, err := s.detailView(c, v)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "staff/detail", "staff.detail.title", d)
}

func (s *Site) staffAct(c *ctx) error {
	if err := staffOnly(c); err != nil {
		return err
	}
	a := workflow.Action(c.r.PathValue("action"))
	if !slices.Contains(workflow.Actions, a) {
		return workflow.Refuse(workflow.NotFound, "操作「%s」はありません", "no such action %q", a)
	}
	v, err := s.loadNomination(c)
	if err != nil {
		return err
	}
	d, err := s.detailView(c, v)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.Actions, func(af actionForm) bool { return af.Action == string(a) })
	if i < 0 {
		return workflow.Refuse(workflow.IllegalTransition, "この応募では今「%s」はできません", "%s is not available on this nomination now", a.Label().Ja)
	}
	af := d.Actions[i]
	if err := af.Form.Read(); err != nil {
		return err
	}
	in := c.readInput(af.Form)
	if af.Form.Failed() {
		return c.render(http.StatusUnprocessableEntity, "staff/detail", "staff.detail.title", d)
	}
	version, err := strconv.Atoi(af.Form.Value("version"))
	if err != nil || version < 1 {
		version = -1
	}
	_, err = s.cfg.Service.Act(c.r.Context(), c.actor, v.Nomination.ID, version, a, in)
	if err == nil {
		return c.flash("flash.staff.acted", staffPath(v.Nomination.ID, ""))
	}
	if workflow.ErrorCode(err) == workflow.Conflict {
		seen := workflow.State(af.Form.Value("state"))
		return c.conflict("", []ConflictRow{
			{Label: c.T("staff.col.state"), Theirs: v.Nomination.State.Label().In(c.lang), Yours: seen.Label().In(c.lang)},
			{Label: c.T("staff.col.version"), Theirs: strconv.Itoa(v.Nomination.Version), Yours: strconv.Itoa(version)},
		}, staffPath(v.Nomination.ID, ""))
	}
	if !af.Form.Refused(err, func(p string) string {
		if p == "reason" || p == "due" || p == "award" {
			return p
		}
		return ""
	}) {
		return err
	}
	return c.render(af.Form.Status(err), "staff/detail", "staff.detail.title", d)
}

// actionName is an action as a button or a choice names it: the lifecycle's
// label, capitalised in English ("Select", "Not select").
func (c *ctx) actionName(a workflow.Action) string {
	s := a.Label().In(c.lang)
	if r, n := utf8.DecodeRuneInString(s); c.lang == "en" && n > 0 {
		return string(unicode.ToUpper(r)) + s[n:]
	}
	return s
}

// ---- the staff's work pages ----

// workPage is a main page of a staff role: where its holder signs in to
// and what /me links to.
type workPage struct {
	key, href string
	rule      Rule
}

// workPages in the order a sign-in without ?next= picks: an administrator
// lands on the users, a secretariat on its dashboard, a judge or chair on
// its stages.
var workPages = []workPage{
	{"staff.work.admin", "/admin/users", allow(workflow.PermCreateUser)},
	{"staff.work.staff", "/staff", allow(policy.ReadWindows)},
	{"staff.work.judging", "/judging", allow(policy.WriteScores)},
}

// workLinks are the work pages the caller's roles admit.
func (c *ctx) workLinks() []NavLink {
	var out []NavLink
	for _, p := range workPages {
		if c.s.cfg.Authorizer.Admits(c.userID(), p.rule) {
			out = append(out, NavLink{Label: c.T(p.key), Href: p.href})
		}
	}
	return out
}

// landing is where a user signs in to without ?next=: the first work page
// its roles admit, or /me.
func (s *Site) landing(userID int64) string {
	for _, p := range workPages {
		if s.cfg.Authorizer.Admits(userID, p.rule) {
			return p.href
		}
	}
	return "/me"
}
