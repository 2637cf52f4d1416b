package workflow

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/awardflow/awardflow/workflow/password"
)

// Service applies awardflow's rules. Each method runs in one transaction,
// reads the clock once, and checks the facts about the data (who owns a
// nomination, which ministry runs a programme) inside that transaction.
// Whether a role may call a method at all is the policy package's answer.
type Service struct {
	store          Store
	now            func() time.Time
	cycles         sync.Map // "key@version" → *CycleVersion; versions are immutable once stored
	passwordParams password.Params
	authz          Authorizer // who may do what; refuseAll unless WithAuthorizer
	dummyOnce      sync.Once
	dummy          string
	sheetKey       []byte // signs offline scoring sheets
}

// ServiceOption configures a Service.
type ServiceOption func(*Service)

// WithPasswordParams sets argon2id's cost (tests use a cheap one).
func WithPasswordParams(p password.Params) ServiceOption {
	return func(s *Service) { s.passwordParams = p }
}

// NewService returns a service over store with the given clock.
func NewService(store Store, now func() time.Time, opts ...ServiceOption) *Service {
	s := &Service{store: store, now: now, passwordParams: password.Default, authz: refuseAll{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// LoadResult reports what loading a cycle did (or, on a dry run, would do).
type LoadResult struct {
	Key      string
	Version  int  // the version now current
	Created  bool // a new version was (or would be) stored
	Previous int  // the version before, 0 if none
}

// LoadCycle validates a cycle and stores it as a new version unless it
// equals the newest stored version. Nominations keep the version they were
// submitted against. Only administrators load cycles.
//
// Errors: Forbidden; Invalid with every problem; Conflict if another load
// stored the same version number first.
func (s *Service) LoadCycle(ctx context.Context, actor Actor, c Cycle, dryRun bool) (LoadResult, error) {
	const op = "workflow.LoadCycle"
	if !actor.IsAdmin() {
		return LoadResult{}, &Error{Op: op, Code: Forbidden, Message: "only administrators load cycles", Ja: "年度の設定を読み込めるのは管理者だけです"}
	}
	canonicalTimes(&c)
	if err := invalid("invalid cycle", c.Check()); err != nil {
		return LoadResult{}, withOp(op, err)
	}
	hash := CycleHash(&c)
	var res LoadResult
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		res = LoadResult{Key: c.Key}
		latest, err := tx.LatestCycle(ctx, c.Key)
		switch {
		case ErrorCode(err) == NotFound:
		case err != nil:
			return err
		default:
			res.Previous, res.Version = latest.Version, latest.Version
			if latest.Hash == hash {
				return nil
			}
			if err := invalid("invalid cycle", ministryChanges(&latest.Cycle, &c)); err != nil {
				return err
			}
		}
		res.Created = true
		res.Version = res.Previous + 1
		if dryRun {
			return nil
		}
		return tx.InsertCycleVersion(ctx, &CycleVersion{
			Key: c.Key, Version: res.Version, Hash: hash, Cycle: c, LoadedAt: now, LoadedBy: actor.ID,
		})
	})
	return res, withOp(op, err)
}

// ministryChanges refuses to move a programme to another ministry between
// versions: a programme's ministry is its authorization domain, recorded on
// every nomination.
func ministryChanges(old, c *Cycle) []Problem {
	var ps []Problem
	for i, p := range c.Programmes {
		if prev, ok := old.Programme(p.Key); ok && prev.Ministry != p.Ministry {
			ps = append(ps, Problem{Path: fmt.Sprintf("programmes[%d].ministry", i), Code: "immutable",
				Message: Text{Ja: fmt.Sprintf("読み込み済みの部門の所管は %s から %s に変更できません", prev.Ministry, p.Ministry),
					En: fmt.Sprintf("cannot change from %s to %s once loaded", prev.Ministry, p.Ministry)}})
		}
	}
	return ps
}

// canonicalTimes stores instants in UTC so that the same file always
// hashes the same, whatever offset it was written with.
func canonicalTimes(c *Cycle) {
	for i := range c.Programmes {
		w := &c.Programmes[i].Call
		w.Opens, w.Closes = w.Opens.UTC(), w.Closes.UTC()
	}
}

// Cycle returns the newest version of a cycle.
func (s *Service) Cycle(ctx context.Context, key string) (CycleVersion, error) {
	var v CycleVersion
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if v, err = tx.LatestCycle(ctx, key); err != nil {
			return err
		}
		v.Cycle, err = s.effectiveCycle(ctx, tx, v.Cycle) // the windows in force, not only the file's
		return err
	})
	return v, withOp("workflow.Cycle", err)
}

// CycleKeys lists the stored cycles.
func (s *Service) CycleKeys(ctx context.Context) ([]string, error) {
	var keys []string
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		keys, err = tx.CycleKeys(ctx)
		return err
	})
	return keys, withOp("workflow.CycleKeys", err)
}

