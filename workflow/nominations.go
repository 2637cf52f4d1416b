package workflow

import (
	"context"
	"slices"
	"strconv"
	"time"
)

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
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
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
		org, err := tx.Organisation(ctx, orgID)
		if err != nil {
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
		n.Eligibility = p.EligibilityOf(&n, org)
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
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
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
		n.Eligibility = c.Programme.EligibilityOf(&n, c.Organisation)
		if err := tx.UpdateNominations(ctx, []Nomination{n}); err != nil {
			return err
		}
		return tx.InsertAnswerEdit(ctx, &AnswerEdit{NominationID: n.ID, Version: n.Version, ApplicantVersion: n.ApplicantVersion,
			ActorID: actor.ID, ActorName: actor.Name, Role: RoleApplicant, Changes: changes, At: now}) // audited with the history
	})
	return n, withOp(op, err)
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
		if f.Verdict != "" { // eligibility is evidence for the secretariat
			return nil, PageInfo{}, &Error{Op: op, Code: Forbidden, Message: "applicants cannot filter by eligibility verdict",
				Ja: "要件判定による絞り込みは事務局だけが使えます"}
		}
		f.OrganisationID, own = actor.OrganisationID, true
	default:
		return nil, PageInfo{}, &Error{Op: op, Code: Forbidden, Message: "judges see entries through their panels", Ja: "審査員・委員長は、担当する審査会から応募を確認してください"}
	}
	f.Q = normalise(f.Q)
	if f.MinHeadcount < 0 || f.MaxHeadcount < 0 || (f.MaxHeadcount != 0 && f.MaxHeadcount < f.MinHeadcount) {
		e := Refuse(Invalid, "従業員数の範囲が正しくありません（0以上、下限は上限以下）", "the headcount range is not valid (0 or more, minimum at most maximum)")
		e.Op, e.Problems = op, []Problem{problem("headcount", "invalid", e.Ja, e.Message)}
		return nil, PageInfo{}, e
	}
	if f.Verdict != "" && VerdictName(f.Verdict) == "" {
		_, err := ParseVerdict(string(f.Verdict))
		return nil, PageInfo{}, withOp(op, err)
	}
	filters := []string{f.Cycle, f.Programme, string(f.State), f.Prefecture, f.Industry, f.Q,
		strconv.Itoa(f.MinHeadcount), strconv.Itoa(f.MaxHeadcount), string(f.Verdict)}
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

// Nomination returns a nomination the actor may see, its eligibility
// verdicts (staff only) and the actions available to the actor.
// Errors: NotFound.
func (s *Service) Nomination(ctx context.Context, actor Actor, id int64) (NominationView, error) {
	var v NominationView
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, _, err := s.visible(ctx, tx, actor, id, now)
		if err != nil {
			return err
		}
		v = s.view(c, actor)
		return nil
	})
	return v, withOp("workflow.Nomination", err)
}

// StateCounts counts a programme's nominations by state, for its staff
// (others: NotFound, as if the programme did not exist).
func (s *Service) StateCounts(ctx context.Context, actor Actor, cycleKey, programmeKey string) (map[State]int, error) {
	var out map[State]int
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		if _, _, err := staffProgramme(ctx, tx, s.authz, actor, cycleKey, programmeKey); err != nil {
			return err
		}
		var err error
		out, err = tx.CountNominationsByState(ctx, cycleKey, programmeKey)
		return err
	})
	return out, withOp("workflow.StateCounts", err)
}

// History returns a nomination's history, oldest first. Errors: NotFound.
func (s *Service) History(ctx context.Context, actor Actor, id int64) ([]HistoryEntry, error) {
	var hs []HistoryEntry
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, _, err := s.visible(ctx, tx, actor, id, now)
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
