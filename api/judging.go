package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
)

func stageRef(c *gin.Context) workflow.StageRef {
	return workflow.StageRef{Cycle: c.Param("key"), Programme: c.Param("programme"), Stage: c.Param("stage")}
}

type panelMemberJSON struct {
	UserID      int64     `json:"user_id"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Industries  []string  `json:"industries"`
	Prefectures []string  `json:"prefectures"`
	AddedBy     string    `json:"added_by"`
	AddedAt     time.Time `json:"added_at"`
	Version     int       `json:"version"`
}

func toPanelMemberJSON(m workflow.PanelMember) panelMemberJSON {
	j := panelMemberJSON{UserID: m.UserID, Name: m.Name, Role: string(m.Role), Industries: m.Industries, Prefectures: m.Prefectures,
		AddedBy: m.AddedBy, AddedAt: m.AddedAt, Version: m.Version}
	if j.Industries == nil {
		j.Industries = []string{}
	}
	if j.Prefectures == nil {
		j.Prefectures = []string{}
	}
	return j
}

func (s *server) getPanel(c *gin.Context) {
	ms, err := s.cfg.Service.Panel(c.Request.Context(), actor(c), stageRef(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]panelMemberJSON, len(ms))
	for i, m := range ms {
		out[i] = toPanelMemberJSON(m)
	}
	c.JSON(http.StatusOK, items(out))
}

type panelMemberRequest struct {
	Role        string   `json:"role"`
	Industries  []string `json:"industries"`
	Prefectures []string `json:"prefectures"`
}

// putPanelMember adds a member (201, ETag "1") or, with If-Match naming
// the version edited, changes one (200). Changing a member without
// If-Match is 428; with If-None-Match: * an existing member is never
// overwritten (409).
func (s *server) putPanelMember(c *gin.Context) {
	id, ok := s.idParam(c, "user")
	if !ok {
		return
	}
	version, ok := s.ifMatch(c, false)
	if !ok {
		return
	}
	createOnly := strings.TrimSpace(c.GetHeader("If-None-Match")) == "*"
	if createOnly && version != 0 {
		s.failWith(c, http.StatusBadRequest, "bad_request", "send either If-Match or If-None-Match: *, not both")
		return
	}
	var req panelMemberRequest
	if !s.decode(c, &req) {
		return
	}
	m, err := s.cfg.Service.SetPanelMember(c.Request.Context(), actor(c), stageRef(c), workflow.PanelMember{UserID: id,
		Role: workflow.Role(req.Role), Industries: req.Industries, Prefectures: req.Prefectures, Version: version})
	if err != nil {
		if version == 0 && !createOnly && slices.ContainsFunc(workflow.ErrorProblems(err), func(p workflow.Problem) bool { return p.Code == "already_on_panel" }) {
			s.failWith(c, http.StatusPreconditionRequired, "precondition_required", "the user is on the panel: send the version you edited in If-Match")
			return
		}
		s.fail(c, err)
		return
	}
	etag(c, m.Version)
	status := http.StatusOK
	if version == 0 {
		status = http.StatusCreated
	}
	c.JSON(status, toPanelMemberJSON(m))
}

func (s *server) deletePanelMember(c *gin.Context) {
	id, ok := s.idParam(c, "user")
	if !ok {
		return
	}
	if err := s.cfg.Service.RemovePanelMember(c.Request.Context(), actor(c), stageRef(c), id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *server) listConflicts(c *gin.Context) {
	cs, err := s.cfg.Service.Conflicts(c.Request.Context(), actor(c), stageRef(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]conflictOfInterestJSON, len(cs))
	for i, x := range cs {
		out[i] = toConflictOfInterestJSON(x)
	}
	c.JSON(http.StatusOK, items(out))
}

type assignmentJSON struct {
	NominationID  int64      `json:"nomination_id"`
	UserID        int64      `json:"user_id"`
	Source        string     `json:"source"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	RecusedAt     *time.Time `json:"recused_at"`
	RecusalReason string     `json:"recusal_reason,omitempty"`
}