// CreateOrganisation validates and stores an organisation. An applicant
// creates the one it will act for, once, and is bound to it in the same
// transaction; staff may create any.
//
// Errors: Invalid with every problem; Forbidden for judges and chairs;
// Conflict if an applicant already acts for an organisation or another
// organisation holds the corporate number (CorporateNumberTaken).
func (s *Service) CreateOrganisation(ctx context.Context, actor Actor, o Organisation) (Organisation, error) {
	const op = "workflow.CreateOrganisation"
	if !actor.IsStaff() && !actor.Has(RoleApplicant, AnyDomain) {
		return Organisation{}, &Error{Op: op, Code: Forbidden, Message: "only applicants and the secretariat create organisations", Ja: "団体を登録できるのは応募者と事務局だけです"}
	}
	o = o.Normalise()
	if err := invalid("invalid organisation", o.Validate()); err != nil {
		return Organisation{}, withOp(op, err)
	}
	applicant := !actor.IsStaff()
	if applicant && actor.OrganisationID != 0 {
		return Organisation{}, &Error{Op: op, Code: Conflict, Message: "this account already acts for an organisation", Ja: "このアカウントはすでに団体の担当者として登録されています"}
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		o.ID, o.Version, o.CreatedAt, o.UpdatedAt = 0, 1, now, now
		if err := checkCorporateNumber(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.InsertOrganisation(ctx, &o); err != nil {
			return err
		}
		if applicant { // the signed-up applicant now acts for it
			return tx.BindOrganisation(ctx, actor.UserID, o.ID)
		}
		return nil
	})
	return o, withOp(op, err)
}

// Organisation returns an organisation the actor may see: an applicant only
// its own. Errors: NotFound.
func (s *Service) Organisation(ctx context.Context, actor Actor, id int64) (Organisation, error) {
	const op = "workflow.Organisation"
	if !actor.IsStaff() && actor.OrganisationID != id {
		return Organisation{}, withOp(op, Refuse(NotFound, "団体 %d は見つかりません", "no such organisation %d", id))
	}
	var o Organisation
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		o, err = tx.Organisation(ctx, id)
		return err
	})
	return o, withOp(op, err)
}

// UpdateOrganisation replaces an organisation's record if its version is
// still expected. Submitted nominations keep their snapshot.
//
// Errors: NotFound; Invalid; Conflict on a stale version or a corporate
// number another organisation holds.
func (s *Service) UpdateOrganisation(ctx context.Context, actor Actor, o Organisation, expected int) (Organisation, error) {
	const op = "workflow.UpdateOrganisation"
	if !actor.IsStaff() && actor.OrganisationID != o.ID {
		return Organisation{}, withOp(op, Refuse(NotFound, "団体 %d は見つかりません", "no such organisation %d", o.ID))
	}
	o = o.Normalise()
	if err := invalid("invalid organisation", o.Validate()); err != nil {
		return Organisation{}, withOp(op, err)
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		old, err := tx.Organisation(ctx, o.ID)
		if err != nil {
			return err
		}
		if old.Version != expected {
			return Refuse(Conflict, "この団体の情報は他の操作で更新されました（現在の版 %[2]d、編集した版 %[3]d）。再読み込みしてからやり直してください",
				"organisation %[1]d is at version %[2]d, not %[3]d; reload and try again", o.ID, old.Version, expected)
		}
		if err := checkCorporateNumber(ctx, tx, o); err != nil {
			return err
		}
		o.CreatedAt, o.UpdatedAt, o.Version = old.CreatedAt, s.now().UTC(), expected+1
		return tx.UpdateOrganisation(ctx, &o, expected)
	})
	return o, withOp(op, err)
}

// CreateNomination starts a draft for an organisation in a programme of the
// newest version of a cycle. An applicant may only create drafts for its own
// organisation; the secretariat may create one on its behalf.
//
// Errors: NotFound (cycle, programme or organisation); Conflict if the
// organisation already has a nomination for the programme; Forbidden.
func (s *Service) CreateNomination(ctx context.Context, actor Actor, orgID int64, cycleKey, programmeKey string) (Nomination, error) {
	const op = "workflow.CreateNomination"
	var n Nomination
	var missing []Problem
	for _, f := range []struct {
		path, ja string
		empty    bool
	}{{"cycle", "募集回", cycleKey == ""}, {"programme", "部門", programmeKey == ""}, {"organisation_id", "団体", orgID == 0}} {
		if f.empty {
			missing = append(missing, problem(f.path, "required", f.ja+"を指定してください", "is required"))
		}
	}
	if len(missing) > 0 {
		return n, &Error{Op: op, Code: Invalid, Message: "a nomination needs a cycle, a programme and an organisation",
			Ja: "応募の作成には募集回・部門・団体の指定が必要です", Problems: missing}
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		cv, err := tx.LatestCycle(ctx, cycleKey)
		if err != nil {
			return err
		}
		p, ok := cv.Cycle.Programme(programmeKey)
		if !ok {
			return Refuse(NotFound, "%[1]s に部門「%[2]s」はありません", "cycle %[1]s has no programme %[2]q", cycleKey, programmeKey)
		}
		switch ownOrg := Facts(0).With(ActsForOrganisation, actor.OrganisationID == orgID); {
		case s.authz.Permits(actor, PermCreateNomination, p.Ministry, ownOrg):
		case s.authz.Permits(actor, PermCreateNomination, p.Ministry, anyFacts):
			return Refuse(NotFound, "団体 %d は見つかりません", "no such organisation %d", orgID)
		case s.authz.Permits(actor, PermReadEntries, p.Ministry, 0):
			return Refuse(Forbidden, "審査員・委員長は応募を作成できません", "judges do not create nominations")
		default:
			return Refuse(NotFound, "%[1]s に部門「%[2]s」はありません", "cycle %[1]s has no programme %[2]q", cycleKey, programmeKey)
		}
		if _, err := tx.Organisation(ctx, orgID); err != nil {
			return err
		}
		if p, err = s.effective(ctx, tx, cycleKey, p); err != nil {
			return err
		}
		if err := openForEntries(ctx, tx, p, cycleKey, now); err != nil {
			return err
		}
		n = Nomination{
			CycleKey: cycleKey, CycleVersion: cv.Version, ProgrammeKey: programmeKey, Ministry: p.Ministry, OrganisationID: orgID,
			State: Draft, Answers: Answers{}, Version: 1, CreatedAt: now, UpdatedAt: now, ApplicantVersion: 1, ApplicantUpdatedAt: now,
		}
		if err := tx.InsertNomination(ctx, &n); err != nil {
			return err
		}
		return tx.AppendHistory(ctx, []HistoryEntry{{
			NominationID: n.ID, Version: 1, ApplicantVersion: 1, ActorID: actor.ID, ActorName: actor.Name, Role: actor.RoleIn(p.Ministry),
			Action: Create, To: Draft, At: now,
		}})
	})
	return n, withOp(op, err)
}

