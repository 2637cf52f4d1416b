package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
)

// The entry page: the application beside the rubric. The score form posts
// to …/score with go=save (a draft, 303 back), go=submit (the confirmation
// page) or go=confirm (submitted, 303 back); judging.js autosaves the draft
// with X-Autosave: 1 (204 and the new version in X-Version).

// entryPath is an entry's page of a stage, with an optional suffix.
func entryPath(ref workflow.StageRef, id int64, suffix string) string {
	return judgingPath(ref, "/entries/"+strconv.FormatInt(id, 10)+suffix)
}

// criterionField is a criterion's control name: v.<key>.
func criterionField(key string) string { return "v." + key }

// scoreForm is the rubric as a form: one number per criterion with its
// guidance, scale and weight, and the comment.
func (c *ctx) scoreForm(j *workflow.Judging) *Form {
	f := c.form()
	for _, cr := range j.Rubric {
		help := c.T("judging.scale", num(cr.Min), num(cr.Max), num(cr.Step), num(cr.Weight))
		if g := cr.Guidance.In(c.lang); g != "" {
			help = g + " " + help
		}
		f.Add(Field{Name: criterionField(cr.Key), Label: cr.Label.In(c.lang), Help: help, Type: "number", InputMode: "decimal",
			Required: cr.Required, Autocomplete: "off"})
	}
	f.Add(Field{Name: "comment", Label: c.T("judging.comment"), Help: c.T("judging.comment.help"), Type: "textarea", Rows: 6, MaxLength: 4000})
	return f
}

// fillScore puts a saved score into the form.
func fillScore(f *Form, sc *workflow.Score) {
	if sc == nil {
		return
	}
	for k, v := range sc.Values {
		if fl := f.Field(criterionField(k)); fl != nil {
			fl.Value = v
		}
	}
	f.Field("comment").Value = sc.Comment
}

// scoreInput is what the form says, for SaveScore: typed values as they
// are (the service normalises full-width digits and checks them).
func scoreInput(f *Form, j *workflow.Judging, submit bool) workflow.ScoreInput {
	in := workflow.ScoreInput{Values: map[string]any{}, Comment: f.Field("comment").Value, Submit: submit}
	for _, cr := range j.Rubric {
		if v := strings.TrimSpace(f.Field(criterionField(cr.Key)).Value); v != "" {
			in.Values[cr.Key] = v
		}
	}
	return in
}

// scoreProblemField maps a score problem's path to its control.
func scoreProblemField(path string) string {
	if k, ok := strings.CutPrefix(path, "values."); ok {
		return criterionField(k)
	}
	if path == "comment" {
		return "comment"
	}
	return ""
}

// total is the weighted total of values (numbers in canonical or typed
// form, full-width digits allowed), "" when none is a number.
func total(j *workflow.Judging, values map[string]string) string {
	crit := make([]aggregate.Criterion, len(j.Rubric))
	nums := map[string]float64{}
	for i, cr := range j.Rubric {
		crit[i] = aggregate.Criterion{Key: cr.Key, Weight: cr.Weight, Min: cr.Min, Max: cr.Max}
		if x, err := strconv.ParseFloat(halfWidth(values[cr.Key]), 64); err == nil {
			nums[cr.Key] = x
		}
	}
	if len(nums) == 0 {
		return ""
	}
	return strconv.FormatFloat(aggregate.Total(crit, nums), 'f', -1, 64)
}

// maxTotal is the highest weighted total the rubric allows.
func maxTotal(j *workflow.Judging) string {
	t := 0.0
	for _, cr := range j.Rubric {
		t += cr.Weight * cr.Max
	}
	return strconv.FormatFloat(t, 'f', -1, 64)
}

// halfWidth turns full-width digits, period and minus into ASCII.
func halfWidth(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		case r == '－' || r == '−':
			return '-'
		}
		return r
	}, s))
}

// weights is the rubric for judging.js's live total: key:weight,…
func weights(j *workflow.Judging) string {
	var parts []string
	for _, cr := range j.Rubric {
		parts = append(parts, criterionField(cr.Key)+":"+num(cr.Weight))
	}
	return strings.Join(parts, ",")
}

// otherScore is another judge's score as the service lets the caller see it.
type otherScore struct {
	Judge   string
	Status  string
	Values  []string // in the rubric's order
	Total   string
	Comment string
}