func toAssignmentJSON(a workflow.Assignment) assignmentJSON {
	return assignmentJSON{NominationID: a.NominationID, UserID: a.UserID, Source: a.Source, CreatedBy: a.CreatedBy,
		CreatedAt: a.CreatedAt, RecusedAt: a.RecusedAt, RecusalReason: a.RecusalReason}
}

func (s *server) listAssignments(c *gin.Context) {
	as, err := s.cfg.Service.Assignments(c.Request.Context(), actor(c), stageRef(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]assignmentJSON, len(as))
	for i, a := range as {
		out[i] = toAssignmentJSON(a)
	}
	c.JSON(http.StatusOK, items(out))
}

type assignRequest struct {
	NominationID int64 `json:"nomination_id"`
	UserID       int64 `json:"user_id"`
}

func (s *server) addAssignment(c *gin.Context) {
	var req assignRequest
	if !s.decode(c, &req) {
		return
	}
	a, err := s.cfg.Service.Assign(c.Request.Context(), actor(c), stageRef(c), req.NominationID, req.UserID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAssignmentJSON(a))
}

func (s *server) deleteAssignment(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	user, ok := s.idParam(c, "user")
	if !ok {
		return
	}
	if err := s.cfg.Service.Unassign(c.Request.Context(), actor(c), stageRef(c), id, user); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type proposalJSON struct {
	ID             int64      `json:"id"`
	Status         string     `json:"status"`
	Seed           uint64     `json:"seed"`
	UsePreferences bool       `json:"use_preferences"`
	Pairs          []pairJSON `json:"pairs"`
	Report         reportJSON `json:"report"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecidedAt      *time.Time `json:"decided_at"`
}

func toProposalJSON(p workflow.Proposal) proposalJSON {
	j := proposalJSON{ID: p.ID, Status: p.Status, Seed: p.Seed, UsePreferences: p.UsePreferences, Pairs: []pairJSON{}, Report: toReportJSON(p.Report),
		CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt, DecidedBy: p.DecidedBy, DecidedAt: p.DecidedAt}
	for _, pr := range p.Pairs {
		j.Pairs = append(j.Pairs, pairJSON{Entry: pr.Entry, Judge: pr.Judge})
	}
	return j
}

type proposeRequest struct {
	Seed           uint64 `json:"seed"`
	UsePreferences bool   `json:"use_preferences"`
}

func (s *server) propose(c *gin.Context) {
	var req proposeRequest
	if c.Request.ContentLength != 0 && !s.decode(c, &req) {
		return
	}
	p, err := s.cfg.Service.Propose(c.Request.Context(), actor(c), stageRef(c), req.Seed, req.UsePreferences)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toProposalJSON(p))
}

func (s *server) applyProposal(c *gin.Context)   { s.decideProposal(c, true) }
func (s *server) discardProposal(c *gin.Context) { s.decideProposal(c, false) }

func (s *server) decideProposal(c *gin.Context, apply bool) {
	id, ok := s.idParam(c, "proposal")
	if !ok {
		return
	}
	decide := s.cfg.Service.DiscardProposal
	if apply {
		decide = s.cfg.Service.ApplyProposal
	}
	p, err := decide(c.Request.Context(), actor(c), stageRef(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProposalJSON(p))
}

type scoreJSON struct {
	UserID      int64             `json:"user_id"`
	JudgeName   string            `json:"judge_name,omitempty"`
	Values      map[string]string `json:"values"`
	Comment     string            `json:"comment"`
	Status      string            `json:"status"`
	Version     int               `json:"version"`
	SubmittedAt *time.Time        `json:"submitted_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
	// ReopenedAt is set while a submitted score is reopened for its judge
	// to change once (blind scoring).
	ReopenedAt   *time.Time `json:"reopened_at,omitempty"`
	ReopenReason string     `json:"reopen_reason,omitempty"`
}

func toScoreJSON(sc workflow.Score, name string) scoreJSON {
	return scoreJSON{UserID: sc.UserID, JudgeName: name, Values: sc.Values, Comment: sc.Comment, Status: sc.Status, Version: sc.Version,
		SubmittedAt: sc.SubmittedAt, UpdatedAt: sc.UpdatedAt, ReopenedAt: sc.ReopenedAt, ReopenReason: sc.ReopenReason}
}

type stageEntryJSON struct {
	NominationID     int64          `json:"nomination_id"`
	OrganisationName string         `json:"organisation_name"`
	Prefecture       string         `json:"prefecture"`
	Industry         string         `json:"industry"`
	State            workflow.State `json:"state"`
	Assigned         []int64        `json:"assigned,omitempty"`
	MyScore          *scoreJSON     `json:"my_score"`
}

func (s *server) listEntries(c *gin.Context) {
	page, ok := s.pageParams(c)
	if !ok {
		return
	}
	es, info, err := s.cfg.Service.Entries(c.Request.Context(), actor(c), stageRef(c), page)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]stageEntryJSON, len(es))
	for i, e := range es {
		j := stageEntryJSON{NominationID: e.Nomination.ID, State: e.Nomination.State, Assigned: e.Assigned}
		if o := e.Nomination.Snapshot; o != nil {
			j.OrganisationName, j.Prefecture, j.Industry = o.Name, o.Prefecture, o.Industry
		}
		if e.MyScore != nil {
			sc := toScoreJSON(*e.MyScore, "")
			j.MyScore = &sc
		}
		out[i] = j
	}
	c.JSON(http.StatusOK, pageJSON(out, info))
}