// openForEntries refuses a new nomination once the programme's call has
// closed (the window in 和暦) or its results have been released.
func openForEntries(ctx context.Context, tx Tx, p *Programme, cycleKey string, now time.Time) error {
	rel, err := tx.ReleasedAt(ctx, cycleKey, p.Key)
	if err != nil {
		return err
	}
	if rel != nil {
		return Refuse(IllegalTransition, "%sは結果発表済みのため、新しい応募は作成できません",
			"the results of %s have been released; no new nomination can be created", p.Key)
	}
	if !now.Before(CallWindow(p).Closes) {
		ps := callOpenProblems(p, now, "create")
		return &Error{Code: IllegalTransition, Message: ps[0].Message.En, Ja: ps[0].Message.Ja, Problems: ps}
	}
	return nil
}

// UpdateAnswers merges a patch into a nomination's answers (a nil value
// clears one) while it is editable (draft or returned) and still at the
// expected version.
//
// Errors: NotFound; Conflict on a stale version; IllegalTransition if it is
// not editable; Invalid with a problem per bad answer.
func (s *Service) UpdateAnswers(ctx context.Context, actor Actor, id int64, expected int, patch map[string]any) (Nomination, error) {
	const op = "workflow.UpdateAnswers"
	var n Nomination
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		c, rebind, err := s.visible(ctx, tx, actor, id, now)
		if err != nil {
			return err
		}
		n = *c.Nomination
		if !s.authz.Permits(actor, PermEditNomination, c.Programme.Ministry, ownFacts(actor, &n)) {
			return Refuse(Forbidden, "応募内容を編集できるのは応募者だけです", "only the applicant edits its answers")
		}
		if seen := seenVersion(&n, true, c.ReleasedAt != nil); seen != expected {
			return Refuse(Conflict, "この応募は他の操作で更新されました（現在の版 %[2]d、編集した版 %[3]d）。再読み込みしてからやり直してください",
				"nomination %[1]d is at version %[2]d, not %[3]d; reload and try again", id, seen, expected)
		}
		if !n.Editable() {
			shown := seenState(&n, true, c.ReleasedAt != nil)
			return Refuse(IllegalTransition, "応募が「%[2]s」の状態になっているため、応募内容は変更できません", "answers cannot be changed once the nomination is %[1]s", shown.Label().En, shown.Label().Ja)
		}
		answers, ps := c.Programme.Form.Apply(n.Answers, patch)
		if err := invalid("invalid answers", ps); err != nil {
			return err
		}
		if rebind != 0 { // a draft follows the newest cycle version
			n.CycleVersion = rebind
		}
		changes, err := DiffAnswers(n.Answers, answers)
		if err != nil {
			return err
		}
		n.Answers, n.Version, n.UpdatedAt = answers, n.Version+1, now
		n.ApplicantVersion, n.ApplicantUpdatedAt = n.ApplicantVersion+1, now
		if err := tx.UpdateNominations(ctx, []Nomination{n}); err != nil {
			return err
		}
		return tx.InsertAnswerEdit(ctx, &AnswerEdit{NominationID: n.ID, Version: n.Version, ApplicantVersion: n.ApplicantVersion,
			ActorID: actor.ID, ActorName: actor.Name, Role: RoleApplicant, Changes: changes, At: now}) // audited with the history
	})
	return n, withOp(op, err)
}

// Organisations lists and searches organisations, oldest first, a page at
// a time; staff only.
func (s *Service) Organisations(ctx context.Context, actor Actor, f OrganisationFilter) ([]Organisation, PageInfo, error) {
	if !actor.IsStaff() {
		return nil, PageInfo{}, &Error{Op: "workflow.Organisations", Code: Forbidden, Message: "staff only", Ja: "団体の一覧は職員だけが見られます"}
	}
	f.Q = normalise(f.Q)
	filters := []string{f.Q, f.Prefecture, f.Industry}
	var err error
	if f.Page, err = f.Page.open("organisations", filters...); err != nil {
		return nil, PageInfo{}, withOp("workflow.Organisations", err)
	}
	var (
		os    []Organisation
		total int
	)
	err = listRun(s.store, f.Total)(ctx, func(tx Tx) error {
		var err error
		os, total, err = tx.SearchOrganisations(ctx, f)
		return err
	})
	n, info := f.Page.close(len(os), func(i int) int64 { return os[i].ID }, total, "organisations", filters...)
	return os[:n], info, withOp("workflow.Organisations", err)
}

