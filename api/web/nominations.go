package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// nominationPages registers a company's nominations: the stepped form, 確認, submission, receipt, returns, withdrawal, outcome.
// Each page asks for the permission the JSON API's route for the same data
// asks for; the service decides ownership (another organisation's
// nomination is NotFound, as the API answers).
func (s *Site) nominationPages() {
	s.route("GET", "/nominations/new", allow(policy.CreateNomination), s.newNominationPage)
	s.route("POST", "/nominations", allow(policy.CreateNomination), s.createNomination)
	s.route("GET", "/nominations/{id}", allow(policy.ReadNomination), s.nominationPage)
	s.route("GET", "/nominations/{id}/edit", allow(policy.EditNomination), s.editPage)
	s.route("POST", "/nominations/{id}/edit", allow(policy.EditNomination), s.saveStep)
	s.route("GET", "/nominations/{id}/confirm", allow(policy.EditNomination), s.confirmPage)
	s.route("POST", "/nominations/{id}/submit", allow(policy.ActOnNomination), s.submitNomination)
	s.route("GET", "/nominations/{id}/done", allow(policy.ReadNomination), s.donePage)
	s.route("GET", "/nominations/{id}/withdraw", allow(policy.ActOnNomination), s.withdrawPage)
	s.route("POST", "/nominations/{id}/withdraw", allow(policy.ActOnNomination), s.withdrawNomination)
}

// stepSize is the most questions one step of the form holds. The form
// definition has no sections, so the questions are cut, in their order,
// into the fewest steps of at most stepSize, as even as possible.
const stepSize = 5

// formStep is one step of the stepped form.
type formStep struct {
	N         int
	Title     string
	Questions []workflow.Field
	Missing   bool // a required answer is missing or no longer valid
	Current   bool
}

// formSteps cuts a form into steps (see stepSize).
func formSteps(f workflow.Form) [][]workflow.Field {
	n := len(f.Fields)
	if n == 0 {
		return nil
	}
	k := (n + stepSize - 1) / stepSize
	out := make([][]workflow.Field, 0, k)
	at := 0
	for i := 0; i < k; i++ {
		size := n / k
		if i < n%k {
			size++
		}
		out = append(out, f.Fields[at:at+size])
		at += size
	}
	return out
}

// steps are the form's steps with their titles and what is missing.
func (c *ctx) steps(v workflow.NominationView, current int) []formStep {
	missing := map[string]bool{}
	for _, p := range v.Programme.Form.Missing(v.Nomination.Answers) {
		missing[strings.TrimPrefix(p.Path, "answers.")] = true
	}
	var out []formStep
	first := 1
	for i, qs := range formSteps(v.Programme.Form) {
		st := formStep{N: i + 1, Questions: qs, Current: i+1 == current}
		if len(qs) == 1 {
			st.Title = c.T("nominations.step.one", first)
		} else {
			st.Title = c.T("nominations.step.range", first, first+len(qs)-1)
		}
		for _, q := range qs {
			st.Missing = st.Missing || missing[q.Key]
		}
		first += len(qs)
		out = append(out, st)
	}
	return out
}

// stepOf is the step holding question key (1-based), or 0.
func stepOf(f workflow.Form, key string) int {
	for i, qs := range formSteps(f) {
		for _, q := range qs {
			if q.Key == key {
				return i + 1
			}
		}
	}
	return 0
}

// nominationID reads {id}; a malformed one is the same 404 as a missing one.
func (c *ctx) nominationID() (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, workflow.Refuse(workflow.NotFound, "応募 %s は見つかりません", "no such nomination %s", c.r.PathValue("id"))
	}
	return id, nil
}

// loadNomination is {id} as the caller may see it.
func (s *Site) loadNomination(c *ctx) (workflow.NominationView, error) {
	id, err := c.nominationID()
	if err != nil {
		return workflow.NominationView{}, err
	}
	return s.cfg.Service.Nomination(c.r.Context(), c.actor, id)
}