func (s *server) getEntry(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	n, err := s.cfg.Service.Entry(c.Request.Context(), actor(c), stageRef(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toEntryJSON(n))
}

func (s *server) entryScores(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	vs, err := s.cfg.Service.EntryScores(c.Request.Context(), actor(c), stageRef(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]scoreJSON, len(vs))
	for i, v := range vs {
		out[i] = toScoreJSON(v.Score, v.JudgeName)
	}
	c.JSON(http.StatusOK, items(out))
}

type scoreRequest struct {
	Values  map[string]any `json:"values"`
	Comment string         `json:"comment"`
	Submit  bool           `json:"submit"`
}

// putScore saves the caller's score; If-Match carries the version edited
// (absent for a first save).
func (s *server) putScore(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	version, ok := s.ifMatch(c, false)
	if !ok {
		return
	}
	var req scoreRequest
	if !s.decode(c, &req) {
		return
	}
	sc, err := s.cfg.Service.SaveScore(c.Request.Context(), actor(c), stageRef(c), id, version,
		workflow.ScoreInput{Values: req.Values, Comment: req.Comment, Submit: req.Submit})
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, sc.Version)
	c.JSON(http.StatusOK, toScoreJSON(sc, ""))
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

func (s *server) recuse(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	var req reasonRequest
	if !s.decode(c, &req) {
		return
	}
	if err := s.cfg.Service.Recuse(c.Request.Context(), actor(c), stageRef(c), id, req.Reason); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// reopenScore lets a judge change its submitted score once more.
func (s *server) reopenScore(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	user, ok := s.idParam(c, "user")
	if !ok {
		return
	}
	var req reasonRequest
	if !s.decode(c, &req) {
		return
	}
	sc, err := s.cfg.Service.ReopenScore(c.Request.Context(), actor(c), stageRef(c), id, user, req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, sc.Version)
	c.JSON(http.StatusOK, toScoreJSON(sc, ""))
}

type scoreStateJSON struct {
	Status  string            `json:"status"`
	Values  map[string]string `json:"values"`
	Comment string            `json:"comment"`
}

type scoreEventJSON struct {
	UserID  int64           `json:"user_id"`
	Actor   string          `json:"actor"`
	Kind    string          `json:"kind"`
	Reason  string          `json:"reason,omitempty"`
	Version int             `json:"version"`
	At      time.Time       `json:"at"`
	Before  *scoreStateJSON `json:"before"`
	After   scoreStateJSON  `json:"after"`
}

// scoreHistory lists every change of an entry's scores with before and after.
func (s *server) scoreHistory(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	es, err := s.cfg.Service.ScoreHistory(c.Request.Context(), actor(c), stageRef(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]scoreEventJSON, len(es))
	for i, e := range es {
		out[i] = scoreEventJSON{UserID: e.UserID, Actor: e.ActorID, Kind: e.Kind, Reason: e.Reason, Version: e.Version, At: e.At,
			After: scoreStateJSON{Status: e.Status, Values: e.Values, Comment: e.Comment}}
		if b := e.Before; b != nil {
			out[i].Before = &scoreStateJSON{Status: b.Status, Values: b.Values, Comment: b.Comment}
		}
	}
	c.JSON(http.StatusOK, items(out))
}

func (s *server) progress(c *gin.Context) {
	p, err := s.cfg.Service.Progress(c.Request.Context(), actor(c), stageRef(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := progressJSON{WindowClosed: p.WindowClosed, Panel: toJudgeProgressJSON(p.Panel), Judges: make([]judgeProgressJSON, len(p.Judges))}
	for i, j := range p.Judges {
		out.Judges[i] = toJudgeProgressJSON(j)
	}
	c.JSON(http.StatusOK, out)
}

// progressJSON is a stage's judging progress: the panel's totals and each judge's.
type progressJSON struct {
	WindowClosed bool                `json:"window_closed"`
	Panel        judgeProgressJSON   `json:"panel"`
	Judges       []judgeProgressJSON `json:"judges"`
}

type judgeProgressJSON struct {
	UserID    int64  `json:"user_id"`
	Name      string `json:"name"`
	Assigned  int    `json:"assigned"`
	Draft     int    `json:"draft"`
	Submitted int    `json:"submitted"`
	Recused   int    `json:"recused"`
	Overdue   int    `json:"overdue"`
}

func toJudgeProgressJSON(j workflow.JudgeProgress) judgeProgressJSON {
	return judgeProgressJSON{UserID: j.UserID, Name: j.Name, Assigned: j.Assigned, Draft: j.Draft, Submitted: j.Submitted,
		Recused: j.Recused, Overdue: j.Overdue}
}

// decisionSpecJSON is a decision as the secretariat sends it to preview or
// apply (the request's shape, apart from workflow.DecisionSpec).
type decisionSpecJSON struct {
	Measure              aggregate.Measure `json:"measure,omitempty"`
	Normalise            bool              `json:"normalise,omitempty"`
	TopN                 int               `json:"top_n,omitempty"`
	Threshold            *float64          `json:"threshold,omitempty"`
	Ties                 string            `json:"ties,omitempty"`
	Awards               []awardRuleJSON   `json:"awards,omitempty"`
	Picks                []overrideJSON    `json:"picks,omitempty"`
	Excludes             []overrideJSON    `json:"excludes,omitempty"`
	EligibilityOverrides []overrideJSON    `json:"eligibility_overrides,omitempty"`
	Reason               string            `json:"reason,omitempty"`
}

type awardRuleJSON struct {
	Award string `json:"award"`
	TopN  int    `json:"top_n"`
}

type overrideJSON struct {
	NominationID int64  `json:"nomination_id"`
	Award        string `json:"award,omitempty"`
	Reason       string `json:"reason"`
}

func (d decisionSpecJSON) domain() workflow.DecisionSpec {
	overrides := func(os []overrideJSON) []workflow.Override {
		return each(os, func(o overrideJSON) workflow.Override {
			return workflow.Override{NominationID: o.NominationID, Award: o.Award, Reason: o.Reason}
		})
	}
	return workflow.DecisionSpec{Measure: d.Measure, Normalise: d.Normalise, TopN: d.TopN, Threshold: d.Threshold, Ties: d.Ties,
		Awards: each(d.Awards, func(a awardRuleJSON) workflow.AwardRule { return workflow.AwardRule{Award: a.Award, TopN: a.TopN} }),
		Picks:  overrides(d.Picks), Excludes: overrides(d.Excludes), EligibilityOverrides: overrides(d.EligibilityOverrides), Reason: d.Reason}
}

type rankedJSON struct {
	Rank             int                `json:"rank"`
	Tie              bool               `json:"tie"`
	NominationID     int64              `json:"nomination_id"`
	OrganisationName string             `json:"organisation_name"`
	State            workflow.State     `json:"state"`
	Count            int                `json:"count"`
	Mean             float64            `json:"mean"`
	Median           float64            `json:"median"`
	TrimmedMean      float64            `json:"trimmed_mean"`
	StdDev           float64            `json:"std_dev"`
	Normalised       float64            `json:"normalised"`
	CriterionMeans   map[string]float64 `json:"criterion_means"`
	Missing          []int64            `json:"missing"`
}

func (s *server) ranking(c *gin.Context) {
	normalise := c.Query("normalise") == "true"
	measure := aggregate.Measure(c.DefaultQuery("measure", string(aggregate.ByMean)))
	switch measure {
	case aggregate.ByMean, aggregate.ByMedian, aggregate.ByTrimmedMean, aggregate.ByNormalised:
	default:
		s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "unknown measure", Problems: []workflow.Problem{{Path: "measure", Code: "invalid",
			Message: workflow.Text{Ja: "指標は mean, median, trimmed_mean, normalised です", En: "must be mean, median, trimmed_mean or normalised"}}}})
		return
	}
	rs, err := s.cfg.Service.Ranking(c.Request.Context(), actor(c), stageRef(c), normalise || measure == aggregate.ByNormalised, measure)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]rankedJSON, len(rs))
	for i, r := range rs {
		out[i] = rankedJSON{Rank: r.Rank, Tie: r.Tie, NominationID: r.Entry.Entry, OrganisationName: r.OrganisationName, State: r.Nomination.State,
			Count: r.Count, Mean: r.Mean, Median: r.Median, TrimmedMean: r.TrimmedMean, StdDev: r.StdDev, Normalised: r.Normalised,
			CriterionMeans: r.CriterionMeans, Missing: r.Missing}
		if out[i].Missing == nil {
			out[i].Missing = []int64{}
		}
	}
	c.JSON(http.StatusOK, rankingJSON{Items: out, Measure: measure, Normalised: normalise || measure == aggregate.ByNormalised})
}