// Nominations lists the nominations the actor may see (an applicant its
// organisation's, a secretariat its ministries', administrators all),
// filtered, newest first, a page at a time.
func (s *Service) Nominations(ctx context.Context, actor Actor, f NominationFilter) ([]NominationItem, PageInfo, error) {
	const op = "workflow.Nominations"
	f.Ministries, f.OrganisationID = nil, 0
	own := false // the applicant's own list
	switch {
	case actor.IsAdmin():
	case actor.IsStaff():
		f.Ministries = staffDomains(s.authz, actor)
	case actor.Has(RoleApplicant, AnyDomain):
		// The filter matches the state the applicant sees (under_review
		// before release), so no state tells a decision.
		if f.State != "" && f.State != UnderReview && !slices.Contains(States, f.State) {
			e := Refuse(Invalid, "状態「%s」はありません", "there is no state %q", f.State)
			e.Op, e.Problems = op, []Problem{problem("state", "invalid", e.Ja, e.Message)}
			return nil, PageInfo{}, e
		}
		f.OrganisationID, own = actor.OrganisationID, true
	default:
		return nil, PageInfo{}, &Error{Op: op, Code: Forbidden, Message: "judges see entries through their panels", Ja: "審査員・委員長は、担当する審査会から応募を確認してください"}
	}
	f.Q = normalise(f.Q)
	filters := []string{f.Cycle, f.Programme, string(f.State), f.Prefecture, f.Industry, f.Q}
	var err error
	if f.Page, err = f.Page.open("nominations", filters...); err != nil {
		return nil, PageInfo{}, withOp(op, err)
	}
	var (
		items []NominationItem
		total int
	)
	run := listRun(s.store, f.Total)
	if own { // several reads: the list, releases, cycle versions
		run = s.store.InTx
	}
	err = run(ctx, func(tx Tx) error {
		var err error
		switch {
		case !own:
			items, total, err = tx.SearchNominations(ctx, f)
			return err
		case f.OrganisationID == 0: // an applicant without an organisation yet
			return nil
		}
		items, total, err = s.applicantNominations(ctx, tx, f)
		return err
	})
	n, info := f.Page.close(len(items), func(i int) int64 { return items[i].Nomination.ID }, total, "nominations", filters...)
	return items[:n], info, withOp(op, err)
}

// applicantNominations is an applicant's own list, each nomination as the
// applicant sees it, filtered by the state it sees. An organisation has a
// handful of nominations, so they are read whole and paged here (newest
// first, up to f.Limit below f.After), with the number that match.
func (s *Service) applicantNominations(ctx context.Context, tx Tx, f NominationFilter) ([]NominationItem, int, error) {
	want, page := f.State, f.Page
	f.State, f.Page = "", Page{Limit: maxOwnNominations}
	all, _, err := tx.SearchNominations(ctx, f)
	if err != nil {
		return nil, 0, err
	}
	released := map[string]bool{} // by cycle/programme: one lookup per programme, not per row
	var out []NominationItem
	total := 0
	for _, it := range all {
		n := it.Nomination
		k := n.CycleKey + "/" + n.ProgrammeKey
		rel, ok := released[k]
		if !ok {
			at, err := tx.ReleasedAt(ctx, n.CycleKey, n.ProgrammeKey)
			if err != nil {
				return nil, 0, err
			}
			rel = at != nil
			released[k] = rel
		}
		cv, err := s.cycleVersion(ctx, tx, n.CycleKey, n.CycleVersion)
		if err != nil {
			return nil, 0, err
		}
		p, err := programmeOf(cv, &n)
		if err != nil {
			return nil, 0, err
		}
		it.Nomination = forApplicant(n, p, rel)
		if want == "" || it.Nomination.State == want ||
			(want == Submitted || want == UnderReview) && (it.Nomination.State == Submitted || it.Nomination.State == UnderReview) {
			total++
			if (page.After == 0 || n.ID < page.After) && len(out) < page.Limit {
				out = append(out, it)
			}
		}
	}
	return out, total, nil
}

// maxOwnNominations bounds one organisation's list (one live nomination
// per programme and cycle, and the withdrawn ones).
const maxOwnNominations = 10_000

// NominationView is a nomination with what its reader needs beside it.
type NominationView struct {
	Nomination Nomination
	Programme  Programme
	Released   bool      // the programme's results have been released
	Verdicts   []Verdict // eligibility evidence; staff only
	Actions    []Option  // what the reader may do now
}

// view is a nomination as actor sees it, with the actions open to it.
func (s *Service) view(c *Context, actor Actor) NominationView {
	n := *c.Nomination
	v := NominationView{Nomination: n, Programme: *c.Programme, Released: c.ReleasedAt != nil, Actions: AvailableActions(c, s.authz, actor)}
	switch {
	case s.authz.Permits(actor, PermReadVerdicts, c.Programme.Ministry, 0):
		v.Verdicts = c.Programme.Verdicts(n.Answers, c.Organisation)
	case s.applicantView(actor, c):
		v.Nomination = forApplicant(n, c.Programme, v.Released)
	}
	return v
}

// forApplicant is a nomination as its applicant sees it. Until results are
// released nothing tells a staff step: the version and updated_at are the
// applicant's own (ApplicantVersion), submitted, screening and every
// decision show as under_review, and there is no stage, tier or award.
// After release, a nomination not selected at a stage after reaching a tier
// shows the highest tier reached (recognised, or selected at the stage that
// granted it), not the loss.
func forApplicant(n Nomination, p *Programme, released bool) Nomination {
	if !released {
		n.State = applicantState(n.State)
		n.Stage, n.Tier, n.Award = "", "", ""
		n.Version, n.UpdatedAt = n.ApplicantVersion, n.ApplicantUpdatedAt
		return n
	}
	if st, stage, ok := highestReached(&n, p); ok {
		n.State, n.Stage = st, stage
	}
	return n
}

// applicantState is the state an applicant sees before release.
func applicantState(s State) State {
	switch s {
	case "", Draft, Returned, Withdrawn:
		return s
	}
	return UnderReview
}

