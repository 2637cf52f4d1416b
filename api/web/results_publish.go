package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// The release, publication and public-record pages of resultsPages.

// programmeInfo is the programme a page is about, read once the service
// has admitted the caller to it.
type programmeInfo struct {
	Cycle, Programme       string
	CycleTitle, Title      string
	ReleaseHref, PubsHref  string
	CanRelease, CanPublish bool
	cycle                  workflow.Cycle
}

func (s *Site) programmeInfo(c *ctx) (programmeInfo, error) {
	key, prog := c.r.PathValue("cycle"), c.r.PathValue("programme")
	cv, err := s.cfg.Service.Cycle(c.r.Context(), key)
	if err != nil {
		return programmeInfo{}, err
	}
	return programmeInfo{Cycle: key, Programme: prog, CycleTitle: cv.Cycle.Title.In(c.lang), Title: programmeTitle(cv.Cycle, prog, c.lang),
		ReleaseHref: programmePath(key, prog, "/release"), PubsHref: programmePath(key, prog, "/publications"),
		CanRelease: s.cfg.Authorizer.Allowed(c.userID(), policy.ReleaseResults), CanPublish: s.cfg.Authorizer.Allowed(c.userID(), policy.ManagePublications),
		cycle: cv.Cycle}, nil
}

// ---- release ----

type releaseView struct {
	Info      programmeInfo
	Status    workflow.ReleaseStatus
	Undecided []stateCount
	Confirmed []stateCount // counts the release was confirmed with
	Open      []openWindow // judging windows of the programme still open
	Form      *Form
}

// openWindow is a stage whose judging window has not closed yet.
type openWindow struct {
	Stage  string
	Closes time.Time
}

func (s *Site) releaseContext(c *ctx) (releaseView, error) {
	st, err := s.cfg.Service.ReleaseStatus(c.r.Context(), c.actor, c.r.PathValue("cycle"), c.r.PathValue("programme"))
	if err != nil {
		return releaseView{}, err
	}
	info, err := s.programmeInfo(c)
	if err != nil {
		return releaseView{}, err
	}
	v := releaseView{Info: info, Status: st, Form: c.form()}
	counts := func(m map[workflow.State]int) []stateCount {
		var out []stateCount
		for _, u := range workflow.UndecidedStates {
			if m[u] > 0 {
				out = append(out, stateCount{Label: u.Label().In(c.lang), N: m[u]})
			}
		}
		return out
	}
	v.Undecided = counts(st.Undecided)
	if p, ok := info.cycle.Programme(info.Programme); ok {
		for _, sg := range p.Stages {
			if j := sg.Judging; j != nil && phase(j.Window, s.cfg.Now()) != "closed" {
				v.Open = append(v.Open, openWindow{Stage: sg.Title.In(c.lang), Closes: j.Window.Closes})
			}
		}
	}
	if st.Release != nil {
		v.Confirmed = counts(st.Release.ConfirmedUndecided)
	}
	if st.UndecidedTotal > 0 {
		v.Form.Add(Field{Name: "confirm", Label: c.T("results.release.confirm", st.UndecidedTotal), Type: "checkbox", Required: true})
		v.Form.Add(Field{Name: "reason", Label: c.T("results.release.reason"), Help: c.T("results.release.reason.help"),
			Type: "textarea", Rows: 3, Required: true, MaxLength: 2000})
	}
	return v, nil
}

func (s *Site) releasePage(c *ctx) error {
	v, err := s.releaseContext(c)
	if err != nil {
		return err
	}
	return c.renderPage(http.StatusOK, "results/release", c.page(c.T("results.release.title", v.Info.Title), v))
}

func (s *Site) releasePost(c *ctx) error {
	v, err := s.releaseContext(c)
	if err != nil {
		return err
	}
	f := v.Form
	if err := f.Read(); err != nil {
		return err
	}
	req := workflow.ReleaseRequest{ConfirmUndecided: f.Value("confirm") == "true", Reason: f.Value("reason")}
	_, err = s.cfg.Service.Release(c.r.Context(), c.actor, v.Info.Cycle, v.Info.Programme, req)
	if err == nil {
		return c.flash("flash.results.released", v.Info.ReleaseHref)
	}
	if !f.Refused(err, func(p string) string {
		switch {
		case strings.HasPrefix(p, "undecided."):
			return "confirm"
		case p == "reason":
			return p
		}
		return ""
	}) {
		return err
	}
	return c.renderPage(f.Status(err), "results/release", c.page(c.T("results.release.title", v.Info.Title), v))
}