// action is the option for a from the view's available actions.
func action(v workflow.NominationView, a workflow.Action) (workflow.Option, bool) {
	for _, o := range v.Actions {
		if o.Action == a {
			return o, true
		}
	}
	return workflow.Option{}, false
}

// submitAction is Submit for a draft and Resubmit after a return.
func submitAction(n workflow.Nomination) workflow.Action {
	if n.State == workflow.Returned {
		return workflow.Resubmit
	}
	return workflow.Submit
}

// nominationPath is a nomination's page, with an optional suffix.
func nominationPath(id int64, suffix string) string {
	return "/nominations/" + strconv.FormatInt(id, 10) + suffix
}

// ---- new ----

type newView struct {
	Cycle     string
	Programme workflow.Programme
	Open      bool
	Closed    string // why the call is not open
	NoOrg     bool   // an applicant without an organisation yet
	Form      *Form
	Existing  string // link to the organisation's nomination for the programme
}

// findProgramme is programme key in cycle (or, without a cycle, the first
// cycle that has it), with the windows in force.
func (s *Site) findProgramme(c *ctx, cycle, key string) (string, workflow.Programme, error) {
	notFound := workflow.Refuse(workflow.NotFound, "部門「%s」は見つかりません", "no such programme %q", key)
	if key == "" {
		return "", workflow.Programme{}, notFound
	}
	keys := []string{cycle}
	if cycle == "" {
		var err error
		if keys, err = s.cfg.Service.CycleKeys(c.r.Context()); err != nil {
			return "", workflow.Programme{}, err
		}
	}
	for _, k := range keys {
		cv, err := s.cfg.Service.Cycle(c.r.Context(), k)
		if workflow.ErrorCode(err) == workflow.NotFound {
			continue
		}
		if err != nil {
			return "", workflow.Programme{}, err
		}
		if p, ok := cv.Cycle.Programme(key); ok {
			return cv.Key, *p, nil
		}
	}
	return "", workflow.Programme{}, notFound
}

func (s *Site) newView(c *ctx, cycle, programme string) (newView, error) {
	k, p, err := s.findProgramme(c, cycle, programme)
	if err != nil {
		return newView{}, err
	}
	v := newView{Cycle: k, Programme: p, Form: c.form()}
	now := s.cfg.Now()
	v.Open = workflow.CallOpen(&p, now)
	if !v.Open {
		if now.Before(workflow.CallWindow(&p).Opens) {
			v.Closed = c.T("nominations.new.not_yet")
		} else {
			v.Closed = c.T("nominations.new.closed")
		}
	}
	v.NoOrg = c.actor.Has(workflow.RoleApplicant, workflow.AnyDomain) && c.actor.OrganisationID == 0 && !c.actor.IsStaff()
	return v, nil
}

func (s *Site) newNominationPage(c *ctx) error {
	q := c.r.URL.Query()
	v, err := s.newView(c, q.Get("cycle"), q.Get("programme"))
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "nominations/new", "nominations.new.title", v)
}

func (s *Site) createNomination(c *ctx) error {
	f := c.form()
	if err := f.Read(); err != nil {
		return err
	}
	v, err := s.newView(c, f.Value("cycle"), f.Value("programme"))
	if err != nil {
		return err
	}
	v.Form = f
	n, err := s.cfg.Service.CreateNomination(c.r.Context(), c.actor, c.actor.OrganisationID, v.Cycle, v.Programme.Key)
	if err == nil {
		return c.redirect(nominationPath(n.ID, "/edit?step=1"))
	}
	if !f.Refused(err, func(string) string { return "" }) {
		return err
	}
	if workflow.ErrorCode(err) == workflow.Conflict {
		items, _, lerr := s.cfg.Service.Nominations(c.r.Context(), c.actor, workflow.NominationFilter{Cycle: v.Cycle, Programme: v.Programme.Key})
		if lerr == nil {
			for _, it := range items {
				if it.Nomination.State != workflow.Withdrawn {
					v.Existing = nominationPath(it.Nomination.ID, "")
					break
				}
			}
		}
	}
	return c.render(f.Status(err), "nominations/new", "nominations.new.title", v)
}