// highestReached is, for a nomination not selected that kept a tier, the
// state and stage in which it reached that tier.
func highestReached(n *Nomination, p *Programme) (State, string, bool) {
	if n.State != NotSelected || n.Tier == "" {
		return "", "", false
	}
	i := p.StageIndex(n.Stage)
	for j := i - 1; j >= 0; j-- {
		if p.Stages[j].Grants == n.Tier {
			return Selected, p.Stages[j].Key, true
		}
	}
	return Recognised, "", true
}

// seenVersion is the version the actor knows a nomination at: an
// applicant's own until release, the real one otherwise. An If-Match is
// compared with it.
func seenVersion(n *Nomination, applicantView bool, released bool) int {
	if applicantView && !released {
		return n.ApplicantVersion
	}
	return n.Version
}

// seenState is the state the actor knows a nomination in: under_review for
// an applicant until release (see applicantState), the real one otherwise.
// Refusals name it, so that they reveal no more than a read does.
func seenState(n *Nomination, applicantView bool, released bool) State {
	if applicantView && !released {
		return applicantState(n.State)
	}
	return n.State
}

// applicantHistory is the history as the applicant of n sees it: never the
// names of the staff who acted; until results are released only the steps
// VisibleToApplicant, at the applicant's versions and with the states it
// saw; after release every step, but not those after the highest tier
// reached when the nomination shows that tier (forApplicant).
func applicantHistory(hs []HistoryEntry, n *Nomination, p *Programme, released bool) []HistoryEntry {
	out := make([]HistoryEntry, 0, len(hs))
	for _, h := range hs {
		if !h.Role.ForOrganisation() {
			h.ActorID, h.ActorName = "", ""
		}
		if !released {
			if !h.Action.VisibleToApplicant() {
				continue
			}
			h.Version = h.ApplicantVersion
			h.From, h.To = applicantState(h.From), applicantState(h.To)
			h.Stage, h.Tier, h.Award = "", "", ""
		}
		out = append(out, h)
	}
	if st, stage, ok := highestReached(n, p); ok && released {
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].To == st && out[i].Stage == stage {
				return out[:i+1]
			}
		}
	}
	return out
}

// Nomination returns a nomination the actor may see, its eligibility
// verdicts (staff only) and the actions available to the actor.
// Errors: NotFound.
func (s *Service) Nomination(ctx context.Context, actor Actor, id int64) (NominationView, error) {
	var v NominationView
	err := s.store.InTx(ctx, func(tx Tx) error {
		c, _, err := s.visible(ctx, tx, actor, id, s.now().UTC())
		if err != nil {
			return err
		}
		v = s.view(c, actor)
		return nil
	})
	return v, withOp("workflow.Nomination", err)
}

// History returns a nomination's history, oldest first. Errors: NotFound.
func (s *Service) History(ctx context.Context, actor Actor, id int64) ([]HistoryEntry, error) {
	var hs []HistoryEntry
	err := s.store.InTx(ctx, func(tx Tx) error {
		c, _, err := s.visible(ctx, tx, actor, id, s.now().UTC())
		if err != nil {
			return err
		}
		if hs, err = tx.History(ctx, id); err != nil {
			return err
		}
		if s.applicantView(actor, c) {
			hs = applicantHistory(hs, c.Nomination, c.Programme, c.ReleasedAt != nil)
		}
		return nil
	})
	return hs, withOp("workflow.History", err)
}

// Transition applies an action to one nomination. If expected is not zero
// the nomination must still be at that version. The change and its history
// entry commit together; of concurrent attempts on the same version exactly
// one wins and the others get Conflict.
//
// Errors: NotFound; Conflict; Forbidden; Invalid; IllegalTransition (with
// the guards' reasons).
func (s *Service) Transition(ctx context.Context, actor Actor, id int64, expected int, action Action, in Input) (Nomination, error) {
	v, err := s.transition(ctx, actor, id, expected, action, in, false)
	return v.Nomination, err
}

// Act is Transition answered with the nomination as the actor sees it
// afterwards (as Nomination returns it), read in the same transaction.
func (s *Service) Act(ctx context.Context, actor Actor, id int64, expected int, action Action, in Input) (NominationView, error) {
	return s.transition(ctx, actor, id, expected, action, in, true)
}

func (s *Service) transition(ctx context.Context, actor Actor, id int64, expected int, action Action, in Input, view bool) (NominationView, error) {
	var v NominationView
	err := s.store.InTx(ctx, func(tx Tx) error {
		c, _, err := s.visible(ctx, tx, actor, id, s.now().UTC())
		if err != nil {
			return err
		}
		n := *c.Nomination
		// An applicant's If-Match is its own version; the update below still
		// requires the real one to be unchanged, so of a staff step and an
		// applicant's step on the same row one wins and the other gets Conflict.
		seen := seenVersion(&n, s.applicantView(actor, c), c.ReleasedAt != nil)
		if expected != 0 && seen != expected {
			return Refuse(Conflict, "この応募は他の操作で更新されました（現在の版 %[2]d、編集した版 %[3]d）。再読み込みしてからやり直してください",
				"nomination %[1]d is at version %[2]d, not %[3]d; reload and try again", id, seen, expected)
		}
		outs, err := s.apply(ctx, tx, actor, []Nomination{n}, action, in)
		if err != nil {
			return err
		}
		v.Nomination = outs[0]
		if view {
			c, _, err := s.context(ctx, tx, &v.Nomination, &contextCache{}, s.now().UTC())
			if err != nil {
				return err
			}
			v = s.view(c, actor)
		}
		return nil
	})
	return v, withOp("workflow.Transition", err)
}