type previewJSON struct {
	Outcomes    []decisionOutcomeJSON `json:"outcomes"`
	Warnings    []fieldJSON           `json:"warnings"`
	Fingerprint string                `json:"fingerprint"`
}

func (s *server) previewDecision(c *gin.Context) {
	var spec decisionSpecJSON
	if !s.decode(c, &spec) {
		return
	}
	pv, err := s.cfg.Service.PreviewDecision(c.Request.Context(), actor(c), stageRef(c), spec.domain())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := previewJSON{Outcomes: toOutcomesJSON(pv.Outcomes), Warnings: []fieldJSON{}, Fingerprint: pv.Fingerprint}
	for _, w := range pv.Warnings {
		out.Warnings = append(out.Warnings, fieldJSON{Path: w.Path, Code: w.Code, Message: w.Message.In(lang(c))})
	}
	c.JSON(http.StatusOK, out)
}

type applyDecisionRequest struct {
	Spec        decisionSpecJSON `json:"spec"`
	Fingerprint string           `json:"fingerprint"`
}

func (s *server) applyDecision(c *gin.Context) {
	var req applyDecisionRequest
	if !s.decode(c, &req) {
		return
	}
	d, err := s.cfg.Service.ApplyDecision(c.Request.Context(), actor(c), stageRef(c), req.Spec.domain(), req.Fingerprint)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, decisionJSON{AppliedAt: d.AppliedAt, AppliedBy: d.AppliedBy, ID: d.ID, Outcomes: toOutcomesJSON(d.Outcomes)})
}

