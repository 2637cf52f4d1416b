package web

import (
	"bytes"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"github.com/awardflow/awardflow/api/workbook"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
)

// resultsPages registers the secretariat's end of a stage and a programme:
// the decision (preview, then apply), the stage's downloads, the release of
// results to applicants, the publication of the award list and the
// correction of a nomination's public record. Each page asks for the
// permission the JSON API's route for the same data asks for; the services
// decide the ministry (another ministry's stage is NotFound, as the API
// answers), and every page calls its service before it shows anything.
func (s *Site) resultsPages() {
	stage := "/staff/cycles/{cycle}/{programme}/stages/{stage}"
	s.route("GET", stage+"/decision", allow(policy.PreviewDecision), s.decisionPage)
	s.route("POST", stage+"/decision", allow(policy.PreviewDecision), s.decisionPreview)
	s.route("POST", stage+"/decision/apply", allow(policy.ApplyDecision), s.decisionApply)
	s.route("GET", stage+"/results.xlsx", allow(policy.ExportResults), s.resultsWorkbook)
	s.route("GET", stage+"/sheets.zip", allow(policy.ExportSheets), s.sheetsZip)
	programme := "/staff/cycles/{cycle}/{programme}"
	s.route("GET", programme+"/release", allow(policy.ReleaseResults), s.releasePage)
	s.route("POST", programme+"/release", allow(policy.ReleaseResults), s.releasePost)
	s.route("GET", programme+"/publications", allow(policy.ManagePublications), s.publicationsPage)
	s.route("POST", programme+"/publications", allow(policy.ManagePublications), s.publishPost)
	s.route("POST", programme+"/publications/{version}/withdraw", allow(policy.ManagePublications), s.withdrawPost)
	s.route("GET", "/staff/nominations/{id}/public", allow(policy.ManagePublications), s.publicRecordPage)
	s.route("POST", "/staff/nominations/{id}/public", allow(policy.ManagePublications), s.publicRecordPost)
}

// ---- downloads ----

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// download answers a file to save, named as the API names it.
func (c *ctx) download(name, contentType string, data []byte) error {
	h := c.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, name))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	c.w.WriteHeader(http.StatusOK)
	_, err := c.w.Write(data)
	return err
}

// resultsWorkbook is the stage's results workbook, as GET …/results.xlsx of
// the API writes it, in the page's language.
func (s *Site) resultsWorkbook(c *ctx) error {
	ref := c.stageRef()
	r, err := s.cfg.Service.StageResults(c.r.Context(), c.actor, ref)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := workbook.WriteResults(&buf, r, c.lang); err != nil {
		return err
	}
	return c.download(workbook.ResultsFileName(ref), xlsxType, buf.Bytes())
}

// sheetsZip is every panel member's scoring sheet in one zip, as GET
// …/sheets of the API writes it.
func (s *Site) sheetsZip(c *ctx) error {
	ref := c.stageRef()
	sheets, err := s.cfg.Service.ScoringSheets(c.r.Context(), c.actor, ref)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := workbook.WriteSheetsZip(&buf, ref, sheets); err != nil {
		return err
	}
	return c.download(workbook.SheetsZipName(ref), "application/zip", buf.Bytes())
}

// ---- the decision ----

// stageInfo is the stage a page is about, read once the service has
// admitted the caller to it.
type stageInfo struct {
	Ref                                    workflow.StageRef
	CycleTitle, ProgrammeTitle, StageTitle string
	Stage                                  workflow.Stage
	Programme                              workflow.Programme
}

func (s *Site) stageInfo(c *ctx, ref workflow.StageRef) (stageInfo, error) {
	cv, err := s.cfg.Service.Cycle(c.r.Context(), ref.Cycle)
	if err != nil {
		return stageInfo{}, err
	}
	p, ok := cv.Cycle.Programme(ref.Programme)
	var st *workflow.Stage
	if ok {
		st, ok = p.Stage(ref.Stage)
	}
	if !ok {
		return stageInfo{}, workflow.Refuse(workflow.NotFound, "段階「%s」は見つかりません", "no stage %q", ref.Stage)
	}
	return stageInfo{Ref: ref, CycleTitle: cv.Cycle.Title.In(c.lang), ProgrammeTitle: p.Title.In(c.lang), StageTitle: st.Title.In(c.lang),
		Stage: *st, Programme: *p}, nil
}