// BulkTransition applies one action with the same input to many
// nominations, all or nothing: if any is refused, nothing changes and the
// error lists every refusal, each with the path "nominations[ID]".
func (s *Service) BulkTransition(ctx context.Context, actor Actor, ids []int64, action Action, in Input) ([]Nomination, error) {
	var out []Nomination
	err := s.store.InTx(ctx, func(tx Tx) error {
		if len(ids) == 0 {
			return Refuse(Invalid, "応募が指定されていません", "no nominations given")
		}
		seen := make(map[int64]bool, len(ids))
		for _, id := range ids {
			if seen[id] {
				return Refuse(Invalid, "応募 %d が重複して指定されています", "nomination %d is listed twice", id)
			}
			seen[id] = true
		}
		ns, err := tx.Nominations(ctx, ids)
		if err != nil {
			return err
		}
		out, err = s.apply(ctx, tx, actor, ns, action, in)
		return err
	})
	return out, withOp("workflow.BulkTransition", err)
}

// apply decides an action for each nomination and stores the results and
// their history in tx. All must succeed.
func (s *Service) apply(ctx context.Context, tx Tx, actor Actor, ns []Nomination, action Action, in Input) ([]Nomination, error) {
	now := s.now().UTC()
	if in.Due != nil {
		d := in.Due.UTC()
		in.Due = &d
	}
	in.Reason = strings.TrimSpace(in.Reason)
	cache := contextCache{}
	if err := cache.preloadOrganisations(ctx, tx, ns); err != nil {
		return nil, err
	}
	out := make([]Nomination, 0, len(ns))
	hist := make([]HistoryEntry, 0, len(ns))
	var failed *Error
	for i := range ns {
		n := &ns[i]
		c, rebind, err := s.context(ctx, tx, n, &cache, now)
		if err == nil {
			err = canSee(s.authz, actor, n, c.Programme)
		}
		var next Nomination
		role := Role("")
		if err == nil {
			c.Input = in
			role = actor.RoleIn(c.Programme.Ministry)
			next, err = Decide(c, s.authz, actor, action)
		}
		if err != nil {
			if len(ns) == 1 {
				return nil, err
			}
			if failed == nil {
				failed = &Error{Code: ErrorCode(err), Message: fmt.Sprintf("%s refused; nothing was changed", action),
					Ja: fmt.Sprintf("「%s」ができない応募があるため、いずれの応募も変更していません", action.Label().Ja)}
			}
			failed.Problems = append(failed.Problems, bulkProblems(n.ID, err)...)
			continue
		}
		if rebind != 0 {
			next.CycleVersion = rebind
		}
		out = append(out, next)
		hist = append(hist, HistoryEntry{
			NominationID: n.ID, Version: next.Version, ApplicantVersion: next.ApplicantVersion, ActorID: actor.ID, ActorName: actor.Name, Role: role,
			Action: action, From: n.State, To: next.State, Stage: next.Stage, Tier: next.Tier, Award: next.Award,
			Reason: in.Reason, Due: in.Due, At: now,
		})
	}
	if failed != nil {
		return nil, failed
	}
	if err := tx.UpdateNominations(ctx, out); err != nil {
		return nil, err
	}
	return out, tx.AppendHistory(ctx, hist)
}

func bulkProblems(id int64, err error) []Problem {
	path := fmt.Sprintf("nominations[%d]", id)
	ps := ErrorProblems(err)
	if len(ps) == 0 {
		msg := Text{Ja: "処理できません", En: "refused"}
		var e *Error
		if errors.As(err, &e) {
			msg = Text{Ja: e.Ja, En: e.Message}
		}
		return []Problem{{Path: path, Code: string(ErrorCode(err)), Message: msg}}
	}
	out := make([]Problem, len(ps))
	for i, p := range ps {
		p.Path = strings.TrimSuffix(path+"."+p.Path, ".")
		out[i] = p
	}
	return out
}

// UndecidedStates are the states in which a nomination has no outcome yet:
// releasing results with nominations in them needs an explicit, recorded
// confirmation. Ineligible, recognised, selected, not selected and awarded
// are outcomes; withdrawn is neither.
var UndecidedStates = []State{Draft, Submitted, Returned, Screening, InReview}

// ReleaseStatus is the pre-flight of a programme's release: whether its call
// is still open, whether it was released (and how), and how many
// nominations are undecided, by state.
type ReleaseStatus struct {
	title            Text // the programme's, for messages
	Cycle, Programme string
	Call             Window
	CallOpen         bool
	Release          *Release // nil until released
	Undecided        map[State]int
	UndecidedTotal   int
}

// ReleaseRequest is what staff send to release a programme's results.
// ConfirmUndecided, with a Reason, releases although some nominations are
// still undecided; both are recorded with the counts.
type ReleaseRequest struct {
	ConfirmUndecided bool
	Reason           string
}

// ReleaseStatus returns the pre-flight of a programme's release. Staff of
// the programme's ministry only. Errors: NotFound.
func (s *Service) ReleaseStatus(ctx context.Context, actor Actor, cycleKey, programmeKey string) (ReleaseStatus, error) {
	var st ReleaseStatus
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		st, err = s.releaseStatus(ctx, tx, actor, cycleKey, programmeKey, s.now().UTC())
		return err
	})
	return st, withOp("workflow.ReleaseStatus", err)
}