// ---- the stepped form ----

type editView struct {
	Nomination workflow.Nomination
	Programme  workflow.Programme
	Steps      []formStep
	Step       formStep
	Last       bool
	Form       *Form
	Version    int
	Deadline   time.Time
	Returned   bool
}

// questionField is a question as a form control named q.<key>.
func (c *ctx) questionField(f *Form, q workflow.Field) *Field {
	fl := Field{Name: "q." + q.Key, Label: q.Label.In(c.lang), Required: q.Required}
	var hints []string
	if h := q.Help.In(c.lang); h != "" {
		hints = append(hints, h)
	}
	rng := func(hint string) { // hint: nominations.hint (a number) or nominations.hint.multi (how many to choose)
		switch {
		case q.Min != nil && q.Max != nil:
			hints = append(hints, c.T(hint+".between", num(*q.Min), num(*q.Max)))
		case q.Min != nil:
			hints = append(hints, c.T(hint+".min", num(*q.Min)))
		case q.Max != nil:
			hints = append(hints, c.T(hint+".max", num(*q.Max)))
		}
	}
	choices := func() []Option {
		var os []Option
		for _, ch := range q.Choices {
			os = append(os, Option{Value: ch.Key, Label: ch.Label.In(c.lang)})
		}
		return os
	}
	switch q.Type {
	case workflow.FieldText:
		fl.Type, fl.MaxLength = "text", orDefault(q.MaxLength, 200)
	case workflow.FieldLongText:
		fl.Type, fl.MaxLength, fl.Rows = "textarea", orDefault(q.MaxLength, 4000), 6
	case workflow.FieldInteger:
		fl.Type, fl.InputMode = "number", "numeric"
		hints = append(hints, c.T("nominations.hint.integer"))
		rng("nominations.hint")
	case workflow.FieldDecimal:
		fl.Type, fl.InputMode = "number", "decimal"
		hints = append(hints, c.T("nominations.hint.decimal"))
		rng("nominations.hint")
	case workflow.FieldBoolean:
		fl.Type = "radio"
		fl.Options = []Option{{Value: "true", Label: c.T("nominations.yes")}, {Value: "false", Label: c.T("nominations.no")}}
	case workflow.FieldDate:
		fl.Type = "date"
		hints = append(hints, c.T("nominations.hint.date"))
	case workflow.FieldChoice:
		fl.Options = choices()
		if len(fl.Options) <= 6 {
			fl.Type = "radio"
		} else {
			fl.Type = "select"
			fl.Options = append([]Option{{Value: "", Label: c.T("nominations.choose")}}, fl.Options...)
		}
	case workflow.FieldMultiChoice:
		fl.Type, fl.Options = "checkboxes", choices()
		hints = append(hints, c.T("nominations.hint.multi"))
		rng("nominations.hint.multi")
	case workflow.FieldPrefecture:
		fl.Type = "select"
		fl.Options = []Option{{Value: "", Label: c.T("nominations.choose")}}
		for _, p := range workflow.Prefectures {
			fl.Options = append(fl.Options, Option{Value: p.Code, Label: p.Name.In(c.lang)})
		}
	case workflow.FieldIndustry:
		fl.Type = "select"
		fl.Options = []Option{{Value: "", Label: c.T("nominations.choose")}}
		for _, i := range workflow.Industries {
			fl.Options = append(fl.Options, Option{Value: i.Code, Label: i.Code + " " + i.Name.In(c.lang)})
		}
	default: // a type this page does not know: typed as text, the domain checks it
		fl.Type = "text"
	}
	fl.Help = strings.Join(hints, " ")
	return f.Add(fl)
}

func orDefault(n, d int) int {
	if n > 0 {
		return n
	}
	return d
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// answerValue is a stored answer as a control's value.
func answerValue(v any) (string, []string) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case []string:
		return "", x
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return "", out
	case float64:
		return num(x), nil
	case json.Number:
		return x.String(), nil
	}
	return fmt.Sprint(v), nil
}