// ---- publications ----

type publicationsView struct {
	Info        programmeInfo
	Versions    []versionRow
	NotReleased bool
	Preview     *listView
	Form        *Form
	NeedsReason bool // a version is live: the next one is a correction
}

type versionRow struct {
	Version                    int
	State, StateKey            string
	Embargo, Created           time.Time
	Reason, WithdrawReason     string
	Withdrawn                  *time.Time
	Count                      int
	Permalink                  string
	Withdraw                   *Form // scheduled versions only
	WithdrawAction, WithdrawID string
}

func (s *Site) publicationsContext(c *ctx) (publicationsView, error) {
	key, prog := c.r.PathValue("cycle"), c.r.PathValue("programme")
	pubs, err := s.cfg.Service.Publications(c.r.Context(), c.actor, key, prog)
	if err != nil {
		return publicationsView{}, err
	}
	info, err := s.programmeInfo(c)
	if err != nil {
		return publicationsView{}, err
	}
	v := publicationsView{Info: info, Form: c.form()}
	for i := len(pubs) - 1; i >= 0; i-- { // newest first
		p := pubs[i]
		row := versionRow{Version: p.Version, StateKey: p.State, State: c.T("results.pub.state." + p.State), Embargo: p.EmbargoAt, Created: p.CreatedAt,
			Reason: p.Reason, Withdrawn: p.WithdrawnAt, WithdrawReason: p.WithdrawReason, Count: len(p.Rows)}
		switch p.State {
		case workflow.PublicationPublic, workflow.PublicationSuperseded:
			row.Permalink = permalink(p)
		case workflow.PublicationScheduled:
			row.Withdraw = c.form()
			row.WithdrawAction = programmePath(key, prog, "/publications/"+strconv.Itoa(p.Version)+"/withdraw")
			row.Withdraw.Add(Field{Name: "reason", ID: "f-withdraw-" + strconv.Itoa(p.Version) + "-reason", Label: c.T("results.pub.withdraw.reason"),
				Help: c.T("results.pub.withdraw.reason.help"), Type: "text", Required: true, MaxLength: 2000})
		}
		if p.WithdrawnAt == nil {
			v.NeedsReason = true
		}
		v.Versions = append(v.Versions, row)
	}
	next, err := s.cfg.Service.PreviewPublication(c.r.Context(), c.actor, key, prog)
	switch workflow.ErrorCode(err) {
	case "":
		lv := toListView(c, info.cycle, next)
		v.Preview = &lv
	case workflow.IllegalTransition:
		v.NotReleased = true
	default:
		return v, err
	}
	v.Form.Add(Field{Name: "embargo_at", Label: c.T("results.pub.embargo"), Help: c.T("results.pub.embargo.help"), Type: "datetime-local", Required: true})
	v.Form.Add(Field{Name: "reason", Label: c.T("results.pub.reason"), Help: c.T("results.pub.reason.help"), Type: "textarea", Rows: 3,
		Required: v.NeedsReason, MaxLength: 2000})
	return v, nil
}

func (s *Site) publicationsPage(c *ctx) error {
	v, err := s.publicationsContext(c)
	if err != nil {
		return err
	}
	return c.renderPage(http.StatusOK, "results/publications", c.page(c.T("results.pub.title", v.Info.Title), v))
}

// embargoTime reads a datetime-local value as Japan time.
func embargoTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, workflow.Tokyo); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (s *Site) publishPost(c *ctx) error {
	v, err := s.publicationsContext(c)
	if err != nil {
		return err
	}
	f := v.Form
	if err := f.Read(); err != nil {
		return err
	}
	embargo, ok := embargoTime(f.Value("embargo_at"))
	switch {
	case strings.TrimSpace(f.Value("embargo_at")) == "":
		f.Fail("embargo_at", c.T("results.pub.embargo.missing"))
	case !ok:
		f.Fail("embargo_at", c.T("results.pub.embargo.bad"))
	}
	if f.Failed() {
		return c.renderPage(http.StatusUnprocessableEntity, "results/publications", c.page(c.T("results.pub.title", v.Info.Title), v))
	}
	p, err := s.cfg.Service.Publish(c.r.Context(), c.actor, v.Info.Cycle, v.Info.Programme, embargo, f.Value("reason"))
	if err != nil {
		if !f.Refused(err, nil) {
			return err
		}
		return c.renderPage(f.Status(err), "results/publications", c.page(c.T("results.pub.title", v.Info.Title), v))
	}
	key := "flash.results.published"
	if p.EmbargoAt.After(s.cfg.Now()) {
		key = "flash.results.scheduled"
	}
	return c.flash(key, v.Info.PubsHref)
}