func (s *Service) releaseStatus(ctx context.Context, tx Tx, actor Actor, cycleKey, programmeKey string, now time.Time) (ReleaseStatus, error) {
	_, p, err := staffProgramme(ctx, tx, s.authz, actor, cycleKey, programmeKey)
	if err != nil {
		return ReleaseStatus{}, err
	}
	if p, err = s.effective(ctx, tx, cycleKey, p); err != nil {
		return ReleaseStatus{}, err
	}
	st := ReleaseStatus{title: p.Title, Cycle: cycleKey, Programme: programmeKey, Call: CallWindow(p), CallOpen: CallOpen(p, now), Undecided: map[State]int{}}
	if st.Release, err = tx.Release(ctx, cycleKey, programmeKey); err != nil {
		return st, err
	}
	counts, err := tx.CountNominationsByState(ctx, cycleKey, programmeKey)
	if err != nil {
		return st, err
	}
	for _, u := range UndecidedStates {
		if counts[u] > 0 {
			st.Undecided[u] = counts[u]
			st.UndecidedTotal += counts[u]
		}
	}
	return st, nil
}

// ReleaseResults releases a programme's results with no confirmation of
// undecided nominations: Release with an empty request.
func (s *Service) ReleaseResults(ctx context.Context, actor Actor, cycleKey, programmeKey string) error {
	_, err := s.Release(ctx, actor, cycleKey, programmeKey, ReleaseRequest{})
	return err
}

// Release releases a programme's results to applicants; from then on
// nothing can be created, submitted, resubmitted or withdrawn in it. Staff
// of the programme's ministry only. It is refused while the call is open,
// and, while nominations are undecided, unless the request confirms them
// with a reason (recorded with the counts).
//
// Errors: NotFound; Conflict if already released; IllegalTransition (call
// open, or undecided nominations, each state a problem); Invalid (reason).
func (s *Service) Release(ctx context.Context, actor Actor, cycleKey, programmeKey string, req ReleaseRequest) (Release, error) {
	var rel Release
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		st, err := s.releaseStatus(ctx, tx, actor, cycleKey, programmeKey, now)
		if err != nil {
			return err
		}
		if st.Release != nil {
			return Refuse(Conflict, "「%[2]s」の結果は発表済みです（%[3]s）", "the results of %[1]s were already released at %[4]s",
				programmeKey, st.title.Ja, WarekiTime(st.Release.ReleasedAt), st.Release.ReleasedAt.In(Tokyo).Format("2006-01-02 15:04")+" JST")
		}
		if st.CallOpen {
			e := Refuse(IllegalTransition, "募集期間中（締切: %[1]s）は結果を発表できません", "the call is open until %[2]s JST; results cannot be released before it closes",
				Wareki(st.Call.Closes)+" "+st.Call.Closes.In(Tokyo).Format("15:04"), st.Call.Closes.In(Tokyo).Format("2006-01-02 15:04"))
			e.Problems = []Problem{problem("", "call_open", e.Ja, e.Message)}
			return e
		}
		rel = Release{CycleKey: cycleKey, ProgrammeKey: programmeKey, ReleasedAt: now, ReleasedBy: actor.ID}
		if st.UndecidedTotal > 0 {
			if !req.ConfirmUndecided {
				e := Refuse(IllegalTransition, "未決定の応募が%[1]d件あります。確認のうえ理由を添えて発表してください",
					"%[1]d nominations are still undecided; release only with confirm_undecided and a reason", st.UndecidedTotal)
				for _, u := range UndecidedStates {
					if n := st.Undecided[u]; n > 0 {
						e.Problems = append(e.Problems, problem("undecided."+string(u), "undecided",
							fmt.Sprintf("「%s」の応募が%d件あります", u.Label().Ja, n), fmt.Sprintf("%d nominations are %s", n, u.Label().En)))
					}
				}
				return e
			}
			if p := reasonProblem("reason", req.Reason, true); p != nil {
				e := Refuse(Invalid, "未決定の応募があるまま発表する理由を入力してください", "a reason is required to release with undecided nominations")
				e.Problems = []Problem{*p}
				return e
			}
			rel.ConfirmedUndecided, rel.ConfirmReason = st.Undecided, strings.TrimSpace(req.Reason)
		}
		return tx.InsertRelease(ctx, rel)
	})
	return rel, withOp("workflow.Release", err)
}

// cycleVersion returns a stored cycle version, from memory when it was
// read before: versions never change once stored.
func (s *Service) cycleVersion(ctx context.Context, tx Tx, key string, version int) (*CycleVersion, error) {
	k := fmt.Sprintf("%s@%d", key, version)
	if v, ok := s.cycles.Load(k); ok {
		return v.(*CycleVersion), nil
	}
	cv, err := tx.CycleVersion(ctx, key, version)
	if err != nil {
		return nil, err
	}
	v, _ := s.cycles.LoadOrStore(k, &cv)
	return v.(*CycleVersion), nil
}

// contextCache keeps what a bulk transition reads once for many nominations.
type contextCache struct {
	latest   map[string]int
	released map[string]*time.Time     // "cycle/programme"
	windows  map[string][]WindowChange // "cycle/programme"
	orgs     map[int64]Organisation
}