// answerText is an answer as people read it: labels of choices, はい/いいえ,
// prefecture and industry names.
func (c *ctx) answerText(q workflow.Field, v any) string {
	s, list := answerValue(v)
	label := func(k string) string {
		for _, ch := range q.Choices {
			if ch.Key == k {
				return ch.Label.In(c.lang)
			}
		}
		return k
	}
	sep := "、"
	if c.lang == "en" {
		sep = ", "
	}
	switch q.Type {
	case workflow.FieldBoolean:
		switch s {
		case "true":
			return c.T("nominations.yes")
		case "false":
			return c.T("nominations.no")
		}
	case workflow.FieldChoice:
		if s != "" {
			return label(s)
		}
	case workflow.FieldMultiChoice:
		var out []string
		for _, k := range list {
			out = append(out, label(k))
		}
		return strings.Join(out, sep)
	case workflow.FieldPrefecture:
		if p, ok := workflow.PrefectureByCode(s); ok {
			return p.Name.In(c.lang)
		}
	case workflow.FieldIndustry:
		if i, ok := workflow.IndustryByCode(s); ok {
			return i.Name.In(c.lang)
		}
	case workflow.FieldDate: // a calendar day, stored 2006-01-02: 和暦 with weekday
		if d, err := time.ParseInLocation("2006-01-02", s, workflow.Tokyo); err == nil {
			return (&Page{Lang: c.lang}).Date(d)
		}
	}
	if list != nil {
		return strings.Join(list, sep)
	}
	return s
}

// stepForm is the form of one step, filled with the saved answers.
func (c *ctx) stepForm(st formStep, answers workflow.Answers) *Form {
	f := c.form()
	for _, q := range st.Questions {
		fl := c.questionField(f, q)
		fl.Value, fl.Values = answerValue(answers[q.Key])
	}
	return f
}

// patch is what a step's post says, as answers: an empty control clears
// its answer; values are passed as typed (the domain normalises them).
func patch(f *Form, qs []workflow.Field) map[string]any {
	out := map[string]any{}
	for _, q := range qs {
		fl := f.Field("q." + q.Key)
		if fl == nil {
			continue
		}
		switch q.Type {
		case workflow.FieldMultiChoice:
			if len(fl.Values) == 0 {
				out[q.Key] = nil
			} else {
				out[q.Key] = fl.Values
			}
			continue
		case workflow.FieldBoolean:
			switch fl.Value {
			case "true":
				out[q.Key] = true
				continue
			case "false":
				out[q.Key] = false
				continue
			}
		}
		if strings.TrimSpace(fl.Value) == "" {
			out[q.Key] = nil
		} else {
			out[q.Key] = fl.Value
		}
	}
	return out
}

// answerField maps a domain problem's path to its control.
func answerField(path string) string {
	if k, ok := strings.CutPrefix(path, "answers."); ok {
		return "q." + k
	}
	return ""
}

// editContext loads the nomination and the asked-for step; a nomination
// no longer editable sends the caller to its page.
func (s *Site) editContext(c *ctx) (editView, bool, error) {
	v, err := s.loadNomination(c)
	if err != nil {
		return editView{}, false, err
	}
	n := v.Nomination
	if !n.Editable() {
		return editView{}, false, c.redirect(nominationPath(n.ID, ""))
	}
	steps := c.steps(v, 0)
	want, err := strconv.Atoi(c.r.URL.Query().Get("step"))
	if c.r.URL.Query().Get("step") == "" {
		want, err = 1, nil
	}
	if err != nil || want < 1 || want > len(steps) {
		return editView{}, false, workflow.Refuse(workflow.NotFound, "この応募にステップ %s はありません", "this nomination has no step %s", c.r.URL.Query().Get("step"))
	}
	steps[want-1].Current = true
	ev := editView{Nomination: n, Programme: v.Programme, Steps: steps, Step: steps[want-1], Last: want == len(steps),
		Version: n.Version, Deadline: workflow.CallWindow(&v.Programme).Closes, Returned: n.State == workflow.Returned}
	if ev.Returned && n.ReturnDue != nil {
		ev.Deadline = *n.ReturnDue
	}
	return ev, true, nil
}

