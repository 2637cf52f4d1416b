package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/workflow"
)

type cycleSummaryJSON struct {
	Key        string        `json:"key"`
	Version    int           `json:"version"`
	FiscalYear int           `json:"fiscal_year"`
	Title      workflow.Text `json:"title"`
}

func (s *server) listCycles(c *gin.Context) {
	ctx := c.Request.Context()
	keys, err := s.cfg.Service.CycleKeys(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	n := len(keys)
	out := listJSON[cycleSummaryJSON]{Items: []cycleSummaryJSON{}, Total: &n}
	for _, k := range keys {
		cv, err := s.cfg.Service.Cycle(ctx, k)
		if err != nil {
			s.fail(c, err)
			return
		}
		out.Items = append(out.Items, cycleSummaryJSON{Key: cv.Key, Version: cv.Version, FiscalYear: cv.Cycle.FiscalYear, Title: cv.Cycle.Title})
	}
	c.JSON(http.StatusOK, out)
}

// cycleJSON is the newest version of a cycle: its configuration document as
// loaded (programmes, stages, tiers, forms, rules), with its version.
type cycleJSON struct {
	Version  int       `json:"version"`
	LoadedAt time.Time `json:"loaded_at"`
	cycleDefJSON
}

func (s *server) getCycle(c *gin.Context) {
	cv, err := s.cfg.Service.Cycle(c.Request.Context(), c.Param("key"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, cycleJSON{Version: cv.Version, LoadedAt: cv.LoadedAt, cycleDefJSON: toCycleDefJSON(&cv.Cycle)})
}

type organisationJSON struct {
	ID               int64              `json:"id"`
	Name             string             `json:"name"`
	NameKana         string             `json:"name_kana"`
	LegalForm        workflow.LegalForm `json:"legal_form"`
	CorporateNumber  string             `json:"corporate_number,omitempty"`
	Prefecture       string             `json:"prefecture"`
	Municipality     string             `json:"municipality"`
	Industry         string             `json:"industry"`
	SMESector        workflow.SMESector `json:"sme_sector,omitempty"`
	TotalHeadcount   int                `json:"total_headcount"`
	RegularHeadcount int                `json:"regular_headcount"`
	Capital          *int64             `json:"capital"`
	Size             sizeJSON           `json:"size"`
	Version          int                `json:"version"`
	CreatedAt        time.Time          `json:"created_at"`
	UpdatedAt        time.Time          `json:"updated_at"`
}

func toOrganisationJSON(o workflow.Organisation) organisationJSON {
	return organisationJSON{ID: o.ID, Name: o.Name, NameKana: o.NameKana, LegalForm: o.LegalForm, CorporateNumber: o.CorporateNumber,
		Prefecture: o.Prefecture, Municipality: o.Municipality, Industry: o.Industry, SMESector: o.SMESector,
		TotalHeadcount: o.TotalHeadcount, RegularHeadcount: o.RegularHeadcount, Capital: o.Capital, Size: toSizeJSON(o.Size()),
		Version: o.Version, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
}

// sizeJSON is an organisation's size class.
type sizeJSON struct {
	Sector workflow.SMESector `json:"sector"`
	SME    bool               `json:"sme"`   // 中小企業
	Small  bool               `json:"small"` // 小規模企業者
}

func toSizeJSON(z workflow.Size) sizeJSON {
	return sizeJSON{Sector: z.Sector, SME: z.SME, Small: z.Small}
}

// organisationRequest has pointer fields so that PATCH changes only what
// it names; POST needs them all (the domain says which are missing).
type organisationRequest struct {
	Name             *string `json:"name"`
	NameKana         *string `json:"name_kana"`
	LegalForm        *string `json:"legal_form"`
	CorporateNumber  *string `json:"corporate_number"`
	Prefecture       *string `json:"prefecture"`
	Municipality     *string `json:"municipality"`
	Industry         *string `json:"industry"`
	SMESector        *string `json:"sme_sector"`
	TotalHeadcount   *int    `json:"total_headcount"`
	RegularHeadcount *int    `json:"regular_headcount"`
	Capital          *int64  `json:"capital"`
}

func (r organisationRequest) applyTo(o *workflow.Organisation) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&o.Name, r.Name)
	set(&o.NameKana, r.NameKana)
	set(&o.CorporateNumber, r.CorporateNumber)
	set(&o.Prefecture, r.Prefecture)
	set(&o.Municipality, r.Municipality)
	set(&o.Industry, r.Industry)
	if r.LegalForm != nil {
		o.LegalForm = workflow.LegalForm(*r.LegalForm)
	}
	if r.SMESector != nil {
		o.SMESector = workflow.SMESector(*r.SMESector)
	}
	if r.TotalHeadcount != nil {
		o.TotalHeadcount = *r.TotalHeadcount
	}
	if r.RegularHeadcount != nil {
		o.RegularHeadcount = *r.RegularHeadcount
	}
	if r.Capital != nil {
		o.Capital = r.Capital
	}
}

func (s *server) createOrganisation(c *gin.Context) {
	var req organisationRequest
	if !s.decode(c, &req) {
		return
	}
	var o workflow.Organisation
	req.applyTo(&o)
	o, err := s.cfg.Service.CreateOrganisation(c.Request.Context(), actor(c), o)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, o.Version)
	c.JSON(http.StatusCreated, toOrganisationJSON(o))
}