type releaseRequest struct {
	ConfirmUndecided bool   `json:"confirm_undecided"`
	Reason           string `json:"reason"`
}

func (s *server) release(c *gin.Context) {
	var req releaseRequest
	if c.Request.ContentLength != 0 && !s.decode(c, &req) {
		return
	}
	if _, err := s.cfg.Service.Release(c.Request.Context(), actor(c), c.Param("key"), c.Param("programme"),
		workflow.ReleaseRequest{ConfirmUndecided: req.ConfirmUndecided, Reason: req.Reason}); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type releaseStatusJSON struct {
	Cycle              string                 `json:"cycle"`
	Programme          string                 `json:"programme"`
	Call               windowJSON             `json:"call"`
	CallOpen           bool                   `json:"call_open"`
	Released           bool                   `json:"released"`
	ReleasedAt         *time.Time             `json:"released_at"`
	ReleasedBy         string                 `json:"released_by,omitempty"`
	ConfirmedUndecided map[workflow.State]int `json:"confirmed_undecided,omitempty"`
	ConfirmReason      string                 `json:"confirm_reason,omitempty"`
	Undecided          map[workflow.State]int `json:"undecided"`
	UndecidedTotal     int                    `json:"undecided_total"`
}

// releaseStatus is the pre-flight of a release: is the call still open,
// was it released (with what confirmation), and what is still undecided.
func (s *server) releaseStatus(c *gin.Context) {
	st, err := s.cfg.Service.ReleaseStatus(c.Request.Context(), actor(c), c.Param("key"), c.Param("programme"))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := releaseStatusJSON{Cycle: st.Cycle, Programme: st.Programme, Call: toWindowJSON(st.Call), CallOpen: st.CallOpen,
		Undecided: st.Undecided, UndecidedTotal: st.UndecidedTotal}
	if r := st.Release; r != nil {
		at := r.ReleasedAt
		out.Released, out.ReleasedAt, out.ReleasedBy = true, &at, r.ReleasedBy
		out.ConfirmedUndecided, out.ConfirmReason = r.ConfirmedUndecided, r.ConfirmReason
	}
	c.JSON(http.StatusOK, out)
}

type affiliationRequest struct {
	OrganisationID  int64  `json:"organisation_id"`
	CorporateNumber string `json:"corporate_number"`
	Name            string `json:"name"`
}

func (s *server) declareAffiliation(c *gin.Context) {
	var req affiliationRequest
	if !s.decode(c, &req) {
		return
	}
	a, err := s.cfg.Service.DeclareAffiliation(c.Request.Context(), actor(c), workflow.Affiliation{OrganisationID: req.OrganisationID,
		CorporateNumber: req.CorporateNumber, Name: req.Name})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toAffiliationJSON(a))
}