// awardTitle is an award's or tier's title in the page's language.
func (i stageInfo) awardTitle(key, lang string) string {
	for _, t := range append(slices.Clone(i.Programme.Awards), i.Programme.Tiers...) {
		if t.Key == key {
			return t.Title.In(lang)
		}
	}
	return key
}

// decisionView is the decision page: the spec's form, each entry's manual
// choice, and, after a preview, every outcome and warning.
type decisionView struct {
	Info       stageInfo
	AwardStage bool
	Form       *Form
	Rule       []*Field // the spec's fields, in order
	Entries    []decisionEntry
	OpenPicks  bool // the manual choices are shown unfolded
	Preview    *previewView
	Hidden     []hiddenField // the spec as posted, carried to apply
	CanApply   bool
	Confirm    *Field
	// ConfirmNone is the second confirmation a preview that selects no
	// entry asks for before it applies.
	ConfirmNone *Field
	StillOpen   time.Time  // when the judging window, still open, closes (a warning on the preview); zero once closed
	Stale       []staleRow // apply came too late: outcomes that changed since the preview
	Downloads   []downloadLink
	Release     string
	Action      string // where the spec is previewed
	Apply       string // where it is applied
}

// decisionEntry is an entry under review with its manual choice.
type decisionEntry struct {
	ID                   int64
	Name                 string
	Rank                 int
	Legend               string
	Treat, Why, Override *Field
}

type hiddenField struct{ Name, Value string }

type downloadLink struct{ Label, Href, Help string }

// previewView is a decision preview as the page shows it.
type previewView struct {
	Rows        []outcomeRow
	Warnings    []FormError // each linked to its entry's row
	Fingerprint string
	Selected    []awardCount
	Unresolved  bool
	Measure     string
	Eligibility bool // some entry has a verdict under the stage's rules
}

type awardCount struct {
	Label string
	N     int
}

type outcomeRow struct {
	ID                                             int64
	Code                                           string // E00019
	Anchor, Name, Rank, Value, Count, Outcome, Why string
	Reason, Eligibility                            string
	Seen                                           string // id:action:award, carried to apply
	Selected                                       bool
	Flags                                          []string
}

type staleRow struct {
	Entry, Then, Now string
}