func (s *Site) withdrawPost(c *ctx) error {
	v, err := s.publicationsContext(c)
	if err != nil {
		return err
	}
	version, err := strconv.Atoi(c.r.PathValue("version"))
	if err != nil || version < 1 {
		return workflow.Refuse(workflow.NotFound, "公表の版 %s はありません", "no publication version %s", c.r.PathValue("version"))
	}
	var row *versionRow
	for i := range v.Versions {
		if v.Versions[i].Version == version {
			row = &v.Versions[i]
		}
	}
	f := c.form()
	if row != nil && row.Withdraw != nil {
		f = row.Withdraw
	}
	if err := f.Read(); err != nil {
		return err
	}
	_, err = s.cfg.Service.WithdrawPublication(c.r.Context(), c.actor, v.Info.Cycle, v.Info.Programme, version, f.Value("reason"))
	if err == nil {
		return c.flash("flash.results.withdrawn", v.Info.PubsHref)
	}
	if row == nil || row.Withdraw == nil || !f.Refused(err, nil) {
		return err // no such version, or one past its embargo or withdrawn: the error page says which
	}
	return c.renderPage(f.Status(err), "results/publications", c.page(c.T("results.pub.title", v.Info.Title), v))
}

// ---- the public record ----

type publicRecordView struct {
	ID        int64
	Receipt   string
	Programme string
	Rows      []recordRow
	Form      *Form
	Version   int
	Pubs      string
}

type recordRow struct {
	Label, Submitted, Public string
	Corrected                bool
}

// recordField is one public field: its control and how its values read.
type recordField struct {
	name, key, label string
	submitted, now   string
	show             func(string) string // a value as people read it
}

func (s *Site) publicRecordContext(c *ctx) (publicRecordView, []recordField, error) {
	id, err := c.nominationID()
	if err != nil {
		return publicRecordView{}, nil, err
	}
	rec, err := s.cfg.Service.PublicRecord(c.r.Context(), c.actor, id)
	if err != nil {
		return publicRecordView{}, nil, err
	}
	nv, err := s.cfg.Service.Nomination(c.r.Context(), c.actor, id)
	if err != nil {
		return publicRecordView{}, nil, err
	}
	n := nv.Nomination
	v := publicRecordView{ID: id, Receipt: receiptNumber(n), Programme: nv.Programme.Title.In(c.lang), Version: rec.Version, Form: c.form(),
		Pubs: programmePath(n.CycleKey, n.ProgrammeKey, "/publications")}
	pref := func(code string) string {
		if p, ok := workflow.PrefectureByCode(code); ok {
			return p.Name.In(c.lang)
		}
		return code
	}
	ind := func(code string) string {
		if i, ok := workflow.IndustryByCode(code); ok {
			return code + " " + i.Name.In(c.lang)
		}
		return code
	}
	sub, pub := rec.Submitted, rec.Public
	fields := []recordField{
		{name: "organisation_name", key: "organisation_name", label: c.T("public.col.name"), submitted: sub.OrganisationName, now: pub.OrganisationName},
		{name: "prefecture", key: "prefecture", label: c.T("public.col.prefecture"), submitted: sub.Prefecture, now: pub.Prefecture},
		{name: "municipality", key: "municipality", label: c.T("public.col.municipality"), submitted: sub.Municipality, now: pub.Municipality},
		{name: "industry", key: "industry", label: c.T("public.col.industry"), submitted: sub.Industry, now: pub.Industry},
		{name: "headcount", key: "headcount", label: c.T("public.col.headcount"), submitted: strconv.Itoa(sub.Headcount), now: strconv.Itoa(pub.Headcount)},
	}
	for _, q := range nv.Programme.Form.Fields {
		if q.Public {
			fields = append(fields, recordField{name: "a." + q.Key, key: "answers." + q.Key, label: q.Label.In(c.lang),
				submitted: sub.Answers[q.Key], now: pub.Answers[q.Key]})
		}
	}
	corrected := map[string]bool{}
	for _, k := range rec.Corrected {
		corrected[k] = true
	}
	for i := range fields {
		fd := &fields[i]
		switch fd.name {
		case "prefecture":
			fd.show = pref
		case "industry":
			fd.show = ind
		default:
			fd.show = func(x string) string { return x }
		}
		v.Rows = append(v.Rows, recordRow{Label: fd.label, Submitted: fd.show(fd.submitted), Public: fd.show(fd.now), Corrected: corrected[fd.key]})
		fl := Field{Name: fd.name, Label: fd.label, Type: "text", Required: true, Value: fd.now}
		switch fd.name {
		case "prefecture":
			fl.Type = "select"
			for _, p := range workflow.Prefectures {
				fl.Options = append(fl.Options, Option{Value: p.Code, Label: p.Name.In(c.lang)})
			}
		case "industry":
			fl.Type = "select"
			for _, i := range workflow.Industries {
				fl.Options = append(fl.Options, Option{Value: i.Code, Label: i.Code + " " + i.Name.In(c.lang)})
			}
		case "headcount":
			fl.InputMode = "numeric"
		default:
			if strings.HasPrefix(fd.name, "a.") {
				fl.Required, fl.Help = false, c.T("results.record.answer.help")
				if q, ok := nv.Programme.Form.Field(strings.TrimPrefix(fd.name, "a.")); ok && q.Type == workflow.FieldLongText {
					fl.Type, fl.Rows = "textarea", 4
				}
			}
		}
		v.Form.Add(fl)
	}
	v.Form.Add(Field{Name: "reason", Label: c.T("results.record.reason"), Help: c.T("results.record.reason.help"), Type: "textarea", Rows: 3,
		Required: true, MaxLength: 2000})
	return v, fields, nil
}