type conflictRequest struct {
	OrganisationID int64  `json:"organisation_id"`
	Reason         string `json:"reason"`
}

func (s *server) declareConflict(c *gin.Context) {
	var req conflictRequest
	if !s.decode(c, &req) {
		return
	}
	d, err := s.cfg.Service.DeclareConflict(c.Request.Context(), actor(c), req.OrganisationID, req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toDeclaredConflictJSON(d))
}

func (s *server) myConflicts(c *gin.Context) {
	affs, dcs, err := s.cfg.Service.MyConflicts(c.Request.Context(), actor(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	out := myConflictsJSON{Affiliations: make([]affiliationJSON, len(affs)), Conflicts: make([]declaredConflictJSON, len(dcs))}
	for i, x := range affs {
		out.Affiliations[i] = toAffiliationJSON(x)
	}
	for i, x := range dcs {
		out.Conflicts[i] = toDeclaredConflictJSON(x)
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) feedback(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	fb, err := s.cfg.Service.Feedback(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, items(each(fb, toStageFeedbackJSON)))
}

// rankingJSON is a stage's ranking: the rows, the measure they are ranked
// by, and whether the normalised column is computed.
type rankingJSON struct {
	Items      []rankedJSON      `json:"items"`
	Measure    aggregate.Measure `json:"measure"`
	Normalised bool              `json:"normalised"`
}
