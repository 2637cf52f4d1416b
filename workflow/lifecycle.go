package workflow

import (
	"fmt"
	"slices"
	"time"
)

// State is where a nomination is in its lifecycle.
type State string

// The states. Stage-dependent states (in_review, selected, not_selected)
// hold the stage in Nomination.Stage; tiers reached are in Nomination.Tier.
const (
	Draft       State = "draft"        // being written by the applicant
	Submitted   State = "submitted"    // arrived; awaiting intake
	Returned    State = "returned"     // sent back for correction, with a reason and due date
	Screening   State = "screening"    // eligibility screening by the secretariat
	Ineligible  State = "ineligible"   // failed screening
	Recognised  State = "recognised"   // passed screening; holds the programme's first tier, if any
	InReview    State = "in_review"    // being judged at Nomination.Stage
	Selected    State = "selected"     // selected at Nomination.Stage; holds the stage's tier
	NotSelected State = "not_selected" // not selected at Nomination.Stage; keeps the tier reached
	Awarded     State = "awarded"      // won Nomination.Award at the last stage
	Withdrawn   State = "withdrawn"    // withdrawn by the applicant
)

// UnderReview is what an applicant sees instead of screening and every
// decision state until the programme's results are released. It is never
// stored and is in no transition.
const UnderReview State = "under_review"

// States lists every state, in lifecycle order.
var States = []State{Draft, Submitted, Returned, Screening, Ineligible, Recognised, InReview, Selected, NotSelected, Awarded, Withdrawn}

// stateLabels are the states in plain words, as people read them in messages.
var stateLabels = map[State]Text{
	Draft:       {Ja: "下書き", En: "draft"},
	Submitted:   {Ja: "提出済み", En: "submitted"},
	Returned:    {Ja: "差戻し中（修正待ち）", En: "returned for correction"},
	Screening:   {Ja: "審査要件の確認中", En: "in eligibility screening"},
	Ineligible:  {Ja: "要件不適合", En: "ineligible"},
	Recognised:  {Ja: "認定", En: "recognised"},
	InReview:    {Ja: "審査中", En: "in review"},
	Selected:    {Ja: "選定", En: "selected"},
	NotSelected: {Ja: "非選定", En: "not selected"},
	Awarded:     {Ja: "受賞", En: "awarded"},
	Withdrawn:   {Ja: "取下げ", En: "withdrawn"},
	UnderReview: {Ja: "審査中", En: "under review"},
}

// Label is the state in plain words; the code itself for an unknown state.
func (s State) Label() Text {
	return labelOf(stateLabels, s)
}

// labelOf is k's label in m; the code itself where m has none.
func labelOf[K ~string](m map[K]Text, k K) Text {
	if t, ok := m[k]; ok {
		return t
	}
	return Text{Ja: string(k), En: string(k)}
}

// Action is something an actor does to a nomination.
type Action string

// The actions.
const (
	Submit            Action = "submit"
	Return            Action = "return"
	Resubmit          Action = "resubmit"
	StartScreening    Action = "start_screening"
	DeclareIneligible Action = "declare_ineligible"
	Recognise         Action = "recognise"
	Advance           Action = "advance"
	Select            Action = "select"
	NotSelect         Action = "not_select"
	Award             Action = "award"
	Withdraw          Action = "withdraw"
)

// Actions lists every action.
var Actions = []Action{Submit, Return, Resubmit, StartScreening, DeclareIneligible, Recognise, Advance, Select, NotSelect, Award, Withdraw}