// decisionContext admits the caller (a preview of the empty spec lists
// the entries under review), then builds the page's form.
func (s *Site) decisionContext(c *ctx) (decisionView, error) {
	ref := c.stageRef()
	base, err := s.cfg.Service.PreviewDecision(c.r.Context(), c.actor, ref, workflow.DecisionSpec{})
	if err != nil {
		return decisionView{}, err
	}
	info, err := s.stageInfo(c, ref)
	if err != nil {
		return decisionView{}, err
	}
	v := decisionView{Info: info, AwardStage: info.Stage.Grants == "", Form: c.form(),
		CanApply: s.cfg.Authorizer.Allowed(c.userID(), policy.ApplyDecision), Action: stagePath(ref, "/decision"), Apply: stagePath(ref, "/decision/apply")}
	f := v.Form
	var ms []Option
	for _, m := range measures {
		ms = append(ms, Option{Value: string(m), Label: c.measureName(m)})
	}
	v.Rule = append(v.Rule, f.Add(Field{Name: "measure", Label: c.T("results.decision.measure"), Help: c.T("results.decision.measure.help"),
		Type: "select", Options: ms, Value: string(aggregate.ByMean)}))
	if v.AwardStage {
		for _, a := range info.Stage.Awards {
			help, value := c.T("results.decision.award.help"), ""
			for _, t := range info.Programme.Awards {
				if t.Key == a && t.Quota != nil {
					help = quotaText(c, t.Quota) + " " + help
					if t.Quota.Min != nil {
						value = strconv.Itoa(*t.Quota.Min) // the guide's minimum, never a silent 0
					}
				}
			}
			v.Rule = append(v.Rule, f.Add(Field{Name: "award." + a, Label: c.T("results.decision.award", info.awardTitle(a, c.lang)),
				Help: help, Type: "text", InputMode: "numeric", Value: value, Required: true}))
		}
	} else {
		help := c.T("results.decision.top_n.help")
		for _, t := range info.Programme.Tiers {
			if t.Key == info.Stage.Grants && t.Quota != nil {
				help = quotaText(c, t.Quota) + " " + help
			}
		}
		v.Rule = append(v.Rule,
			f.Add(Field{Name: "top_n", Label: c.T("results.decision.top_n", info.awardTitle(info.Stage.Grants, c.lang)), Help: help,
				Type: "text", InputMode: "numeric"}),
			f.Add(Field{Name: "threshold", Label: c.T("results.decision.threshold"), Help: c.T("results.decision.threshold.help"),
				Type: "text", InputMode: "decimal"}),
			f.Add(Field{Name: "ties", Label: c.T("results.decision.ties"), Help: c.T("results.decision.ties.help"), Type: "radio",
				Options: []Option{{Value: "", Label: c.T("results.ties.none")}, {Value: workflow.TiesIncludeAll, Label: c.T("results.ties.include_all")},
					{Value: workflow.TiesExcludeAll, Label: c.T("results.ties.exclude_all")}}}))
	}
	v.Rule = append(v.Rule, f.Add(Field{Name: "reason", Label: c.T("results.decision.reason"), Help: c.T("results.decision.reason.help"),
		Type: "textarea", Rows: 3, MaxLength: 2000}))
	treat := []Option{{Value: "", Label: c.T("results.treat.rule")}}
	if v.AwardStage {
		for _, a := range info.Stage.Awards {
			treat = append(treat, Option{Value: "pick:" + a, Label: c.T("results.treat.award", info.awardTitle(a, c.lang))})
		}
	} else {
		treat = append(treat, Option{Value: "pick", Label: c.T("results.treat.pick")})
	}
	treat = append(treat, Option{Value: "exclude", Label: c.T("results.treat.exclude")})
	for _, o := range base.Outcomes {
		id := strconv.FormatInt(o.NominationID, 10)
		e := decisionEntry{ID: o.NominationID, Name: o.OrganisationName, Rank: o.Rank,
			Legend: c.T("results.entry.legend", workflow.EntryCode(o.NominationID), o.OrganisationName),
			Treat:  f.Add(Field{Name: "treat." + id, Label: c.T("results.entry.treat"), Type: "select", Options: treat}),
			Why:    f.Add(Field{Name: "why." + id, Label: c.T("results.entry.why"), Help: c.T("results.entry.why.help"), Type: "text", MaxLength: 2000})}
		if o.Eligibility != "" && o.Eligibility != workflow.Pass {
			e.Override = f.Add(Field{Name: "override." + id, Label: c.T("results.entry.override"), Help: c.T("results.eligibility." + string(o.Eligibility)),
				Type: "checkbox"})
		}
		v.Entries = append(v.Entries, e)
	}
	v.Confirm = f.Add(Field{Name: "confirm", Label: c.T("results.apply.confirm"), Type: "checkbox", Required: true})
	v.ConfirmNone = f.Add(Field{Name: "confirm_none", Label: c.T("results.apply.confirm_none"), Type: "checkbox", Required: true})
	if j := info.Stage.Judging; j != nil && phase(j.Window, s.cfg.Now()) == "open" {
		v.StillOpen = j.Window.Closes
	}
	if s.cfg.Authorizer.Allowed(c.userID(), policy.ExportResults) {
		v.Downloads = append(v.Downloads, downloadLink{Label: c.T("results.download.xlsx"), Href: stagePath(ref, "/results.xlsx"), Help: c.T("results.download.xlsx.help")})
	}
	if s.cfg.Authorizer.Allowed(c.userID(), policy.ExportSheets) {
		v.Downloads = append(v.Downloads, downloadLink{Label: c.T("results.download.zip"), Href: stagePath(ref, "/sheets.zip"), Help: c.T("results.download.zip.help")})
	}
	if s.cfg.Authorizer.Allowed(c.userID(), policy.ReleaseResults) {
		v.Release = programmePath(ref.Cycle, ref.Programme, "/release")
	}
	return v, nil
}

// quotaText is an advisory quota as people read it: 目安 1〜2件.
func quotaText(c *ctx, q *workflow.Quota) string {
	switch {
	case q.Min != nil && q.Max != nil:
		return c.T("results.quota.between", *q.Min, *q.Max)
	case q.Min != nil:
		return c.T("results.quota.min", *q.Min)
	case q.Max != nil:
		return c.T("results.quota.max", *q.Max)
	}
	return ""
}

// count reads a whole number as typed (full-width digits too); empty is 0.
func count(s string) (int, bool) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// specPath maps a spec problem's path (picks[0].reason) to its control.
type specPath struct {
	lists map[string][]int64 // picks, excludes, eligibility_overrides: the entry at each index
	award []string           // awards: the award at each index
}

var indexed = regexp.MustCompile(`^([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?$`)