func (s *server) listOrganisations(c *gin.Context) {
	page, ok := s.pageParams(c)
	if !ok {
		return
	}
	os, info, err := s.cfg.Service.Organisations(c.Request.Context(), actor(c), workflow.OrganisationFilter{
		Q: c.Query("q"), Prefecture: c.Query("prefecture"), Industry: c.Query("industry"), Page: page})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := pageJSON(make([]organisationJSON, len(os)), info)
	for i, o := range os {
		out.Items[i] = toOrganisationJSON(o)
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) getOrganisation(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	o, err := s.cfg.Service.Organisation(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, o.Version)
	c.JSON(http.StatusOK, toOrganisationJSON(o))
}

func (s *server) updateOrganisation(c *gin.Context) {
	var req organisationRequest
	id, version, ok := s.edit(c, &req)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	o, err := s.cfg.Service.Organisation(ctx, actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	req.applyTo(&o)
	if o, err = s.cfg.Service.UpdateOrganisation(ctx, actor(c), o, version); err != nil {
		s.fail(c, err)
		return
	}
	etag(c, o.Version)
	c.JSON(http.StatusOK, toOrganisationJSON(o))
}

type nominationJSON struct {
	ID             int64             `json:"id"`
	Cycle          string            `json:"cycle"`
	CycleVersion   int               `json:"cycle_version"`
	Programme      string            `json:"programme"`
	Ministry       string            `json:"ministry"`
	OrganisationID int64             `json:"organisation_id"`
	State          workflow.State    `json:"state"`
	Stage          string            `json:"stage,omitempty"`
	Tier           string            `json:"tier,omitempty"`
	Award          string            `json:"award,omitempty"`
	Answers        workflow.Answers  `json:"answers"`
	Organisation   *organisationJSON `json:"organisation_at_submission"`
	ReturnReason   string            `json:"return_reason,omitempty"`
	ReturnDue      *time.Time        `json:"return_due"`
	SubmittedAt    *time.Time        `json:"submitted_at"`
	Version        int               `json:"version"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	Eligibility    []verdictJSON     `json:"eligibility,omitempty"`
	Actions        []actionJSON      `json:"actions"`
}

type actionJSON struct {
	Action  workflow.Action `json:"action"`
	To      workflow.State  `json:"to"`
	Allowed bool            `json:"allowed"`
	Needs   []string        `json:"needs,omitempty"`
	Reasons []fieldJSON     `json:"reasons,omitempty"`
}

func toNominationJSON(n workflow.Nomination) nominationJSON {
	j := nominationJSON{ID: n.ID, Cycle: n.CycleKey, CycleVersion: n.CycleVersion, Programme: n.ProgrammeKey, Ministry: n.Ministry,
		OrganisationID: n.OrganisationID, State: n.State, Stage: n.Stage, Tier: n.Tier, Award: n.Award, Answers: n.Answers,
		ReturnReason: n.ReturnReason, ReturnDue: n.ReturnDue, SubmittedAt: n.SubmittedAt, Version: n.Version,
		CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Actions: []actionJSON{}}
	if n.Snapshot != nil {
		o := toOrganisationJSON(*n.Snapshot)
		j.Organisation = &o
	}
	if j.Answers == nil {
		j.Answers = workflow.Answers{}
	}
	return j
}

func toViewJSON(c *gin.Context, v workflow.NominationView) nominationJSON {
	j := toNominationJSON(v.Nomination)
	j.Eligibility = toVerdictsJSON(v.Verdicts)
	for _, o := range v.Actions {
		a := actionJSON{Action: o.Action, To: o.To, Allowed: o.Allowed, Needs: o.Needs}
		for _, r := range o.Reasons {
			a.Reasons = append(a.Reasons, fieldJSON{Path: r.Path, Code: r.Code, Message: r.Message.In(lang(c))})
		}
		j.Actions = append(j.Actions, a)
	}
	return j
}

type createNominationRequest struct {
	Cycle          string `json:"cycle"`
	Programme      string `json:"programme"`
	OrganisationID int64  `json:"organisation_id"`
}

func (s *server) createNomination(c *gin.Context) {
	var req createNominationRequest
	if !s.decode(c, &req) {
		return
	}
	a := actor(c)
	if req.OrganisationID == 0 {
		req.OrganisationID = a.OrganisationID
	}
	ctx := c.Request.Context()
	n, err := s.cfg.Service.CreateNomination(ctx, a, req.OrganisationID, req.Cycle, req.Programme)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.respondNomination(c, n.ID, http.StatusCreated)
}

// respondNomination answers with the nomination as the caller may see it.
func (s *server) respondNomination(c *gin.Context, id int64, status int) {
	v, err := s.cfg.Service.Nomination(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, v.Nomination.Version)
	c.JSON(status, toViewJSON(c, v))
}

type nominationItemJSON struct {
	ID               int64          `json:"id"`
	Cycle            string         `json:"cycle"`
	Programme        string         `json:"programme"`
	OrganisationID   int64          `json:"organisation_id"`
	OrganisationName string         `json:"organisation_name"`
	Prefecture       string         `json:"prefecture"`
	Industry         string         `json:"industry"`
	State            workflow.State `json:"state"`
	Stage            string         `json:"stage,omitempty"`
	Tier             string         `json:"tier,omitempty"`
	Award            string         `json:"award,omitempty"`
	Verdict          string         `json:"verdict,omitempty"` // staff only
	Version          int            `json:"version"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

func (s *server) listNominations(c *gin.Context) {
	page, ok := s.pageParams(c)
	if !ok {
		return
	}
	verdict, err := workflow.ParseVerdict(c.Query("verdict"))
	if err != nil {
		s.fail(c, err)
		return
	}
	items, info, err := s.cfg.Service.Nominations(c.Request.Context(), actor(c), workflow.NominationFilter{
		Cycle: c.Query("cycle"), Programme: c.Query("programme"), State: workflow.State(c.Query("state")),
		Prefecture: c.Query("prefecture"), Industry: c.Query("industry"), Q: c.Query("q"), Verdict: verdict, Page: page})
	if err != nil {
		s.fail(c, err)
		return
	}
	out := pageJSON(make([]nominationItemJSON, len(items)), info)
	for i, it := range items {
		n := it.Nomination
		out.Items[i] = nominationItemJSON{ID: n.ID, Cycle: n.CycleKey, Programme: n.ProgrammeKey, OrganisationID: n.OrganisationID,
			OrganisationName: it.OrganisationName, Prefecture: it.Prefecture, Industry: it.Industry, State: n.State,
			Stage: n.Stage, Tier: n.Tier, Award: n.Award, Verdict: workflow.VerdictName(n.Eligibility), Version: n.Version, UpdatedAt: n.UpdatedAt}
	}
	c.JSON(http.StatusOK, out)
}

func (s *server) getNomination(c *gin.Context) {
	if id, ok := s.idParam(c, "id"); ok {
		s.respondNomination(c, id, http.StatusOK)
	}
}

type answersRequest struct {
	Answers map[string]any `json:"answers"`
}

func (s *server) updateAnswers(c *gin.Context) {
	var req answersRequest
	id, version, ok := s.edit(c, &req)
	if !ok {
		return
	}
	if _, err := s.cfg.Service.UpdateAnswers(c.Request.Context(), actor(c), id, version, req.Answers); err != nil {
		s.fail(c, err)
		return
	}
	s.respondNomination(c, id, http.StatusOK)
}

type actionRequest struct {
	Reason string `json:"reason"`
	Due    string `json:"due"` // RFC 3339, or a date meaning the end of that day in Japan
	Award  string `json:"award"`
}

func (s *server) act(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	action, ok := s.actionParam(c)
	if !ok {
		return
	}
	version, ok := s.ifMatch(c, false)
	if !ok {
		return
	}
	var req actionRequest
	if c.Request.ContentLength != 0 && !s.decode(c, &req) {
		return
	}
	in, ok := s.input(c, req)
	if !ok {
		return
	}
	v, err := s.cfg.Service.Act(c.Request.Context(), actor(c), id, version, action, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, v.Nomination.Version)
	c.JSON(http.StatusOK, toViewJSON(c, v))
}

// actionParam is the :action of the path, one of workflow.Actions.
func (s *server) actionParam(c *gin.Context) (workflow.Action, bool) {
	action := workflow.Action(c.Param("action"))
	for _, a := range workflow.Actions {
		if a == action {
			return action, true
		}
	}
	s.fail(c, workflow.Errorf(workflow.NotFound, "no such action %q", action))
	return "", false
}

// input is an action's input from its request.
func (s *server) input(c *gin.Context, req actionRequest) (workflow.Input, bool) {
	in := workflow.Input{Reason: req.Reason, Award: req.Award}
	if req.Due != "" {
		due, err := parseDue(req.Due)
		if err != nil {
			s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "bad due date", Problems: []workflow.Problem{{Path: "due", Code: "not_date",
				Message: workflow.Text{Ja: "日付（2026-08-31）または日時（RFC 3339）で指定してください", En: "must be a date (2026-08-31) or an RFC 3339 time"}}}})
			return in, false
		}
		in.Due = &due
	}
	return in, true
}

// bulkActionRequest names the nominations of a bulk action and, when
// given, the version each was seen at (same order; a moved one refuses
// the whole request with 409).
type bulkActionRequest struct {
	IDs      []int64       `json:"ids"`
	Versions []int         `json:"versions"`
	Input    actionRequest `json:"input"`
}

// bulkActionJSON is the outcome of a bulk action: every nomination moved.
type bulkActionJSON struct {
	Action      workflow.Action `json:"action"`
	Count       int             `json:"count"`
	Nominations []bulkMovedJSON `json:"nominations"`
}

type bulkMovedJSON struct {
	ID      int64          `json:"id"`
	State   workflow.State `json:"state"`
	Stage   string         `json:"stage,omitempty"`
	Tier    string         `json:"tier,omitempty"`
	Version int            `json:"version"`
}

// bulkAct applies one action to many nominations, all or nothing.
func (s *server) bulkAct(c *gin.Context) {
	action, ok := s.actionParam(c)
	if !ok {
		return
	}
	var req bulkActionRequest
	if !s.decode(c, &req) {
		return
	}
	if len(req.Versions) != 0 && len(req.Versions) != len(req.IDs) {
		s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "versions must match ids one for one", Problems: []workflow.Problem{{Path: "versions",
			Code: "length", Message: workflow.Text{Ja: "versions は ids と同じ数だけ指定してください", En: "give one version per id, or none"}}}})
		return
	}
	in, ok := s.input(c, req.Input)
	if !ok {
		return
	}
	want := make([]workflow.Expect, len(req.IDs))
	for i, id := range req.IDs {
		want[i].ID = id
		if len(req.Versions) > 0 {
			want[i].Version = req.Versions[i]
		}
	}
	ns, err := s.cfg.Service.BulkAct(c.Request.Context(), actor(c), want, action, in)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := bulkActionJSON{Action: action, Count: len(ns), Nominations: make([]bulkMovedJSON, len(ns))}
	for i, n := range ns {
		out.Nominations[i] = bulkMovedJSON{ID: n.ID, State: n.State, Stage: n.Stage, Tier: n.Tier, Version: n.Version}
	}
	c.JSON(http.StatusOK, out)
}