type entryView struct {
	Ref        workflow.StageRef
	ID         int64
	Code       string
	Programme  string
	Stage      string
	Judging    *workflow.Judging
	Criteria   []workflow.Criterion
	Org        []orgFact
	Answers    []answerRow
	Form       *Form
	Version    int
	Status     string // the caller's score: not started, draft or submitted
	Total      string
	MaxTotal   string
	Weights    string
	Editable   bool   // the caller may change its score now
	Autosave   bool   // a draft: saved as typed
	ReadOnly   string // why the score cannot be changed, when it cannot
	Submitted  bool
	Others     []otherScore
	OthersNote string
	CanRecuse  bool
	Recusal    *Form
	Back       string
	Action     string // the score form's action
	Next       string // after submitting: the next entry to score, if any
}

// EntryHref is the entry's page; RecusalAction its recusal form's action.
func (v entryView) EntryHref() string     { return entryPath(v.Ref, v.ID, "") }
func (v entryView) RecusalAction() string { return entryPath(v.Ref, v.ID, "/recusal") }

// entryID reads {id}; a malformed one is the same 404 as a missing one.
func (c *ctx) entryID() (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, workflow.Refuse(workflow.NotFound, "応募 %s は見つかりません", "no such entry %s", c.r.PathValue("id"))
	}
	return id, nil
}

// loadEntry is the entry as the caller may open it (the service refuses a
// judge who is not assigned or is conflicted: nothing of it is read).
func (s *Site) loadEntry(c *ctx) (workflow.MyEntry, error) {
	id, err := c.entryID()
	if err != nil {
		return workflow.MyEntry{}, err
	}
	return s.cfg.Service.MyEntry(c.r.Context(), c.actor, c.stageRef(), id)
}

// entryView builds the page; the form holds the saved score.
func (s *Site) entryView(c *ctx, me workflow.MyEntry) (entryView, error) {
	ref, n, j := c.stageRef(), me.Nomination, me.Stage.Judging
	v := entryView{Ref: ref, ID: n.ID, Code: workflow.EntryCode(n.ID), Programme: me.Programme.Title.In(c.lang), Stage: me.Stage.Title.In(c.lang),
		Judging: j, Criteria: j.Rubric, Form: c.scoreForm(j), MaxTotal: maxTotal(j), Weights: weights(j), Back: judgingPath(ref, ""),
		Action: entryPath(ref, n.ID, "/score"), Recusal: c.recusalForm(),
		Status: c.T("judging.status." + statusNotStarted)}
	if n.Snapshot != nil {
		v.Org = c.orgFacts(*n.Snapshot)
	}
	for _, q := range me.Programme.Form.Fields {
		if a := c.answerText(q, n.Answers[q.Key]); a != "" {
			v.Answers = append(v.Answers, answerRow{Label: q.Label.In(c.lang), Value: a})
		}
	}
	fillScore(v.Form, me.Score)
	if sc := me.Score; sc != nil {
		v.Version, v.Total, v.Submitted = sc.Version, total(j, sc.Values), sc.Status == workflow.ScoreSubmitted
		v.Status = c.T("judging.status." + map[bool]string{true: statusSubmitted, false: statusDraft}[v.Submitted])
	}
	mayScore := s.cfg.Authorizer.Admits(c.userID(), allow(policy.WriteScores))
	switch {
	case !mayScore || me.Role == "":
		v.ReadOnly = c.T("judging.readonly.not_panel")
	case !me.Assigned:
		v.ReadOnly = c.T("judging.readonly.not_assigned")
	case !me.UnderReview:
		v.ReadOnly = c.T("judging.readonly.decided")
	case !me.Open:
		v.ReadOnly = c.T("judging.readonly.window", (&Page{Lang: c.lang}).Deadline(j.Window.Closes))
	case me.Locked:
		v.ReadOnly = c.T("judging.readonly.locked")
	}
	v.Editable = v.ReadOnly == ""
	v.Autosave = v.Editable && !v.Submitted
	v.CanRecuse = mayScore && me.Assigned && me.UnderReview
	if v.Submitted && me.Assigned && me.Role != "" {
		es, err := s.stageEntries(c, ref)
		if err != nil {
			return v, err
		}
		v.Next = nextToScore(ref, es, c.userID(), s.cfg.Authorizer.Admits(c.userID(), allow(policy.ReadRanking)), n.ID)
	}
	if s.cfg.Authorizer.Admits(c.userID(), allow(policy.ReadScores)) {
		if err := s.otherScores(c, &v, me); err != nil {
			return v, err
		}
	}
	return v, nil
}