func (p specPath) field(path string) string {
	m := indexed.FindStringSubmatch(path)
	if m == nil {
		if path == "normalise" {
			return "measure"
		}
		return path
	}
	i, _ := strconv.Atoi(m[2])
	if m[1] == "awards" && i < len(p.award) {
		return "award." + p.award[i]
	}
	ids := p.lists[m[1]]
	if i >= len(ids) {
		return ""
	}
	id := strconv.FormatInt(ids[i], 10)
	switch {
	case m[3] == "reason":
		return "why." + id
	case m[1] == "eligibility_overrides":
		return "override." + id
	}
	return "treat." + id
}

// spec reads the posted form into a decision spec; what cannot be read is
// marked on its field.
func (v *decisionView) spec(c *ctx) (workflow.DecisionSpec, specPath) {
	f := v.Form
	sp := workflow.DecisionSpec{Measure: aggregate.Measure(f.Value("measure")), Reason: f.Value("reason")}
	if strings.TrimSpace(sp.Reason) == "" {
		sp.Reason = c.T("results.decision.reason.default", v.Info.StageTitle)
	}
	paths := specPath{lists: map[string][]int64{}}
	if v.AwardStage {
		for _, a := range v.Info.Stage.Awards {
			n, ok := count(f.Value("award." + a))
			switch {
			case strings.TrimSpace(f.Value("award."+a)) == "":
				f.Fail("award."+a, c.T("results.error.count_missing", v.Info.awardTitle(a, c.lang)))
			case !ok:
				f.Fail("award."+a, c.T("results.error.count"))
			}
			sp.Awards = append(sp.Awards, workflow.AwardRule{Award: a, TopN: n})
			paths.award = append(paths.award, a)
		}
	} else {
		n, ok := count(f.Value("top_n"))
		if !ok {
			f.Fail("top_n", c.T("results.error.count"))
		}
		sp.TopN, sp.Ties = n, f.Value("ties")
		if t := strings.TrimSpace(norm.NFKC.String(f.Value("threshold"))); t != "" {
			x, err := strconv.ParseFloat(t, 64)
			if err != nil {
				f.Fail("threshold", c.T("results.error.number"))
			}
			sp.Threshold = &x
		}
	}
	for _, e := range v.Entries {
		id := strconv.FormatInt(e.ID, 10)
		o := workflow.Override{NominationID: e.ID, Reason: f.Value("why." + id)}
		switch t := f.Value("treat." + id); {
		case t == "exclude":
			sp.Excludes = append(sp.Excludes, o)
			paths.lists["excludes"] = append(paths.lists["excludes"], e.ID)
		case t == "pick" || strings.HasPrefix(t, "pick:"):
			o.Award = strings.TrimPrefix(strings.TrimPrefix(t, "pick"), ":")
			sp.Picks = append(sp.Picks, o)
			paths.lists["picks"] = append(paths.lists["picks"], e.ID)
		}
		if e.Override != nil && f.Value("override."+id) == "true" {
			sp.EligibilityOverrides = append(sp.EligibilityOverrides, workflow.Override{NominationID: e.ID, Reason: o.Reason})
			paths.lists["eligibility_overrides"] = append(paths.lists["eligibility_overrides"], e.ID)
		}
		if f.Value("treat."+id) != "" || f.Value("override."+id) != "" {
			v.OpenPicks = true
		}
	}
	for _, fl := range f.Fields {
		if fl.Name != "confirm" && fl.Name != "confirm_none" && (fl.Value != "" || posted(c, fl.Name)) {
			v.Hidden = append(v.Hidden, hiddenField{Name: fl.Name, Value: fl.Value})
		}
	}
	return sp, paths
}

// posted reports whether the post carried the control.
func posted(c *ctx, name string) bool { _, ok := c.r.PostForm[name]; return ok }

// outcomeText is an outcome as people read it: 選出, 授賞：優秀賞, 非選出.
func (i stageInfo) outcomeText(c *ctx, a workflow.Action, award string) string {
	switch a {
	case workflow.Award:
		return c.T("results.outcome.award", i.awardTitle(award, c.lang))
	case workflow.Select:
		return c.T("results.outcome.select", i.awardTitle(i.Stage.Grants, c.lang))
	}
	return c.T("results.outcome.not_select")
}