// actionLabels are the actions in plain words, as people read them in messages.
var actionLabels = map[Action]Text{
	Create:            {Ja: "作成", En: "create"},
	Submit:            {Ja: "提出", En: "submit"},
	Return:            {Ja: "差戻し", En: "return for correction"},
	Resubmit:          {Ja: "再提出", En: "resubmit"},
	StartScreening:    {Ja: "要件確認の開始", En: "start eligibility screening"},
	DeclareIneligible: {Ja: "要件不適合の判定", En: "declare ineligible"},
	Recognise:         {Ja: "認定", En: "recognise"},
	Advance:           {Ja: "次の審査段階への送付", En: "advance to the next stage"},
	Select:            {Ja: "選定", En: "select"},
	NotSelect:         {Ja: "非選定の決定", En: "not select"},
	Award:             {Ja: "受賞の決定", En: "award"},
	Withdraw:          {Ja: "取下げ", En: "withdraw"},
}

// Label is the action in plain words; the code itself for an unknown action.
func (a Action) Label() Text {
	return labelOf(actionLabels, a)
}

// Role is what a user is in a domain. The policy package alone decides
// what a role may do (policy/permissions.csv): the routes it may call and,
// through the Authorizer, the actions the services and the transition table
// ask about.
type Role string

// The roles.
const (
	RoleAdmin       Role = "admin"       // global administrator
	RoleSecretariat Role = "secretariat" // runs a ministry's programmes
	RoleChair       Role = "chair"       // chairs a ministry's panel
	RoleJudge       Role = "judge"       // scores entries on a ministry's panel
	RoleApplicant   Role = "applicant"   // acts for one organisation
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleSecretariat, RoleChair, RoleJudge, RoleApplicant}

// roleLabels are the roles in plain words, as people read them in messages.
var roleLabels = map[Role]Text{
	RoleAdmin:       {Ja: "管理者", En: "administrator"},
	RoleSecretariat: {Ja: "事務局", En: "secretariat"},
	RoleChair:       {Ja: "委員長", En: "chair"},
	RoleJudge:       {Ja: "審査員", En: "judge"},
	RoleApplicant:   {Ja: "応募者", En: "applicant"},
}

// Label is the role in plain words; the code itself for an unknown role.
func (r Role) Label() Text {
	return labelOf(roleLabels, r)
}

// AnyDomain is the domain of global grants: admin, and applicant (whose
// binding is to an organisation, not a ministry).
const AnyDomain = "*"

// Grant is a role held in a domain: a ministry ("mic") for secretariat,
// chair and judge; AnyDomain for admin and applicant.
type Grant struct {
	Role   Role   `json:"role"`
	Domain string `json:"domain"`
}

// Actor is who performs an action: a signed-in user or the command line.
// OrganisationID binds an applicant to its organisation (0: none yet).
type Actor struct {
	ID             string // "user:42", "cli:root"
	UserID         int64  // 0 for the command line
	Name           string
	Grants         []Grant
	OrganisationID int64
}

// Nomination is one organisation's application to one programme in a cycle.
type Nomination struct {
	ID             int64
	CycleKey       string
	CycleVersion   int // the cycle version it was submitted against
	ProgrammeKey   string
	Ministry       string // the programme's ministry: the nomination's authorization domain
	OrganisationID int64
	State          State
	Stage          string // current or last judged stage; "" before the stages
	Tier           string // highest tier reached; "" for none
	Award          string // award won; "" for none
	Answers        Answers
	Snapshot       *Organisation // the organisation as at (re)submission
	// Eligibility is the stored outcome of Programme.EligibilityOf, written
	// with every change of what it depends on, so lists filter on it; ""
	// until first evaluated. Staff only.
	Eligibility  Outcome
	ReturnReason string
	ReturnDue    *time.Time
	SubmittedAt  *time.Time
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// ApplicantVersion and ApplicantUpdatedAt are Version and UpdatedAt as
	// the applicant knows them: moved only by the steps it can see (create,
	// answer edits and the actions VisibleToApplicant), so that until
	// results are released they tell no staff step.
	ApplicantVersion   int
	ApplicantUpdatedAt time.Time
}

// Editable reports whether the applicant may change the answers.
func (n *Nomination) Editable() bool { return n.State == Draft || n.State == Returned }

// Input is what an actor supplies with an action.
type Input struct {
	Reason string     // why: required to return, declare ineligible or not select
	Due    *time.Time // correction due date, for return
	Award  string     // award key, for award
}