// otherScores lists what EntryScores lets the caller see of the other
// judges' scores, and says why there is nothing when there is nothing.
func (s *Site) otherScores(c *ctx, v *entryView, me workflow.MyEntry) error {
	vs, err := s.cfg.Service.EntryScores(c.r.Context(), c.actor, v.Ref, v.ID)
	if err != nil {
		return err
	}
	for _, sv := range vs {
		if sv.UserID == c.userID() {
			continue
		}
		o := otherScore{Judge: sv.JudgeName, Status: c.T("judging.status." + map[bool]string{true: statusSubmitted, false: statusDraft}[sv.Score.Status == workflow.ScoreSubmitted]),
			Total: total(v.Judging, sv.Score.Values), Comment: sv.Score.Comment}
		for _, cr := range v.Criteria {
			o.Values = append(o.Values, sv.Score.Values[cr.Key])
		}
		v.Others = append(v.Others, o)
	}
	if len(v.Others) == 0 {
		key := "judging.others.none"
		switch me.Stage.Judging.ScoreVisibility {
		case workflow.VisibleNever:
			key = "judging.others.never"
		case workflow.VisibleAfterSubmit:
			if !v.Submitted {
				key = "judging.others.after_submit"
			}
		}
		v.OthersNote = c.T(key)
	}
	return nil
}

func (s *Site) judgingEntry(c *ctx) error {
	me, err := s.loadEntry(c)
	if workflow.ErrorCode(err) == workflow.NotFound {
		// An entry the judge recused from reads as such, read-only: its code,
		// its organisation's name and the recusal, nothing more.
		if r, ok := s.myRecusal(c); ok {
			return c.render(http.StatusOK, "judging/recused", "judging.recused.title", recusedView{MyRecusal: r,
				Code: workflow.EntryCode(r.NominationID), Back: judgingPath(c.stageRef(), "")})
		}
	}
	if err != nil {
		return err
	}
	v, err := s.entryView(c, me)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "judging/entry", "judging.entry.title", v)
}

// recusedView is the page of an entry the caller recused from.
type recusedView struct {
	workflow.MyRecusal
	Code string
	Back string
}

// myRecusal is the caller's recusal from the entry {id} at the stage, if any.
func (s *Site) myRecusal(c *ctx) (workflow.MyRecusal, bool) {
	id, err := c.entryID()
	if err != nil {
		return workflow.MyRecusal{}, false
	}
	rs, err := s.cfg.Service.MyRecusals(c.r.Context(), c.actor, c.stageRef())
	if err != nil {
		return workflow.MyRecusal{}, false
	}
	for _, r := range rs {
		if r.NominationID == id {
			return r, true
		}
	}
	return workflow.MyRecusal{}, false
}

// saveScore saves (go=save, or an autosave), asks to confirm (go=submit)
// or submits (go=confirm).
func (s *Site) saveScore(c *ctx) error {
	me, err := s.loadEntry(c)
	if err != nil {
		return err
	}
	v, err := s.entryView(c, me)
	if err != nil {
		return err
	}
	f := c.scoreForm(me.Stage.Judging)
	if err := f.Read(); err != nil {
		return err
	}
	v.Form = f
	autosave := c.r.Header.Get("X-Autosave") == "1"
	version, err := strconv.Atoi(f.Value("version"))
	if err != nil || version < 0 {
		version = -1 // a missing version is never current: the conflict page shows what is saved
	}
	step := f.Value("go")
	if autosave {
		step = "save"
	}
	if step == "submit" && v.Submitted {
		// A correction of a submitted score (visibility never): nothing to
		// save as a draft first, the confirmation carries the values.
		return s.confirmScore(c, v, version)
	}
	sc, err := s.cfg.Service.SaveScore(c.r.Context(), c.actor, v.Ref, v.ID, version, scoreInput(f, me.Stage.Judging, step == "confirm"))
	if err != nil {
		return s.scoreRefused(c, v, me, err, autosave)
	}
	switch {
	case autosave:
		h := c.w.Header()
		h.Set("X-Version", strconv.Itoa(sc.Version))
		h.Set("Cache-Control", "no-store")
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	case step == "submit":
		return s.confirmScore(c, v, sc.Version)
	case step == "confirm":
		return c.flash("flash.judging.submitted", entryPath(v.Ref, v.ID, ""))
	}
	return c.flash("flash.judging.saved", entryPath(v.Ref, v.ID, ""))
}