func (s *Site) editPage(c *ctx) error {
	ev, ok, err := s.editContext(c)
	if !ok {
		return err
	}
	ev.Form = c.stepForm(ev.Step, ev.Nomination.Answers)
	return c.render(http.StatusOK, "nominations/edit", "nominations.edit.title", ev)
}

func (s *Site) saveStep(c *ctx) error {
	ev, ok, err := s.editContext(c)
	if !ok {
		return err
	}
	f := c.stepForm(ev.Step, ev.Nomination.Answers)
	if err := f.Read(); err != nil {
		return err
	}
	ev.Form = f
	autosave := c.r.Header.Get("X-Autosave") == "1"
	version, err := strconv.Atoi(f.Value("version"))
	if err != nil || version < 1 {
		version = -1 // a missing version is never current: the conflict page shows what is saved
	}
	saved, err := s.cfg.Service.UpdateAnswers(c.r.Context(), c.actor, ev.Nomination.ID, version, patch(f, ev.Step.Questions))
	if err != nil {
		if workflow.ErrorCode(err) == workflow.Conflict {
			if autosave {
				return c.plain(http.StatusConflict, c.T("nominations.autosave.conflict"))
			}
			return s.answerConflict(c, ev, f)
		}
		if !f.Refused(err, answerField) {
			return err
		}
		if autosave {
			var msgs []string
			for _, e := range f.Errors {
				msgs = append(msgs, e.Message)
			}
			return c.plain(f.Status(err), strings.Join(msgs, "\n"))
		}
		return c.render(f.Status(err), "nominations/edit", "nominations.edit.title", ev)
	}
	if autosave {
		c.w.Header().Set("X-Version", strconv.Itoa(saved.ApplicantVersion))
		c.w.Header().Set("Cache-Control", "no-store")
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	switch f.Value("go") {
	case "next":
		if ev.Last {
			return c.redirect(nominationPath(ev.Nomination.ID, "/confirm"))
		}
		return c.redirect(nominationPath(ev.Nomination.ID, fmt.Sprintf("/edit?step=%d", ev.Step.N+1)))
	case "back":
		if ev.Step.N > 1 {
			return c.redirect(nominationPath(ev.Nomination.ID, fmt.Sprintf("/edit?step=%d", ev.Step.N-1)))
		}
	}
	return c.flash("flash.nominations.saved", nominationPath(ev.Nomination.ID, fmt.Sprintf("/edit?step=%d", ev.Step.N)))
}

// answerConflict is the 409 page: the answers saved meanwhile beside the
// ones typed, for this step's questions.
func (s *Site) answerConflict(c *ctx, ev editView, f *Form) error {
	fresh, err := s.cfg.Service.Nomination(c.r.Context(), c.actor, ev.Nomination.ID)
	if err != nil {
		return err
	}
	var rows []ConflictRow
	for _, q := range ev.Step.Questions {
		fl := f.Field("q." + q.Key)
		var typed any = fl.Value
		if q.Type == workflow.FieldMultiChoice {
			typed = fl.Values
		}
		rows = append(rows, ConflictRow{Label: q.Label.In(c.lang), Theirs: c.answerText(q, fresh.Nomination.Answers[q.Key]), Yours: c.answerText(q, typed)})
	}
	return c.conflict("", rows, nominationPath(ev.Nomination.ID, fmt.Sprintf("/edit?step=%d", ev.Step.N)))
}

// plain answers an autosave with a short text (no page).
func (c *ctx) plain(status int, msg string) error {
	h := c.w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	c.w.WriteHeader(status)
	_, err := c.w.Write([]byte(msg))
	return err
}

// ---- 確認 and submission ----

type answerRow struct {
	Label, Value string
	Missing      bool
}

type confirmStep struct {
	formStep
	Rows []answerRow
}

type confirmView struct {
	Nomination workflow.Nomination
	Programme  workflow.Programme
	Steps      []formStep
	Answers    []confirmStep
	Problems   []FormError // what stops the submission, linked to its step
	Message    string
	Version    int
	Deadline   time.Time
	Returned   bool
	CanSubmit  bool
	Action     string // the button's label
}

func (s *Site) confirmView(c *ctx, v workflow.NominationView) confirmView {
	n := v.Nomination
	cv := confirmView{Nomination: n, Programme: v.Programme, Steps: c.steps(v, 0), Version: n.Version,
		Deadline: workflow.CallWindow(&v.Programme).Closes, Returned: n.State == workflow.Returned}
	if cv.Returned && n.ReturnDue != nil {
		cv.Deadline = *n.ReturnDue
	}
	missing := map[string]bool{}
	for _, p := range v.Programme.Form.Missing(n.Answers) {
		missing[strings.TrimPrefix(p.Path, "answers.")] = true
	}
	for _, st := range cv.Steps {
		cs := confirmStep{formStep: st}
		for _, q := range st.Questions {
			r := answerRow{Label: q.Label.In(c.lang), Value: c.answerText(q, n.Answers[q.Key]), Missing: missing[q.Key]}
			cs.Rows = append(cs.Rows, r)
		}
		cv.Answers = append(cv.Answers, cs)
	}
	a := submitAction(n)
	cv.Action = a.Label().In(c.lang)
	if o, ok := action(v, a); ok {
		cv.CanSubmit = true
		cv.problems(c, v, o.Reasons)
	}
	return cv
}

// problems lists what stops the submission, each linked to where it is fixed.
func (cv *confirmView) problems(c *ctx, v workflow.NominationView, ps []workflow.Problem) {
	cv.Problems = nil
	for _, p := range ps {
		href := "#confirm-problems"
		msg := p.Message.In(c.lang)
		switch {
		case strings.HasPrefix(p.Path, "answers."):
			k := strings.TrimPrefix(p.Path, "answers.")
			if q, ok := v.Programme.Form.Field(k); ok {
				msg = q.Label.In(c.lang) + c.T("nominations.sep") + msg
				href = nominationPath(v.Nomination.ID, fmt.Sprintf("/edit?step=%d#f-q-%s", stepOf(v.Programme.Form, k), strings.ReplaceAll(k, "_", "-")))
			}
		case strings.HasPrefix(p.Path, "organisation."):
			msg = c.T("nominations.confirm.org_problem") + c.T("nominations.sep") + msg
			href = "/org/edit"
		}
		cv.Problems = append(cv.Problems, FormError{Href: href, Message: msg})
	}
}

func (s *Site) confirmPage(c *ctx) error {
	v, err := s.loadNomination(c)
	if err != nil {
		return err
	}
	if !v.Nomination.Editable() {
		return c.redirect(nominationPath(v.Nomination.ID, ""))
	}
	return c.render(http.StatusOK, "nominations/confirm", "nominations.confirm.title", s.confirmView(c, v))
}

func (s *Site) submitNomination(c *ctx) error {
	v, err := s.loadNomination(c)
	if err != nil {
		return err
	}
	f := c.form()
	if err := f.Read(); err != nil {
		return err
	}
	version, err := strconv.Atoi(f.Value("version"))
	if err != nil || version < 1 {
		version = -1
	}
	_, err = s.cfg.Service.Transition(c.r.Context(), c.actor, v.Nomination.ID, version, submitAction(v.Nomination), workflow.Input{})
	if err == nil {
		return c.redirect(nominationPath(v.Nomination.ID, "/done"))
	}
	code := workflow.ErrorCode(err)
	if code != workflow.Invalid && code != workflow.IllegalTransition && code != workflow.Conflict {
		return err
	}
	if !v.Nomination.Editable() {
		return err
	}
	cv := s.confirmView(c, v)
	cv.problems(c, v, workflow.ErrorProblems(err))
	if e, ok := err.(*workflow.Error); ok && len(cv.Problems) == 0 {
		cv.Message = e.MessageIn(c.lang)
	}
	if code == workflow.Conflict {
		cv.Message = c.T("nominations.confirm.stale")
	}
	st := statusOf[code]
	return c.render(st, "nominations/confirm", "nominations.confirm.title", cv)
}

// ---- receipt ----

type doneView struct {
	Nomination  workflow.Nomination
	Programme   workflow.Programme
	Receipt     string
	At          time.Time
	Resubmitted bool
}

// receiptNumber is the receipt number: the cycle's key and the
// nomination's number, six digits (demo-telework-000012). It names the
// nomination for good, whatever happens to it afterwards.
func receiptNumber(n workflow.Nomination) string {
	return fmt.Sprintf("%s-%06d", n.CycleKey, n.ID)
}

func (s *Site) donePage(c *ctx) error {
	v, err := s.loadNomination(c)
	if err != nil {
		return err
	}
	hs, err := s.cfg.Service.History(c.r.Context(), c.actor, v.Nomination.ID)
	if err != nil {
		return err
	}
	dv := doneView{Nomination: v.Nomination, Programme: v.Programme, Receipt: receiptNumber(v.Nomination)}
	for _, h := range hs {
		if h.Action == workflow.Submit || h.Action == workflow.Resubmit {
			dv.At, dv.Resubmitted = h.At, h.Action == workflow.Resubmit
		}
	}
	if dv.At.IsZero() { // not submitted yet
		return c.redirect(nominationPath(v.Nomination.ID, ""))
	}
	return c.render(http.StatusOK, "nominations/done", "nominations.done.title", dv)
}

// ---- status ----

type historyRow struct {
	At     time.Time
	Action string
	To     string
	Reason string
	Due    *time.Time
}

type feedbackView struct {
	Title    string
	Count    int
	Means    []answerRow
	Comments []string
}

type statusView struct {
	Nomination  workflow.Nomination
	Programme   workflow.Programme
	Receipt     string
	State       string
	Explain     string
	Editable    bool
	Returned    bool
	CanWithdraw bool
	Released    bool
	Outcome     string
	History     []historyRow
	Feedback    []feedbackView
	Deadline    time.Time
}

func (s *Site) nominationPage(c *ctx) error {
	v, err := s.loadNomination(c)
	if err != nil {
		return err
	}
	n := v.Nomination
	sv := statusView{Nomination: n, Programme: v.Programme, Receipt: receiptNumber(n), State: n.State.Label().In(c.lang),
		Explain: c.T("nominations.state." + string(n.State)), Editable: n.Editable(), Returned: n.State == workflow.Returned,
		Released: v.Released, Deadline: workflow.CallWindow(&v.Programme).Closes}
	if n.SubmittedAt == nil {
		sv.Receipt = ""
	}
	if o, ok := action(v, workflow.Withdraw); ok && o.Allowed {
		sv.CanWithdraw = true
	}
	if v.Released {
		sv.Outcome = s.outcome(c, v)
	}
	hs, err := s.cfg.Service.History(c.r.Context(), c.actor, n.ID)
	if err != nil {
		return err
	}
	for _, h := range hs {
		sv.History = append(sv.History, historyRow{At: h.At, Action: h.Action.Label().In(c.lang), To: h.To.Label().In(c.lang), Reason: h.Reason, Due: h.Due})
	}
	if v.Released && s.cfg.Authorizer.Allowed(c.user.ID, policy.ReadFeedback) {
		fbs, err := s.cfg.Service.Feedback(c.r.Context(), c.actor, n.ID)
		if err != nil {
			return err
		}
		for _, fb := range fbs {
			fv := feedbackView{Title: fb.Title.In(c.lang), Count: fb.Count, Comments: fb.Comments}
			for _, st := range v.Programme.Stages {
				if st.Key != fb.Stage || st.Judging == nil {
					continue
				}
				for _, cr := range st.Judging.Rubric {
					if m, ok := fb.CriterionMeans[cr.Key]; ok {
						fv.Means = append(fv.Means, answerRow{Label: cr.Label.In(c.lang), Value: strconv.FormatFloat(m, 'f', 1, 64)})
					}
				}
			}
			sv.Feedback = append(sv.Feedback, fv)
		}
	}
	return c.render(http.StatusOK, "nominations/show", "nominations.show.title", sv)
}

// outcome is the result after release: the award won, or the highest tier
// reached, or that none was.
func (s *Site) outcome(c *ctx, v workflow.NominationView) string {
	n := v.Nomination
	for _, a := range v.Programme.Awards {
		if a.Key == n.Award && n.Award != "" {
			return c.T("nominations.outcome.award", a.Title.In(c.lang))
		}
	}
	for _, t := range v.Programme.Tiers {
		if t.Key == n.Tier && n.Tier != "" {
			return c.T("nominations.outcome.tier", t.Title.In(c.lang))
		}
	}
	switch n.State {
	case workflow.Withdrawn, workflow.Draft:
		return ""
	}
	return c.T("nominations.outcome.none")
}

// ---- withdrawal ----

type withdrawView struct {
	Nomination workflow.Nomination
	Programme  workflow.Programme
	Form       *Form
	Version    int
}

func (c *ctx) withdrawForm() *Form {
	f := c.form()
	f.Add(Field{Name: "reason", Label: c.T("nominations.withdraw.reason"), Help: c.T("nominations.withdraw.reason.help"),
		Type: "textarea", Required: true, MaxLength: 2000, Rows: 4})
	return f
}

func (s *Site) withdrawContext(c *ctx) (withdrawView, error) {
	v, err := s.loadNomination(c)
	if err != nil {
		return withdrawView{}, err
	}
	o, ok := action(v, workflow.Withdraw)
	switch {
	case v.Nomination.State == workflow.Withdrawn:
		return withdrawView{}, workflow.Refuse(workflow.IllegalTransition, "この応募はすでに取り下げられています", "this nomination has already been withdrawn")
	case !ok:
		return withdrawView{}, workflow.Refuse(workflow.Forbidden, "この応募を取り下げることはできません（取下げは応募者が行います）",
			"you cannot withdraw this nomination (the applicant withdraws it)")
	case !o.Allowed:
		return withdrawView{}, &workflow.Error{Code: workflow.IllegalTransition, Message: o.Reasons[0].Message.En, Ja: o.Reasons[0].Message.Ja, Problems: o.Reasons}
	}
	return withdrawView{Nomination: v.Nomination, Programme: v.Programme, Form: c.withdrawForm(), Version: v.Nomination.Version}, nil
}

func (s *Site) withdrawPage(c *ctx) error {
	wv, err := s.withdrawContext(c)
	if err != nil {
		return err
	}
	return c.render(http.StatusOK, "nominations/withdraw", "nominations.withdraw.title", wv)
}

func (s *Site) withdrawNomination(c *ctx) error {
	wv, err := s.withdrawContext(c)
	if err != nil {
		return err
	}
	f := wv.Form
	if err := f.Read(); err != nil {
		return err
	}
	reason := strings.TrimSpace(f.Value("reason"))
	if reason == "" {
		f.Fail("reason", c.T("nominations.withdraw.reason.missing"))
		return c.render(http.StatusUnprocessableEntity, "nominations/withdraw", "nominations.withdraw.title", wv)
	}
	version, err := strconv.Atoi(f.Value("version"))
	if err != nil || version < 1 {
		version = -1
	}
	_, err = s.cfg.Service.Transition(c.r.Context(), c.actor, wv.Nomination.ID, version, workflow.Withdraw, workflow.Input{Reason: reason})
	if err != nil {
		if !f.Refused(err, nil) {
			return err
		}
		return c.render(f.Status(err), "nominations/withdraw", "nominations.withdraw.title", wv)
	}
	return c.flash("flash.nominations.withdrawn", nominationPath(wv.Nomination.ID, ""))
}

// StepURL is the edit page of step n, for templates.
func (v editView) StepURL(n int) string {
	return nominationPath(v.Nomination.ID, "/edit?"+url.Values{"step": {strconv.Itoa(n)}}.Encode())
}