func parseDue(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, v, workflow.Tokyo)
	if err != nil {
		return time.Time{}, err
	}
	return d.AddDate(0, 0, 1), nil // the end of that day: a due date is a must-arrive deadline
}

type historyJSON struct {
	Version   int             `json:"version"`
	Action    workflow.Action `json:"action"`
	From      workflow.State  `json:"from,omitempty"`
	To        workflow.State  `json:"to"`
	Stage     string          `json:"stage,omitempty"`
	Tier      string          `json:"tier,omitempty"`
	Award     string          `json:"award,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Due       *time.Time      `json:"due,omitempty"`
	ActorID   string          `json:"actor_id,omitempty"`
	ActorName string          `json:"actor_name,omitempty"`
	Role      workflow.Role   `json:"role"`
	At        time.Time       `json:"at"`
}

func (s *server) history(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	hs, err := s.cfg.Service.History(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]historyJSON, len(hs))
	for i, h := range hs {
		out[i] = historyJSON{Version: h.Version, Action: h.Action, From: h.From, To: h.To, Stage: h.Stage, Tier: h.Tier, Award: h.Award,
			Reason: h.Reason, Due: h.Due, ActorID: h.ActorID, ActorName: h.ActorName, Role: h.Role, At: h.At}
	}
	c.JSON(http.StatusOK, items(out))
}