// visible loads a nomination with its guard context, or NotFound if actor
// may not know of it.
func (s *Service) visible(ctx context.Context, tx Tx, actor Actor, id int64, now time.Time) (*Context, int, error) {
	n, err := tx.Nomination(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	c, rebind, err := s.context(ctx, tx, &n, &contextCache{}, now)
	if err != nil {
		return nil, 0, err
	}
	if err := canSee(s.authz, actor, &n, c.Programme); err != nil {
		return nil, 0, err
	}
	return c, rebind, nil
}

// context builds the guard context for n. A draft is judged against the
// newest cycle version, since submitting binds it to that version: rebind
// is that version when it differs from the draft's, and 0 otherwise.
func (s *Service) context(ctx context.Context, tx Tx, n *Nomination, cache *contextCache, now time.Time) (c *Context, rebind int, err error) {
	if cache.latest == nil {
		cache.latest, cache.released, cache.windows = map[string]int{}, map[string]*time.Time{}, map[string][]WindowChange{}
	}
	if cache.orgs == nil {
		cache.orgs = map[int64]Organisation{}
	}
	version := n.CycleVersion
	latest := 0
	if n.State == Draft {
		v, ok := cache.latest[n.CycleKey]
		if !ok {
			cv, err := tx.LatestCycle(ctx, n.CycleKey)
			if err != nil {
				return nil, 0, err
			}
			v = cv.Version
			cache.latest[n.CycleKey] = v
			s.cycles.LoadOrStore(fmt.Sprintf("%s@%d", n.CycleKey, v), &cv)
		}
		if v != version {
			version, latest = v, v
		}
	}
	cv, err := s.cycleVersion(ctx, tx, n.CycleKey, version)
	if err != nil {
		return nil, 0, err
	}
	p, err := programmeOf(cv, n)
	if err != nil {
		return nil, 0, err
	}
	rk := n.CycleKey + "/" + n.ProgrammeKey
	chs, ok := cache.windows[rk]
	if !ok {
		if chs, err = tx.WindowChanges(ctx, n.CycleKey, n.ProgrammeKey); err != nil {
			return nil, 0, err
		}
		cache.windows[rk] = chs
	}
	p = EffectiveWindows(p, chs) // the call window in force (deadline extensions)
	rel, ok := cache.released[rk]
	if !ok {
		if rel, err = tx.ReleasedAt(ctx, n.CycleKey, n.ProgrammeKey); err != nil {
			return nil, 0, err
		}
		cache.released[rk] = rel
	}
	org := Organisation{}
	if !usesLiveOrganisation(n) {
		org = *n.Snapshot
	} else if o, ok := cache.orgs[n.OrganisationID]; ok {
		org = o
	} else {
		if org, err = tx.Organisation(ctx, n.OrganisationID); err != nil {
			return nil, 0, err
		}
		cache.orgs[n.OrganisationID] = org
	}
	return &Context{Nomination: n, Programme: p, Organisation: org, Now: now, ReleasedAt: rel}, latest, nil
}

// preloadOrganisations reads in one query the live organisations that the
// guard contexts of ns will need (those of drafts and returned nominations).
func (c *contextCache) preloadOrganisations(ctx context.Context, tx Tx, ns []Nomination) error {
	if len(ns) < 2 {
		return nil
	}
	var ids []int64
	for i := range ns {
		if usesLiveOrganisation(&ns[i]) {
			ids = append(ids, ns[i].OrganisationID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	orgs, err := tx.OrganisationsByID(ctx, ids)
	if err != nil {
		return err
	}
	c.orgs = make(map[int64]Organisation, len(orgs))
	for _, o := range orgs {
		c.orgs[o.ID] = o
	}
	return nil
}

// usesLiveOrganisation: a nomination being written or corrected is judged
// against its organisation as it is now; a submitted one against its snapshot.
func usesLiveOrganisation(n *Nomination) bool {
	return n.Snapshot == nil || n.State == Draft || n.State == Returned
}

func programmeOf(cv *CycleVersion, n *Nomination) (*Programme, error) {
	p, ok := cv.Cycle.Programme(n.ProgrammeKey)
	if !ok {
		return nil, &Error{Code: Internal, Message: fmt.Sprintf("cycle %s@%d has no programme %q", cv.Key, cv.Version, n.ProgrammeKey)}
	}
	return p, nil
}

// canSee reports NotFound unless actor may know of the nomination: an
// applicant only its organisation's, staff only their ministry's
// programmes', administrators all. Judges and chairs see entries through
// their panel assignments, not here.
func canSee(az Authorizer, actor Actor, n *Nomination, p *Programme) error {
	if !az.Permits(actor, PermReadNomination, p.Ministry, ownFacts(actor, n)) {
		return Refuse(NotFound, "応募 %d は見つかりません", "no such nomination %d", n.ID)
	}
	return nil
}

func staffOf(az Authorizer, actor Actor, p *Programme) bool {
	return az.Permits(actor, PermOversee, p.Ministry, 0)
}

// ownFacts are the facts of an actor about a nomination: whether it acts
// for the nomination's organisation.
func ownFacts(actor Actor, n *Nomination) Facts {
	return Facts(0).With(ActsForOrganisation, actor.OrganisationID == n.OrganisationID)
}

// applicantView reports whether actor reads the nomination of c as its
// applicant: its own versions, and no staff step before release.
func (s *Service) applicantView(actor Actor, c *Context) bool {
	return s.authz.Permits(actor, PermApplicantView, c.Programme.Ministry, ownFacts(actor, c.Nomination))
}

// staffProgramme looks up a programme of the newest version of a cycle for
// its own ministry's staff (and administrators); anyone else learns nothing
// of it (NotFound).
func staffProgramme(ctx context.Context, tx Tx, az Authorizer, actor Actor, cycleKey, programmeKey string) (CycleVersion, *Programme, error) {
	cv, err := tx.LatestCycle(ctx, cycleKey)
	if err != nil {
		return cv, nil, err
	}
	p, ok := cv.Cycle.Programme(programmeKey)
	if !ok || !staffOf(az, actor, p) {
		return cv, nil, Refuse(NotFound, "%[2]s に部門「%[1]s」はありません", "no programme %[1]q in %[2]s", programmeKey, cycleKey)
	}
	return cv, p, nil
}