func (v *decisionView) preview(c *ctx, pv workflow.DecisionPreview, measure aggregate.Measure) {
	if measure == "" {
		measure = aggregate.ByMean
	}
	p := &previewView{Fingerprint: pv.Fingerprint, Measure: c.measureName(measure)}
	names := map[int64]string{}
	counts := map[string]int{}
	var order []string
	for _, o := range pv.Outcomes {
		names[o.NominationID] = o.OrganisationName
		row := outcomeRow{ID: o.NominationID, Code: workflow.EntryCode(o.NominationID), Anchor: fmt.Sprintf("entry-%d", o.NominationID), Name: o.OrganisationName,
			Rank: strconv.Itoa(o.Rank), Count: strconv.Itoa(o.Count), Outcome: v.Info.outcomeText(c, o.Action, o.Award),
			Why: c.T("results.why." + o.Why), Reason: o.Reason, Selected: o.Action != workflow.NotSelect,
			Seen: fmt.Sprintf("%d:%s:%s", o.NominationID, o.Action, o.Award)}
		if o.Count > 0 {
			row.Value = strconv.FormatFloat(o.Value, 'f', 2, 64)
		} else {
			row.Rank, row.Value = "—", c.T("results.preview.no_scores")
			row.Flags = append(row.Flags, c.T("results.flag.no_scores"))
			p.Warnings = append(p.Warnings, FormError{Href: "#" + row.Anchor,
				Message: c.T("results.warning.entry", workflow.EntryCode(o.NominationID), o.OrganisationName) + c.T("results.flag.no_scores")})
		}
		if o.Tie {
			row.Rank += c.T("results.preview.tie_mark")
		}
		if o.Eligibility != "" {
			p.Eligibility = true
			row.Eligibility = c.T("results.eligibility." + string(o.Eligibility))
			if o.EligibilityOverride != "" {
				row.Eligibility += c.T("results.preview.overridden")
			}
		}
		if o.TieAtCut {
			row.Flags = append(row.Flags, c.T("results.flag.tie_at_cut"))
		}
		if o.UnresolvedTie {
			row.Flags = append(row.Flags, c.T("results.flag.unresolved"))
			p.Unresolved = true
		}
		if row.Selected {
			if counts[row.Outcome] == 0 {
				order = append(order, row.Outcome)
			}
			counts[row.Outcome]++
		}
		p.Rows = append(p.Rows, row)
	}
	for _, k := range order {
		p.Selected = append(p.Selected, awardCount{Label: k, N: counts[k]})
	}
	for _, w := range pv.Warnings {
		msg, href := w.Message.In(c.lang), "#preview-table"
		var id int64
		if _, err := fmt.Sscanf(w.Path, "nominations[%d]", &id); err == nil {
			msg = c.T("results.warning.entry", workflow.EntryCode(id), names[id]) + msg
			href = fmt.Sprintf("#entry-%d", id)
			for i := range p.Rows {
				if p.Rows[i].ID == id {
					p.Rows[i].Flags = append(p.Rows[i].Flags, w.Message.In(c.lang))
				}
			}
		}
		p.Warnings = append(p.Warnings, FormError{Href: href, Message: msg})
	}
	v.Preview = p
}

func (s *Site) decisionPage(c *ctx) error {
	v, err := s.decisionContext(c)
	if err != nil {
		return err
	}
	return c.renderPage(http.StatusOK, "results/decision", c.page(c.T("results.decision.title", v.Info.StageTitle), v))
}

// decisionPreview shows what the posted spec would do, with every warning.
func (s *Site) decisionPreview(c *ctx) error {
	v, err := s.decisionContext(c)
	if err != nil {
		return err
	}
	if err := v.Form.Read(); err != nil {
		return err
	}
	st, err := s.previewInto(c, &v)
	if err != nil {
		return err
	}
	return c.renderPage(st, "results/decision", c.page(c.T("results.decision.title", v.Info.StageTitle), v))
}

// previewInto previews the posted spec into v and returns the page's status.
func (s *Site) previewInto(c *ctx, v *decisionView) (int, error) {
	spec, paths := v.spec(c)
	if v.Form.Failed() {
		return http.StatusUnprocessableEntity, nil
	}
	pv, err := s.cfg.Service.PreviewDecision(c.r.Context(), c.actor, v.Info.Ref, spec)
	if err != nil {
		if !v.Form.Refused(err, paths.field) {
			return 0, err
		}
		return v.Form.Status(err), nil
	}
	v.preview(c, pv, spec.Measure)
	return http.StatusOK, nil
}