// Needs says which inputs an action requires.
type Needs uint8

// The inputs an action may need.
const (
	NeedReason Needs = 1 << iota
	NeedDue
	NeedAward
)

func (n Needs) names() []string {
	var out []string
	for _, x := range []struct {
		bit  Needs
		name string
	}{{NeedReason, "reason"}, {NeedDue, "due"}, {NeedAward, "award"}} {
		if n&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return out
}

// Context is everything a guard may look at. The service builds it inside
// the transaction, reading the clock once.
type Context struct {
	Nomination   *Nomination
	Programme    *Programme
	Organisation Organisation // the live organisation (snapshotted on submit)
	Now          time.Time
	ReleasedAt   *time.Time // when the programme's results were released, if they were
	Input        Input
}

// Guard is a named precondition of a transition. It returns the reasons it
// refuses, in ja and en, or nothing.
type Guard struct {
	Name  string
	Doc   string
	Code  Code // the error code when it refuses
	check func(*Context) []Problem
}

// Transition is one row of the lifecycle table.
type Transition struct {
	From   State
	Action Action
	To     State
	Perm   Permission // who may: the roles holding it, in policy/permissions.csv
	Needs  Needs
	Guards []Guard
	effect func(n *Nomination, c *Context)
}

// The guards.
var (
	guardCallOpen = Guard{"call_open", "now is inside the programme's call window (must-arrive deadline, Japan time)", IllegalTransition,
		func(c *Context) []Problem { return callOpenProblems(c.Programme, c.Now, "") }}
	guardComplete = Guard{"complete", "every required field is answered and valid, and the organisation's record is valid", Invalid,
		func(c *Context) []Problem {
			ps := c.Programme.Form.Missing(c.Nomination.Answers)
			for _, p := range c.Organisation.Validate() {
				p.Path = "organisation." + p.Path
				ps = append(ps, p)
			}
			return ps
		}}
	guardBeforeDue = Guard{"before_due", "the correction is made before its due date", IllegalTransition,
		func(c *Context) []Problem {
			if d := c.Nomination.ReturnDue; d != nil && !c.Now.Before(*d) {
				return []Problem{problem("", "correction_overdue",
					"修正期限（"+WarekiDeadline(*d)+"）を過ぎています。事務局にご連絡ください",
					"the correction was due by "+DeadlineEn(*d)+"; contact the secretariat")}
			}
			return nil
		}}
	guardHasStages = Guard{"has_stages", "the programme has judged stages", IllegalTransition,
		func(c *Context) []Problem {
			if len(c.Programme.Stages) == 0 {
				return []Problem{problem("", "no_stages", "このプログラムには審査段階がありません", "the programme has no judged stages")}
			}
			return nil
		}}
	guardNextStage = Guard{"next_stage", "there is a stage after the current one", IllegalTransition,
		func(c *Context) []Problem {
			if c.Programme.StageIndex(c.Nomination.Stage)+1 >= len(c.Programme.Stages) {
				return []Problem{problem("", "last_stage", "最終段階のため次の段階はありません", "this is the last stage")}
			}
			return nil
		}}
	guardGrantsTier = Guard{"grants_tier", "the current stage selects for a tier", IllegalTransition,
		func(c *Context) []Problem {
			if s := currentStage(c); s == nil || s.Grants == "" {
				return []Problem{problem("", "stage_decides_awards",
					"この段階では選定ではなく賞を決定します", "this stage decides awards; use award")}
			}
			return nil
		}}
	guardDecidesAwards = Guard{"decides_awards", "the current stage decides awards", IllegalTransition,
		func(c *Context) []Problem {
			if s := currentStage(c); s == nil || len(s.Awards) == 0 {
				return []Problem{problem("", "stage_grants_tier",
					"この段階では賞を決定できません", "this stage does not decide awards; use select")}
			}
			return nil
		}}
	guardReleaseOpen = Guard{"before_release", "the programme's results have not been released: nothing is submitted after", IllegalTransition,
		func(c *Context) []Problem {
			if c.ReleasedAt != nil {
				return []Problem{problem("", "results_released",
					"結果発表後は提出できません", "results have been released; nothing more can be submitted to this programme")}
			}
			return nil
		}}
	guardNotReleased = Guard{"not_released", "the programme's results have not been released", IllegalTransition,
		func(c *Context) []Problem {
			if c.ReleasedAt != nil {
				return []Problem{problem("", "results_released",
					"結果発表後は辞退できません", "results have been released; the nomination can no longer be withdrawn")}
			}
			return nil
		}}
)

// CallWindow is the programme's call window: every check of whether the
// call is open reads it here (so that extensions can be applied in one
// place).
func CallWindow(p *Programme) Window { return p.Call }

// callOpenProblems says why the call is not open at now, in Japanese
// (with the window in 和暦) and English; nothing if it is. what names what
// is refused ("" for a submission).
func callOpenProblems(p *Programme, now time.Time, what string) []Problem {
	w := CallWindow(p)
	switch {
	case now.Before(w.Opens):
		return []Problem{problem("", "call_not_open",
			"募集開始前です（開始: "+WarekiTime(w.Opens)+"）",
			"the call opens at "+w.Opens.In(Tokyo).Format("2006-01-02 15:04")+" JST")}
	case !now.Before(w.Closes):
		if what == "create" {
			return []Problem{problem("", "call_closed",
				"募集期間（"+WarekiTime(w.Opens)+" 〜 "+WarekiMustArrive(w.Closes)+"）は終了しました。新しい応募は作成できません",
				"the call ran from "+w.Opens.In(Tokyo).Format("2006-01-02 15:04")+" JST until "+DeadlineEn(w.Closes)+"; no new nomination can be created")}
		}
		return []Problem{problem("", "call_closed",
			"募集は締め切られました（締切: "+WarekiMustArrive(w.Closes)+"）",
			"the call has closed (it had to arrive by "+DeadlineEn(w.Closes)+")")}
	}
	return nil
}

// CallOpen reports whether the programme's call is open at now.
func CallOpen(p *Programme, now time.Time) bool { return len(callOpenProblems(p, now, "")) == 0 }

func currentStage(c *Context) *Stage {
	if i := c.Programme.StageIndex(c.Nomination.Stage); i >= 0 {
		return &c.Programme.Stages[i]
	}
	return nil
}

func snapshot(n *Nomination, c *Context) {
	org := c.Organisation
	n.Snapshot = &org
	n.ReturnReason, n.ReturnDue = "", nil
}

// transitions is the lifecycle table. Every (state, action) pair not in it
// is an illegal transition.
var transitions = append([]Transition{
	{From: Draft, Action: Submit, To: Submitted, Perm: PermSubmit, Guards: []Guard{guardReleaseOpen, guardCallOpen, guardComplete},
		effect: func(n *Nomination, c *Context) {
			snapshot(n, c)
			now := c.Now
			n.SubmittedAt = &now
		}},
	{From: Submitted, Action: Return, To: Returned, Perm: PermReturn, Needs: NeedReason | NeedDue, effect: setReturn},
	{From: Screening, Action: Return, To: Returned, Perm: PermReturn, Needs: NeedReason | NeedDue, effect: setReturn},
	{From: Returned, Action: Return, To: Returned, Perm: PermReturn, Needs: NeedReason | NeedDue, effect: setReturn},
	{From: Returned, Action: Resubmit, To: Submitted, Perm: PermResubmit, Guards: []Guard{guardReleaseOpen, guardBeforeDue, guardComplete}, effect: snapshot},
	{From: Submitted, Action: StartScreening, To: Screening, Perm: PermStartScreening},
	{From: Screening, Action: DeclareIneligible, To: Ineligible, Perm: PermDeclareIneligible, Needs: NeedReason},
	{From: Screening, Action: Recognise, To: Recognised, Perm: PermRecognise,
		effect: func(n *Nomination, c *Context) { n.Tier = c.Programme.FirstTier() }},
	{From: Recognised, Action: Advance, To: InReview, Perm: PermAdvance, Guards: []Guard{guardHasStages},
		effect: func(n *Nomination, c *Context) { n.Stage = c.Programme.Stages[0].Key }},
	{From: Selected, Action: Advance, To: InReview, Perm: PermAdvance, Guards: []Guard{guardNextStage},
		effect: func(n *Nomination, c *Context) {
			n.Stage = c.Programme.Stages[c.Programme.StageIndex(n.Stage)+1].Key
		}},
	{From: InReview, Action: Select, To: Selected, Perm: PermSelect, Guards: []Guard{guardGrantsTier},
		effect: func(n *Nomination, c *Context) { n.Tier = currentStage(c).Grants }},
	{From: InReview, Action: NotSelect, To: NotSelected, Perm: PermNotSelect, Needs: NeedReason},
	{From: InReview, Action: Award, To: Awarded, Perm: PermAward, Needs: NeedAward, Guards: []Guard{guardDecidesAwards},
		effect: func(n *Nomination, c *Context) { n.Award = c.Input.Award }},
}, withdrawals()...)

func setReturn(n *Nomination, c *Context) {
	n.ReturnReason = c.Input.Reason
	due := *c.Input.Due
	n.ReturnDue = &due
}

// withdrawals lets the applicant withdraw from every state but withdrawn,
// until the programme's results are released.
func withdrawals() []Transition {
	var out []Transition
	for _, s := range States {
		if s != Withdrawn {
			out = append(out, Transition{From: s, Action: Withdraw, To: Withdrawn, Perm: PermWithdraw, Guards: []Guard{guardNotReleased}})
		}
	}
	return out
}

// Transitions returns a copy of the lifecycle table.
func Transitions() []Transition { return slices.Clone(transitions) }

// lookup returns the transition for (from, action).
func lookup(from State, a Action) (*Transition, bool) {
	for i := range transitions {
		if t := &transitions[i]; t.From == from && t.Action == a {
			return t, true
		}
	}
	return nil, false
}

// Terminal reports whether no action leads out of s.
func (s State) Terminal() bool {
	for _, t := range transitions {
		if t.From == s {
			return false
		}
	}
	return true
}

// Decide applies action to the nomination in c on behalf of actor and
// returns the nomination as it would be after it, without changing c. It is
// the whole rule of the lifecycle; the service only loads and stores.
//
// Errors: IllegalTransition if the table has no such transition or a guard
// refuses (with reasons); Forbidden if the role may not take the action;
// Invalid if a required input is missing or bad, or required answers are
// missing (with per-field problems).
func Decide(c *Context, az Authorizer, actor Actor, action Action) (Nomination, error) {
	n := *c.Nomination
	t, ok := lookup(n.State, action)
	if !ok {
		// Named as the actor sees it: an applicant learns nothing of staff steps.
		shown := seenState(&n, az.Permits(actor, PermApplicantView, c.Programme.Ministry, ownFacts(actor, c.Nomination)), c.ReleasedAt != nil).Label()
		return n, &Error{Code: IllegalTransition, Message: fmt.Sprintf("cannot %s a nomination that is %s", action, shown.En),
			Ja: fmt.Sprintf("現在の状態（%s）では「%s」はできません", shown.Ja, action.Label().Ja),
			Problems: []Problem{problem("", "illegal_transition",
				fmt.Sprintf("現在の状態（%s）では「%s」はできません", shown.Ja, action.Label().Ja),
				fmt.Sprintf("%s is not possible when the nomination is %s", action, shown.En))}}
	}
	if !mayTake(c, az, actor, t) {
		role := actor.RoleIn(c.Programme.Ministry) // named in the refusal only
		if role == "" {
			return n, Refuse(Forbidden, "この応募に対して「%[3]s」を行う権限がありません", "role %[1]q may not %[2]s", role, action, action.Label().Ja)
		}
		return n, Refuse(Forbidden, "%[4]sは「%[3]s」を行えません", "role %[1]q may not %[2]s", role, action, action.Label().Ja, role.Label().Ja)
	}
	if ps := checkInput(t.Needs, c); len(ps) > 0 {
		return n, &Error{Code: Invalid, Message: "invalid input for " + string(action), Problems: ps}
	}
	for _, g := range t.Guards {
		if ps := g.check(c); len(ps) > 0 {
			return n, &Error{Code: g.Code, Message: fmt.Sprintf("cannot %s: %s", action, g.Name), Problems: ps}
		}
	}
	if t.effect != nil {
		t.effect(&n, c)
	}
	n.State = t.To
	n.Version++
	n.UpdatedAt = c.Now
	if action.VisibleToApplicant() {
		n.ApplicantVersion++
		n.ApplicantUpdatedAt = c.Now
	}
	return n, nil
}

// mayTake asks the authorizer whether actor may take transition t on the
// nomination of c, in the programme's ministry, with the facts the context
// holds.
func mayTake(c *Context, az Authorizer, actor Actor, t *Transition) bool {
	facts := Facts(0).With(ActsForOrganisation, actor.OrganisationID != 0 && actor.OrganisationID == c.Nomination.OrganisationID)
	return az.Permits(actor, t.Perm, c.Programme.Ministry, facts)
}

// VisibleToApplicant reports whether the applicant sees this step before
// results are released: its own steps and a return for correction. Staff
// steps (screening, decisions) move neither the applicant's version nor its
// updated_at, and are left out of its history.
func (a Action) VisibleToApplicant() bool {
	switch a {
	case Create, Submit, Return, Resubmit, Withdraw:
		return true
	}
	return false
}

const maxReason = 2000

func checkInput(needs Needs, c *Context) []Problem {
	var ps []Problem
	in := c.Input
	if p := reasonProblem("reason", in.Reason, needs&NeedReason != 0); p != nil {
		ps = append(ps, *p)
	}
	if needs&NeedDue != 0 {
		switch {
		case in.Due == nil:
			ps = append(ps, problem("due", "required", "修正期限を指定してください", "a correction due date is required"))
		case !in.Due.After(c.Now):
			ps = append(ps, problem("due", "in_past", "修正期限は未来の日時にしてください", "the due date must be in the future"))
		}
	}
	if needs&NeedAward != 0 {
		s := currentStage(c)
		if in.Award == "" {
			ps = append(ps, problem("award", "required", "賞を指定してください", "an award is required"))
		} else if s == nil || !slices.Contains(s.Awards, in.Award) {
			ps = append(ps, problem("award", "unknown_award", "この段階で決定できない賞です", fmt.Sprintf("%q is not an award decided at this stage", in.Award)))
		}
	}
	return ps
}

// Option is an action available to an actor on a nomination, with the
// reasons it is currently refused, if any.
type Option struct {
	Action  Action    `json:"action"`
	To      State     `json:"to"`
	Allowed bool      `json:"allowed"`
	Needs   []string  `json:"needs,omitempty"`
	Reasons []Problem `json:"reasons,omitempty"`
}

// AvailableActions lists the actions the role may take from the
// nomination's state, each with whether its guards pass now. It reads the
// same table as Decide; inputs (reason, due, award) are listed as needs,
// not checked.
func AvailableActions(c *Context, az Authorizer, actor Actor) []Option {
	var out []Option
	for i := range transitions {
		t := &transitions[i]
		if t.From != c.Nomination.State || !mayTake(c, az, actor, t) {
			continue
		}
		o := Option{Action: t.Action, To: t.To, Allowed: true, Needs: t.Needs.names()}
		for _, g := range t.Guards {
			o.Reasons = append(o.Reasons, g.check(c)...)
		}
		o.Allowed = len(o.Reasons) == 0
		out = append(out, o)
	}
	return out
}