// scoreRefused answers a refused save: the conflict page for a stale
// version, the page again with the errors and the typed values otherwise;
// an autosave gets a short text.
func (s *Site) scoreRefused(c *ctx, v entryView, me workflow.MyEntry, err error, autosave bool) error {
	code := workflow.ErrorCode(err)
	if code == workflow.Conflict {
		if autosave {
			return c.plain(http.StatusConflict, c.T("judging.autosave.conflict"))
		}
		return s.scoreConflict(c, v, me)
	}
	if !v.Form.Refused(err, scoreProblemField) {
		return err
	}
	if autosave {
		var msgs []string
		for _, e := range v.Form.Errors {
			msgs = append(msgs, e.Message)
		}
		return c.plain(v.Form.Status(err), strings.Join(msgs, "\n"))
	}
	typed := map[string]string{}
	for _, cr := range v.Criteria {
		typed[cr.Key] = v.Form.Field(criterionField(cr.Key)).Value
	}
	v.Total = total(v.Judging, typed)
	return c.render(v.Form.Status(err), "judging/entry", "judging.entry.title", v)
}

// scoreConflict is the 409 page: the score saved meanwhile (in another
// window, or by an imported sheet) beside what was typed.
func (s *Site) scoreConflict(c *ctx, v entryView, me workflow.MyEntry) error {
	fresh, err := s.cfg.Service.MyEntry(c.r.Context(), c.actor, v.Ref, v.ID)
	if err != nil {
		return err
	}
	saved := &workflow.Score{}
	if fresh.Score != nil {
		saved = fresh.Score
	}
	var rows []ConflictRow
	for _, cr := range v.Criteria {
		rows = append(rows, ConflictRow{Label: cr.Label.In(c.lang), Theirs: saved.Values[cr.Key], Yours: v.Form.Field(criterionField(cr.Key)).Value})
	}
	rows = append(rows, ConflictRow{Label: c.T("judging.comment"), Theirs: saved.Comment, Yours: v.Form.Field("comment").Value})
	return c.conflict(c.T("judging.conflict.who"), rows, entryPath(v.Ref, v.ID, ""))
}

// confirmView is the confirmation before submitting: the values as they
// will be submitted, the total, and the form that submits them.
type confirmScoreView struct {
	entryView
	Rows    []answerRow
	Comment string
	Missing []string
}

func (s *Site) confirmScore(c *ctx, v entryView, version int) error {
	cv := confirmScoreView{entryView: v, Comment: strings.TrimSpace(v.Form.Field("comment").Value)}
	cv.Version = version
	typed := map[string]string{}
	for _, cr := range v.Criteria {
		val := halfWidth(v.Form.Field(criterionField(cr.Key)).Value)
		typed[cr.Key] = val
		shown := val
		if shown == "" {
			shown = c.T("judging.confirm.blank")
			if cr.Required {
				cv.Missing = append(cv.Missing, cr.Label.In(c.lang))
			}
		}
		cv.Rows = append(cv.Rows, answerRow{Label: cr.Label.In(c.lang), Value: shown, Missing: val == "" && cr.Required})
	}
	cv.Total = total(v.Judging, typed)
	return c.render(http.StatusOK, "judging/confirm", "judging.confirm.title", cv)
}

// ---- recusal ----

func (c *ctx) recusalForm() *Form {
	f := c.form()
	f.Add(Field{Name: "reason", Label: c.T("judging.recusal.reason"), Help: c.T("judging.recusal.reason.help"), Type: "textarea",
		Required: true, Rows: 3, MaxLength: 2000})
	return f
}

func (s *Site) recuse(c *ctx) error {
	me, err := s.loadEntry(c)
	if err != nil {
		return err
	}
	v, err := s.entryView(c, me)
	if err != nil {
		return err
	}
	f := v.Recusal
	if err := f.Read(); err != nil {
		return err
	}
	if strings.TrimSpace(f.Value("reason")) == "" {
		f.Fail("reason", c.T("judging.recusal.reason.missing"))
		return c.render(http.StatusUnprocessableEntity, "judging/entry", "judging.entry.title", v)
	}
	if err := s.cfg.Service.Recuse(c.r.Context(), c.actor, v.Ref, v.ID, f.Value("reason")); err != nil {
		if !f.Refused(err, nil) {
			return err
		}
		return c.render(f.Status(err), "judging/entry", "judging.entry.title", v)
	}
	return c.flash("flash.judging.recused", judgingPath(v.Ref, ""))
}