// decisionApply applies the previewed decision. The fingerprint says what
// was previewed: if anything changed since, the page shows what and asks
// for a new preview instead.
func (s *Site) decisionApply(c *ctx) error {
	v, err := s.decisionContext(c)
	if err != nil {
		return err
	}
	f := v.Form
	if err := f.Read(); err != nil {
		return err
	}
	spec, paths := v.spec(c)
	if f.Failed() {
		return c.renderPage(http.StatusUnprocessableEntity, "results/decision", c.page(c.T("results.decision.title", v.Info.StageTitle), v))
	}
	fingerprint := f.Value("fingerprint")
	pv, err := s.cfg.Service.PreviewDecision(c.r.Context(), c.actor, v.Info.Ref, spec)
	if err == nil && pv.Fingerprint == fingerprint && (f.Value("confirm") != "true" || (noneSelected(pv) && f.Value("confirm_none") != "true")) {
		if f.Value("confirm") != "true" {
			f.Fail("confirm", c.T("results.apply.confirm.missing"))
		}
		if noneSelected(pv) && f.Value("confirm_none") != "true" {
			f.Fail("confirm_none", c.T("results.apply.confirm_none.missing"))
		}
		v.preview(c, pv, spec.Measure)
		return c.renderPage(http.StatusUnprocessableEntity, "results/decision", c.page(c.T("results.decision.title", v.Info.StageTitle), v))
	}
	_, err = s.cfg.Service.ApplyDecision(c.r.Context(), c.actor, v.Info.Ref, spec, fingerprint)
	switch {
	case err == nil:
		return c.flash("flash.results.decided", stagePath(v.Info.Ref, "/decision"))
	case workflow.ErrorCode(err) == workflow.Conflict:
		return s.decisionStale(c, &v, spec)
	case f.Refused(err, paths.field):
		if pv, perr := s.cfg.Service.PreviewDecision(c.r.Context(), c.actor, v.Info.Ref, spec); perr == nil {
			v.preview(c, pv, spec.Measure)
		}
		return c.renderPage(f.Status(err), "results/decision", c.page(c.T("results.decision.title", v.Info.StageTitle), v))
	}
	return err
}

// noneSelected reports whether a preview selects or awards no entry: the
// whole stage would end not selected.
func noneSelected(pv workflow.DecisionPreview) bool {
	for _, o := range pv.Outcomes {
		if o.Action != workflow.NotSelect {
			return false
		}
	}
	return true
}

// decisionStale is the 409 page: the outcomes that differ from the ones
// previewed (carried in the post as "seen"), and the spec ready to be
// previewed again. It offers no apply.
func (s *Site) decisionStale(c *ctx, v *decisionView, spec workflow.DecisionSpec) error {
	seen := map[int64]string{}
	names := map[int64]string{}
	for _, x := range c.r.PostForm["seen"] {
		var id int64
		var action, award string
		parts := strings.SplitN(x, ":", 3)
		if len(parts) == 3 {
			if n, err := strconv.ParseInt(parts[0], 10, 64); err == nil {
				id, action, award = n, parts[1], parts[2]
				seen[id] = v.Info.outcomeText(c, workflow.Action(action), award)
			}
		}
	}
	now := map[int64]string{}
	if pv, err := s.cfg.Service.PreviewDecision(c.r.Context(), c.actor, v.Info.Ref, spec); err == nil {
		for _, o := range pv.Outcomes {
			now[o.NominationID] = v.Info.outcomeText(c, o.Action, o.Award)
			names[o.NominationID] = o.OrganisationName
		}
	}
	for _, e := range v.Entries {
		names[e.ID] = e.Name
	}
	ids := make([]int64, 0, len(seen)+len(now))
	for id := range seen {
		ids = append(ids, id)
	}
	for id := range now {
		if _, ok := seen[id]; !ok {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	gone := c.T("results.stale.gone")
	for _, id := range ids {
		then, ok1 := seen[id]
		cur, ok2 := now[id]
		if !ok1 {
			then = c.T("results.stale.new")
		}
		if !ok2 {
			cur = gone
		}
		if then != cur || !ok1 || !ok2 {
			v.Stale = append(v.Stale, staleRow{Entry: c.T("results.warning.entry", workflow.EntryCode(id), names[id]), Then: then, Now: cur})
		}
	}
	if v.Stale == nil {
		v.Stale = []staleRow{}
	}
	return c.renderPage(http.StatusConflict, "results/decision_stale", c.page(c.T("results.stale.title"), v))
}