func (s *Site) publicRecordPage(c *ctx) error {
	v, _, err := s.publicRecordContext(c)
	if err != nil {
		return err
	}
	return c.renderPage(http.StatusOK, "results/public_record", c.page(c.T("results.record.title", workflow.EntryCode(v.ID)), v))
}

func (s *Site) publicRecordPost(c *ctx) error {
	v, fields, err := s.publicRecordContext(c)
	if err != nil {
		return err
	}
	f := v.Form
	if err := f.Read(); err != nil {
		return err
	}
	patch := workflow.PublicPatch{Reason: f.Value("reason"), Answers: map[string]any{}}
	str := func(name string) *string { x := f.Value(name); return &x }
	patch.OrganisationName, patch.Prefecture, patch.Municipality, patch.Industry =
		str("organisation_name"), str("prefecture"), str("municipality"), str("industry")
	if h, ok := count(f.Value("headcount")); ok && strings.TrimSpace(f.Value("headcount")) != "" {
		patch.Headcount = &h
	} else {
		f.Fail("headcount", c.T("results.record.headcount.bad"))
	}
	for _, fd := range fields {
		if k, ok := strings.CutPrefix(fd.name, "a."); ok {
			if x := f.Value(fd.name); strings.TrimSpace(x) == "" {
				patch.Answers[k] = nil
			} else {
				patch.Answers[k] = x
			}
		}
	}
	version, err := strconv.Atoi(f.Value("version"))
	if err != nil || version < 1 {
		version = -1 // never current: the conflict page shows what is saved
	}
	if f.Failed() {
		return c.renderPage(http.StatusUnprocessableEntity, "results/public_record", c.page(c.T("results.record.title", workflow.EntryCode(v.ID)), v))
	}
	_, err = s.cfg.Service.CorrectPublic(c.r.Context(), c.actor, v.ID, version, patch)
	switch {
	case err == nil:
		return c.flash("flash.results.corrected", "/staff/nominations/"+strconv.FormatInt(v.ID, 10)+"/public")
	case workflow.ErrorCode(err) == workflow.Conflict:
		var rows []ConflictRow
		for _, fd := range fields {
			rows = append(rows, ConflictRow{Label: fd.label, Theirs: fd.show(fd.now), Yours: fd.show(f.Value(fd.name))})
		}
		return c.conflict("", rows, "/staff/nominations/"+strconv.FormatInt(v.ID, 10)+"/public")
	case f.Refused(err, func(p string) string {
		if k, ok := strings.CutPrefix(p, "answers."); ok {
			return "a." + k
		}
		return p
	}):
		return c.renderPage(f.Status(err), "results/public_record", c.page(c.T("results.record.title", workflow.EntryCode(v.ID)), v))
	}
	return err
}
