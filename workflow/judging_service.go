package workflow

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awardflow/awardflow/workflow/aggregate"
	"github.com/awardflow/awardflow/workflow/assign"
)

// stageData is everything about a stage's judging read in one transaction.
type stageData struct {
	programme   *Programme
	stage       *Stage
	may         mayFunc // the actor's questions to the Authorizer in the programme's ministry
	panel       []PanelMember
	entries     []Nomination // at the stage, any state
	assignments []Assignment
	active      map[[2]int64]bool // (nomination, judge) actively assigned
	conflicts   conflictIndex
}

func (s *Service) loadStage(ctx context.Context, tx Tx, actor Actor, ref StageRef) (*stageData, error) {
	p, st, may, err := s.stageOf(ctx, tx, actor, ref)
	if err != nil {
		return nil, err
	}
	d := &stageData{programme: p, stage: st, may: may}
	if d.panel, err = tx.PanelMembers(ctx, ref); err != nil {
		return nil, err
	}
	if d.entries, err = tx.StageEntries(ctx, ref); err != nil {
		return nil, err
	}
	if d.assignments, err = tx.Assignments(ctx, ref); err != nil {
		return nil, err
	}
	d.active = make(map[[2]int64]bool, len(d.assignments))
	for _, a := range d.assignments {
		if a.Active() {
			d.active[[2]int64{a.NominationID, a.UserID}] = true
		}
	}
	users := make([]int64, len(d.panel))
	for i, m := range d.panel {
		users[i] = m.UserID
	}
	affs, err := tx.Affiliations(ctx, users)
	if err != nil {
		return nil, err
	}
	declared, err := tx.DeclaredConflicts(ctx, users)
	if err != nil {
		return nil, err
	}
	d.conflicts = conflicts(d.entries, users, affs, declared)
	return d, nil
}

// ---- one entry, one judge: what a request about one entry reads

// judgeTiesOf reads one judge's declarations (by the user_id indexes).
func judgeTiesOf(ctx context.Context, tx Tx, userID int64) (judgeTies, error) {
	affs, declared, err := tx.JudgeTies(ctx, userID)
	if err != nil {
		return judgeTies{}, err
	}
	return tiesOf(userID, affs, declared), nil
}

// stageEntry reads one entry of the stage: noSuchEntry if it is not there.
func stageEntry(ctx context.Context, tx Tx, ref StageRef, nominationID int64) (Nomination, error) {
	n, ok, err := tx.StageEntry(ctx, ref, nominationID)
	if err != nil {
		return n, err
	}
	if !ok {
		return n, noSuchEntry(nominationID)
	}
	return n, nil
}

// judgedEntry is stageData.mayJudge for one entry, read by index in the
// transaction of the request: the entry if the judge holds an active
// assignment to it and has no conflict with it (the same rule as the
// stage's conflict index), noSuchEntry otherwise.
func judgedEntry(ctx context.Context, tx Tx, ref StageRef, nominationID, userID int64) (Nomination, error) {
	// An active assignment puts the entry at the stage (as StageEntries lists it).
	n, ok, err := tx.JudgeEntry(ctx, ref, nominationID, userID)
	if err != nil {
		return Nomination{}, err
	}
	if !ok {
		return Nomination{}, noSuchEntry(nominationID)
	}
	ties, err := judgeTiesOf(ctx, tx, userID)
	if err != nil {
		return n, err
	}
	if _, conflicted := ties.conflictWith(ties.entryOrgOf(&n)); conflicted {
		return Nomination{}, noSuchEntry(nominationID)
	}
	return n, nil
}

func (d *stageData) member(userID int64) (PanelMember, bool) {
	for _, m := range d.panel {
		if m.UserID == userID {
			return m, true
		}
	}
	return PanelMember{}, false
}

func (d *stageData) entry(id int64) (Nomination, bool) {
	for _, n := range d.entries {
		if n.ID == id {
			return n, true
		}
	}
	return Nomination{}, false
}

// assigned reports whether a judge holds an active assignment to an entry.
func (d *stageData) assigned(nominationID, userID int64) bool {
	return d.active[[2]int64{nominationID, userID}]
}

// mayJudge: the judge is assigned, has not recused, and is not conflicted.
// Anything else is NotFound: a judge may not learn of other entries.
func (d *stageData) mayJudge(nominationID, userID int64) error {
	if _, conflicted := d.conflicts[[2]int64{userID, nominationID}]; conflicted || !d.assigned(nominationID, userID) {
		return noSuchEntry(nominationID)
	}
	return nil
}

// noSuchEntry is the one answer for an entry the caller may not judge or
// see: not at the stage, not assigned, recused or conflicted read the same,
// so a judge cannot tell which ids are entries of its stage.
func noSuchEntry(nominationID int64) *Error {
	return Refuse(NotFound, "応募 %d は見つかりません", "no such entry %d", nominationID)
}

// underReview: the entry is being judged at the stage now.
func underReview(n Nomination, stage string) bool { return n.State == InReview && n.Stage == stage }

// staffStage loads a stage for an operation of the secretariat's, which
// needs perm.
func (s *Service) staffStage(ctx context.Context, tx Tx, actor Actor, ref StageRef, perm Permission) (*stageData, error) {
	d, err := s.loadStage(ctx, tx, actor, ref)
	if err != nil {
		return nil, err
	}
	return d, requireStaff(d.may, perm)
}

// requireStaffAt checks that the actor may do perm, an operation of the
// secretariat's, at the stage's programme.
func (s *Service) requireStaffAt(ctx context.Context, tx Tx, actor Actor, ref StageRef, perm Permission) error {
	_, _, may, err := s.stageOf(ctx, tx, actor, ref)
	if err != nil {
		return err
	}
	return requireStaff(may, perm)
}

func requireStaff(may mayFunc, perm Permission) error {
	if !may(perm, 0) {
		return Refuse(Forbidden, "この操作は事務局だけが行えます", "only the secretariat may do this")
	}
	return nil
}

// ---- panels

// Panel lists a stage's panel. Staff and the ministry's chairs and judges.
func (s *Service) Panel(ctx context.Context, actor Actor, ref StageRef) ([]PanelMember, error) {
	var out []PanelMember
	err := s.store.InTx(ctx, func(tx Tx) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !may(PermReadPanel, 0) {
			return Refuse(Forbidden, "審査会の構成員の一覧は事務局と委員長だけが見られます", "the panel list is for the secretariat and the chair")
		}
		out, err = tx.PanelMembers(ctx, ref)
		return err
	})
	return out, withOp("workflow.Panel", err)
}

// SetPanelMember adds a user to a stage's panel when m.Version is 0, or
// changes their role and preferences when m.Version is the version edited.
// The user must hold that role in the programme's ministry. It returns the
// member as stored, with its new version.
//
// Errors: Conflict with problem "already_on_panel" when adding a member who
// is on the panel, Conflict when changing one at another version (or one
// who is not on the panel); Invalid; NotFound; Forbidden.
func (s *Service) SetPanelMember(ctx context.Context, actor Actor, ref StageRef, m PanelMember) (PanelMember, error) {
	const op = "workflow.SetPanelMember"
	if !m.Role.SitsOnPanel() {
		return m, &Error{Op: op, Code: Invalid, Message: "role must be judge or chair",
			Problems: []Problem{problem("role", "invalid", "役割は judge か chair です", "must be judge or chair")}}
	}
	for _, ind := range m.Industries {
		if _, ok := IndustryByCode(ind); !ok {
			return m, &Error{Op: op, Code: Invalid, Message: "unknown industry", Problems: []Problem{problem("industries", "unknown", "産業分類が不正です", "must be JSIC divisions A–T")}}
		}
	}
	for _, pf := range m.Prefectures {
		if _, ok := PrefectureByCode(pf); !ok {
			return m, &Error{Op: op, Code: Invalid, Message: "unknown prefecture", Problems: []Problem{problem("prefectures", "unknown", "都道府県コードが不正です", "must be codes 01–47")}}
		}
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		p, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if err := requireStaff(may, PermManagePanel); err != nil {
			return err
		}
		u, err := tx.User(ctx, m.UserID)
		if err != nil {
			return err
		}
		grants, err := tx.UserGrants(ctx, m.UserID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(grants, func(g RoleGrant) bool { return g.Active() && g.Role == m.Role && g.Domain == p.Ministry }) {
			return &Error{Code: Invalid, Message: fmt.Sprintf("user %d is not a %s in %s", m.UserID, m.Role, p.Ministry),
				Problems: []Problem{problem("user", "no_grant", "この利用者はこの省庁の審査員（委員長）ではありません", "the user does not hold this role in the programme's ministry")}}
		}
		panel, err := tx.PanelMembers(ctx, ref)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(panel, func(p PanelMember) bool { return p.UserID == m.UserID })
		switch {
		case i >= 0 && m.Version == 0:
			e := Refuse(Conflict, "利用者 %d はすでに審査会の構成員です（版 %d）。変更するには編集した版を指定してください",
				"user %d is already on the panel at version %d; send that version to change it", m.UserID, panel[i].Version)
			e.Problems = []Problem{problem("", "already_on_panel", "すでに審査会の構成員です", "the user is already on the panel")}
			return e
		case i < 0 && m.Version != 0:
			return Refuse(Conflict, "利用者 %d は審査会の構成員ではありません（削除されたか未登録です）。再読み込みしてください",
				"user %d is not on the panel (removed meanwhile, or never added); reload", m.UserID)
		case i >= 0 && panel[i].Version != m.Version:
			return Refuse(Conflict, "審査会の構成員の情報は版 %d に更新されています（編集した版は %d）。再読み込みしてください",
				"the panel member is at version %d, not %d; reload it", panel[i].Version, m.Version)
		}
		m.Stage, m.Name, m.AddedBy, m.AddedAt = ref, u.Name, actor.ID, s.now().UTC()
		if i >= 0 {
			m.AddedBy, m.AddedAt = panel[i].AddedBy, panel[i].AddedAt
		}
		m.Version++
		if err := tx.UpsertPanelMember(ctx, m); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return m, withOp(op, err)
}

// RemovePanelMember removes a judge from a panel; their assignments stay
// (remove them first if they must go). Errors: NotFound.
func (s *Service) RemovePanelMember(ctx context.Context, actor Actor, ref StageRef, userID int64) error {
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := s.requireStaffAt(ctx, tx, actor, ref, PermManagePanel); err != nil {
			return err
		}
		if err := tx.DeletePanelMember(ctx, ref, userID); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return withOp("workflow.RemovePanelMember", err)
}

// ---- conflicts of interest

// mayDeclareTies reports whether some grant of the actor's, on its own,
// carries conflict:declare: a judge's or chair's ties are its own, not a
// ministry's, and are declared even by a judge who also acts as staff.
func (s *Service) mayDeclareTies(actor Actor) bool {
	return slices.ContainsFunc(actor.Grants, func(g Grant) bool {
		return s.authz.Permits(Actor{ID: actor.ID, UserID: actor.UserID, Grants: []Grant{g}}, PermDeclareConflicts, g.Domain, 0)
	})
}

// DeclareAffiliation records an organisation the actor (a judge or chair)
// is tied to: by organisation id, corporate number or name.
func (s *Service) DeclareAffiliation(ctx context.Context, actor Actor, a Affiliation) (Affiliation, error) {
	const op = "workflow.DeclareAffiliation"
	if !s.mayDeclareTies(actor) {
		return a, &Error{Op: op, Code: Forbidden, Message: "only judges and chairs declare affiliations", Ja: "所属を申告できるのは審査員と委員長だけです"}
	}
	var ps []Problem
	if p := textProblem("name", a.Name, false); p != nil {
		ps = append(ps, *p) // the text as sent, before NFKC
	}
	a.CorporateNumber, a.Name = normalise(a.CorporateNumber), normalise(a.Name)
	switch {
	case len(ps) > 0:
	case a.OrganisationID == 0 && a.CorporateNumber == "" && a.Name == "":
		ps = append(ps, problem("", "required", "組織・法人番号・名称のいずれかを指定してください", "name an organisation, a corporate number or a name"))
	case a.CorporateNumber != "" && !ValidCorporateNumber(a.CorporateNumber):
		ps = append(ps, problem("corporate_number", "invalid_check_digit", "法人番号が正しくありません", "is not a valid corporate number"))
	case utf8.RuneCountInString(a.Name) > 200:
		ps = append(ps, problem("name", "too_long", "名称は200文字以内で入力してください", "must be at most 200 characters"))
	case a.Name != "" && NameKey(a.Name) == "":
		ps = append(ps, problem("name", "legal_form_only", "法人格だけでなく組織の名称を入力してください", "is only a legal form; give the organisation's name"))
	}
	if err := invalid("invalid affiliation", ps); err != nil {
		return a, withOp(op, err)
	}
	err := s.store.InTx(ctx, func(tx Tx) error {
		if a.OrganisationID != 0 {
			if _, err := tx.Organisation(ctx, a.OrganisationID); err != nil {
				return err
			}
		}
		mine, err := tx.Affiliations(ctx, []int64{actor.UserID})
		if err != nil {
			return err
		}
		key := NameKey(a.Name)
		for _, m := range mine {
			var path string
			switch {
			case a.OrganisationID != 0 && m.OrganisationID == a.OrganisationID:
				path = "organisation_id"
			case a.CorporateNumber != "" && m.CorporateNumber == a.CorporateNumber:
				path = "corporate_number"
			case key != "" && NameKey(m.Name) == key:
				path = "name"
			default:
				continue
			}
			e := Refuse(Conflict, "この所属はすでに申告されています（申告 %d）", "this affiliation is already declared (declaration %d)", m.ID)
			e.Problems = []Problem{problem(path, "duplicate", "申告済みの所属と同じです", "matches an affiliation already declared")}
			return e
		}
		a.UserID, a.DeclaredAt = actor.UserID, s.now().UTC()
		if err := tx.InsertAffiliation(ctx, &a); err != nil {
			return err
		}
		return releaseConflicted(ctx, tx, actor.UserID, a.DeclaredAt)
	})
	return a, withOp(op, err)
}

// DeclareConflict records the actor's conflict with an organisation.
func (s *Service) DeclareConflict(ctx context.Context, actor Actor, orgID int64, reason string) (DeclaredConflict, error) {
	const op = "workflow.DeclareConflict"
	if !s.mayDeclareTies(actor) {
		return DeclaredConflict{}, &Error{Op: op, Code: Forbidden, Message: "only judges and chairs declare conflicts", Ja: "利益相反を申告できるのは審査員と委員長だけです"}
	}
	if p := reasonProblem("reason", reason, false); p != nil {
		return DeclaredConflict{}, withOp(op, invalid("invalid reason", []Problem{*p}))
	}
	reason = strings.TrimSpace(reason)
	c := DeclaredConflict{UserID: actor.UserID, OrganisationID: orgID, Source: SourceDeclared, Reason: reason, CreatedBy: actor.ID}
	err := s.store.InTx(ctx, func(tx Tx) error {
		if _, err := tx.Organisation(ctx, orgID); err != nil {
			return err
		}
		prev, err := s.conflictWith(ctx, tx, actor.UserID, orgID)
		if err != nil {
			return err
		}
		if prev != nil {
			e := Refuse(Conflict, "この団体との利害関係はすでに登録されています（%[1]s、%[3]s）", "a conflict with this organisation is already recorded (%[2]s, %[4]s)",
				SourceLabel(prev.Source).Ja, SourceLabel(prev.Source).En, WarekiTime(prev.CreatedAt), prev.CreatedAt.In(Tokyo).Format("2006-01-02 15:04")+" JST")
			e.Problems = []Problem{problem("organisation_id", "duplicate", "この組織との利益相反は登録済みです", "a conflict with this organisation is already recorded")}
			return e
		}
		c.CreatedAt = s.now().UTC()
		if err := tx.InsertConflict(ctx, &c); err != nil {
			return err
		}
		return releaseConflicted(ctx, tx, actor.UserID, c.CreatedAt)
	})
	return c, withOp(op, err)
}

// releaseConflicted takes a judge off every entry it is assigned to and now
// conflicted with, in the transaction of the declaration that made the
// conflict: a conflicted judge is never assigned, so the entry shows as
// short of judges to the secretariat, who assigns another, instead of
// waiting for a score nobody may give. Declarations are rare, so reading
// the judge's assignments stage by stage is cheap enough.
func releaseConflicted(ctx context.Context, tx Tx, userID int64, now time.Time) error {
	ties, err := judgeTiesOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	keys, err := tx.CycleKeys(ctx)
	if err != nil {
		return err
	}
	for _, key := range keys {
		cv, err := tx.LatestCycle(ctx, key)
		if err != nil {
			return err
		}
		for _, p := range cv.Cycle.Programmes {
			for _, st := range p.Stages {
				if st.Judging == nil {
					continue
				}
				ref := StageRef{Cycle: key, Programme: p.Key, Stage: st.Key}
				ns, err := tx.JudgeEntries(ctx, ref, userID)
				if err != nil {
					return err
				}
				for i := range ns {
					if _, conflicted := ties.conflictWith(ties.entryOrgOf(&ns[i])); !conflicted {
						continue
					}
					if err := tx.RecuseAssignment(ctx, ref, ns[i].ID, userID, "利害関係の申告により担当を外れました / conflict of interest declared", now); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// conflictWith returns the judge's recorded conflict with an organisation
// (declared or by recusal), or nil.
func (s *Service) conflictWith(ctx context.Context, tx Tx, userID, orgID int64) (*DeclaredConflict, error) {
	dcs, err := tx.DeclaredConflicts(ctx, []int64{userID})
	if err != nil {
		return nil, err
	}
	for i := range dcs {
		if dcs[i].OrganisationID == orgID {
			return &dcs[i], nil
		}
	}
	return nil, nil
}

// MyConflicts lists the actor's own declarations: affiliations and conflicts.
func (s *Service) MyConflicts(ctx context.Context, actor Actor) ([]Affiliation, []DeclaredConflict, error) {
	var (
		affs []Affiliation
		dcs  []DeclaredConflict
	)
	err := s.store.InTx(ctx, func(tx Tx) error {
		var err error
		if affs, err = tx.Affiliations(ctx, []int64{actor.UserID}); err != nil {
			return err
		}
		dcs, err = tx.DeclaredConflicts(ctx, []int64{actor.UserID})
		return err
	})
	return affs, dcs, withOp("workflow.MyConflicts", err)
}

// Conflicts lists every conflict between a stage's panel and its entries,
// with its source; the secretariat only.
func (s *Service) Conflicts(ctx context.Context, actor Actor, ref StageRef) ([]ConflictOfInterest, error) {
	var out []ConflictOfInterest
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermListConflicts)
		if err != nil {
			return err
		}
		for _, c := range d.conflicts {
			out = append(out, c)
		}
		slices.SortFunc(out, func(a, b ConflictOfInterest) int {
			if a.NominationID != b.NominationID {
				return int(a.NominationID - b.NominationID)
			}
			return int(a.UserID - b.UserID)
		})
		return nil
	})
	return out, withOp("workflow.Conflicts", err)
}

// ---- assignments

// Assignments lists a stage's assignments: all of them for the secretariat
// and the chair, a judge's own (not those it recused from) for a judge.
func (s *Service) Assignments(ctx context.Context, actor Actor, ref StageRef) ([]Assignment, error) {
	var out []Assignment
	err := s.store.InTx(ctx, func(tx Tx) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		all, err := tx.Assignments(ctx, ref)
		if err != nil {
			return err
		}
		for _, a := range all {
			if may(PermReadAllAssignments, 0) || a.UserID == actor.UserID && a.Active() {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, withOp("workflow.Assignments", err)
}

// Assign adds one assignment by hand. Errors: NotFound (entry not under
// review at the stage); Invalid (not a panel judge, or conflicted);
// Conflict (already assigned).
func (s *Service) Assign(ctx context.Context, actor Actor, ref StageRef, nominationID, userID int64) (Assignment, error) {
	var a Assignment
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermManageAssignments)
		if err != nil {
			return err
		}
		n, ok := d.entry(nominationID)
		if !ok || !underReview(n, ref.Stage) {
			return Refuse(NotFound, "「%[3]s」で審査中の応募 %[1]d はありません", "no entry %[1]d under review at %[2]s", nominationID, ref.Stage, d.stage.Title.In("ja"))
		}
		if _, ok := d.member(userID); !ok {
			return &Error{Code: Invalid, Message: "not on the panel", Problems: []Problem{problem("user_id", "not_on_panel", "この審査員は審査会の構成員ではありません", "the judge is not on this stage's panel")}}
		}
		if c, ok := d.conflicts[[2]int64{userID, nominationID}]; ok {
			return &Error{Code: Invalid, Message: "conflict of interest", Problems: []Problem{problem("user_id", "conflicted",
				"利益相反のため割り当てできません（"+c.Source+"）", "the judge has a conflict of interest with this entry ("+c.Source+")")}}
		}
		a = Assignment{Stage: ref, NominationID: nominationID, UserID: userID, Source: "manual", CreatedBy: actor.ID, CreatedAt: s.now().UTC()}
		if err := tx.InsertAssignments(ctx, []Assignment{a}); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return a, withOp("workflow.Assign", err)
}

// Unassign removes an assignment, unless the judge has submitted a score
// for it (which would then be lost). Errors: NotFound; Conflict.
func (s *Service) Unassign(ctx context.Context, actor Actor, ref StageRef, nominationID, userID int64) error {
	err := s.store.InTx(ctx, func(tx Tx) error {
		if err := s.requireStaffAt(ctx, tx, actor, ref, PermManageAssignments); err != nil {
			return err
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		for _, sc := range scores {
			if sc.NominationID == nominationID && sc.UserID == userID && sc.Status == ScoreSubmitted {
				return Refuse(Conflict, "審査員 %d は応募 %d の採点を提出済みのため、割当てを解除できません", "judge %d has submitted a score for entry %d; it cannot be unassigned", userID, nominationID)
			}
		}
		if err := tx.DeleteAssignment(ctx, ref, nominationID, userID); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return withOp("workflow.Unassign", err)
}

// Propose computes an automatic assignment for the entries under review at
// a stage and stores it as a pending proposal; nothing is assigned yet.
func (s *Service) Propose(ctx context.Context, actor Actor, ref StageRef, seed uint64, usePreferences bool) (Proposal, error) {
	var pr Proposal
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermManageAssignments)
		if err != nil {
			return err
		}
		version, err := tx.StageVersion(ctx, ref)
		if err != nil {
			return err
		}
		j := d.stage.Judging
		prob := assign.Problem{K: j.JudgesPerEntry, UsePreferences: usePreferences, Seed: seed}
		under := map[int64]bool{}
		for _, n := range d.entries {
			if !underReview(n, ref.Stage) {
				continue
			}
			under[n.ID] = true
			e := assign.Entry{ID: n.ID}
			if n.Snapshot != nil {
				e.Industry, e.Prefecture = n.Snapshot.Industry, n.Snapshot.Prefecture
			}
			prob.Entries = append(prob.Entries, e)
		}
		for _, m := range d.panel {
			if !m.Role.SitsOnPanel() || m.Role.ChairsPanel() { // the proposal assigns judges, not the chair
				continue
			}
			prob.Judges = append(prob.Judges, assign.Judge{ID: m.UserID, MinLoad: j.Load.Min, MaxLoad: j.Load.Max,
				Industries: m.Industries, Prefectures: m.Prefectures})
		}
		if len(prob.Judges) == 0 {
			return &Error{Code: Invalid, Message: "the panel has no judges", Problems: []Problem{problem("", "no_judges", "審査会に審査員がいません", "the panel has no judges")}}
		}
		judges := map[int64]bool{}
		for _, jd := range prob.Judges {
			judges[jd.ID] = true
		}
		for k := range d.conflicts {
			if under[k[1]] && judges[k[0]] {
				prob.Conflicts = append(prob.Conflicts, assign.Pair{Entry: k[1], Judge: k[0]})
			}
		}
		for _, a := range d.assignments {
			if a.Active() && under[a.NominationID] && judges[a.UserID] {
				prob.Existing = append(prob.Existing, assign.Pair{Entry: a.NominationID, Judge: a.UserID})
			}
		}
		slices.SortFunc(prob.Conflicts, pairOrder)
		res, err := assign.Solve(prob)
		if err != nil {
			return &Error{Code: Invalid, Message: err.Error(),
				Ja: fmt.Sprintf("割当ての条件が正しくないため、審査員を割り当てられません（%s）", strings.TrimPrefix(err.Error(), "assign: "))}
		}
		pr = Proposal{Stage: ref, Seed: seed, UsePreferences: usePreferences, BaseVersion: version, Pairs: res.Add, Report: res.Report,
			Status: ProposalPending, CreatedBy: actor.ID, CreatedAt: s.now().UTC()}
		return tx.InsertProposal(ctx, &pr)
	})
	return pr, withOp("workflow.Propose", err)
}

func pairOrder(a, b assign.Pair) int {
	if a.Entry != b.Entry {
		return int(a.Entry - b.Entry)
	}
	return int(a.Judge - b.Judge)
}

// ApplyProposal assigns a pending proposal's pairs atomically, if nothing
// about the stage's panel or assignments changed since it was computed.
// Errors: NotFound; Conflict (stale, or not pending).
func (s *Service) ApplyProposal(ctx context.Context, actor Actor, ref StageRef, id int64) (Proposal, error) {
	return s.decideProposal(ctx, actor, ref, id, ProposalApplied)
}

// DiscardProposal drops a pending proposal.
func (s *Service) DiscardProposal(ctx context.Context, actor Actor, ref StageRef, id int64) (Proposal, error) {
	return s.decideProposal(ctx, actor, ref, id, ProposalDiscarded)
}

func (s *Service) decideProposal(ctx context.Context, actor Actor, ref StageRef, id int64, status string) (Proposal, error) {
	var pr Proposal
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermManageAssignments)
		if err != nil {
			return err
		}
		if pr, err = tx.Proposal(ctx, id); err != nil {
			return err
		}
		if pr.Stage != ref {
			return Refuse(NotFound, "「%[3]s」に割当て案 %[1]d はありません", "no proposal %[1]d at %[2]s", id, ref, d.stage.Title.In("ja"))
		}
		now := s.now().UTC()
		if status == ProposalApplied {
			version, err := tx.StageVersion(ctx, ref)
			if err != nil {
				return err
			}
			if version != pr.BaseVersion {
				return Refuse(Conflict, "割当て案 %d の作成後に審査会の構成または割当てが変更されました。割当て案を作成し直してください", "the panel or assignments changed since proposal %d was made; propose again", id)
			}
			as := make([]Assignment, 0, len(pr.Pairs))
			for _, p := range pr.Pairs {
				if _, conflicted := d.conflicts[[2]int64{p.Judge, p.Entry}]; conflicted {
					return Refuse(Conflict, "審査員 %d と応募 %d の間に利益相反が登録されました。割当て案を作成し直してください", "judge %d now has a conflict with entry %d; propose again", p.Judge, p.Entry)
				}
				as = append(as, Assignment{Stage: ref, NominationID: p.Entry, UserID: p.Judge, Source: "proposal", CreatedBy: actor.ID, CreatedAt: now})
			}
			if err := tx.InsertAssignments(ctx, as); err != nil {
				return err
			}
			if err := tx.BumpStageVersion(ctx, ref); err != nil {
				return err
			}
		}
		if err := tx.DecideProposal(ctx, id, status, actor.ID, now); err != nil {
			return err
		}
		pr.Status, pr.DecidedBy, pr.DecidedAt = status, actor.ID, &now
		return nil
	})
	return pr, withOp("workflow.DecideProposal", err)
}

// ---- entries and scores

// StageEntry is an entry as a panel member sees it in a list.
type StageEntry struct {
	Nomination Nomination
	Assigned   []int64 // judges actively assigned (staff and chair only)
	MyScore    *Score  // the caller's own score, if any
	Conflicted bool    // the caller has a conflict (chair view)
}

// Entries lists a stage's entries, by id, a page at a time: a judge only
// those assigned to it and not conflicted; the chair and the secretariat all.
func (s *Service) Entries(ctx context.Context, actor Actor, ref StageRef, pg Page) ([]StageEntry, PageInfo, error) {
	filters := []string{ref.Cycle, ref.Programme, ref.Stage}
	pg, err := pg.open("entries", filters...)
	if err != nil {
		return nil, PageInfo{}, withOp("workflow.Entries", err)
	}
	var out []StageEntry
	total := 0
	err = s.store.InTx(ctx, func(tx Tx) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !may(PermReadAllEntries, 0) {
			// In proportion to the judge's own assignments, not the stage.
			all, err := judgeEntries(ctx, tx, ref, actor.UserID)
			if err != nil {
				return err
			}
			slices.SortFunc(all, func(a, b StageEntry) int { return cmp.Compare(a.Nomination.ID, b.Nomination.ID) })
			total = len(all)
			for _, se := range all {
				if se.Nomination.ID > pg.After && len(out) < pg.Limit {
					out = append(out, se)
				}
			}
			return nil
		}
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		for _, n := range d.entries {
			se := StageEntry{Nomination: n}
			_, se.Conflicted = d.conflicts[[2]int64{actor.UserID, n.ID}]
			if !d.may(PermReadAllEntries, 0) && d.mayJudge(n.ID, actor.UserID) != nil {
				continue
			}
			if total++; n.ID <= pg.After || len(out) == pg.Limit {
				continue
			}
			if d.may(PermReadAllEntries, 0) {
				for _, a := range d.assignments {
					if a.NominationID == n.ID && a.Active() {
						se.Assigned = append(se.Assigned, a.UserID)
					}
				}
			}
			for i := range scores {
				if scores[i].NominationID == n.ID && scores[i].UserID == actor.UserID {
					se.MyScore = &scores[i]
				}
			}
			out = append(out, se)
		}
		return nil
	})
	n, info := pg.close(len(out), func(i int) int64 { return out[i].Nomination.ID }, total, "entries", filters...)
	return out[:n], info, withOp("workflow.Entries", err)
}

// judgeEntries is a judge's list: the entries it is actively assigned to
// and not conflicted with, with its own scores, read in proportion to
// that judge's assignments.
func judgeEntries(ctx context.Context, tx Tx, ref StageRef, userID int64) ([]StageEntry, error) {
	ns, err := tx.JudgeEntries(ctx, ref, userID)
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	ties, err := judgeTiesOf(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	scores, err := tx.JudgeScores(ctx, ref, userID)
	if err != nil {
		return nil, err
	}
	mine := make(map[int64]*Score, len(scores))
	for i := range scores {
		mine[scores[i].NominationID] = &scores[i]
	}
	var out []StageEntry
	for i := range ns {
		if _, conflicted := ties.conflictWith(ties.entryOrgOf(&ns[i])); conflicted {
			continue
		}
		out = append(out, StageEntry{Nomination: ns[i], MyScore: mine[ns[i].ID]})
	}
	return out, nil
}

// Entry returns one entry for judging: NotFound for a judge it is not
// assigned to or conflicted with.
func (s *Service) Entry(ctx context.Context, actor Actor, ref StageRef, nominationID int64) (Nomination, error) {
	var n Nomination
	err := s.store.InTx(ctx, func(tx Tx) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !may(PermReadAllEntries, 0) {
			n, err = judgedEntry(ctx, tx, ref, nominationID, actor.UserID)
		} else {
			n, err = stageEntry(ctx, tx, ref, nominationID)
		}
		return err
	})
	return n, withOp("workflow.Entry", err)
}

// ScoreInput is what a judge sends: values by criterion (decimal text or
// numbers), a comment, and whether to submit.
type ScoreInput struct {
	Values  map[string]any
	Comment string
	Submit  bool
}

const maxComment = 4000

// SaveScore saves a judge's score for an entry as a draft or submitted,
// while the judging window is open. expected is the version the judge
// edited (0 for a first save); a stale one is a Conflict, so a submitted
// score is never overwritten silently. A submitted score stays submitted;
// where its judge can see other judges' scores it is locked until the chair
// or the secretariat reopens it (ReopenScore), and every change to it is
// recorded with the score before (ScoreHistory).
//
// Errors: NotFound (not assigned, recused or conflicted); IllegalTransition
// (window closed or not yet open; score_locked); Invalid (every bad value, unknown
// criterion, missing required criterion on submit); Conflict.
func (s *Service) SaveScore(ctx context.Context, actor Actor, ref StageRef, nominationID int64, expected int, in ScoreInput) (Score, error) {
	var sc Score
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		// One entry's reads, each by index: the stage from the cycle cache,
		// the judge's assignment and conflicts with this entry, its score.
		_, st, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !may(PermWriteScores, anyFacts) { // its facts, assigned and unconflicted, are judgedEntry's (NotFound if not)
			return Refuse(Forbidden, "採点できるのは審査会の審査員と委員長だけです", "only panel members score")
		}
		n, err := judgedEntry(ctx, tx, ref, nominationID, actor.UserID)
		if err != nil {
			return err
		}
		if !underReview(n, ref.Stage) {
			return &Error{Code: IllegalTransition, Message: "the entry is no longer under review", Problems: []Problem{
				problem("", "decided", "この段階の判定は終了しています", "this stage has been decided for the entry")}}
		}
		j := st.Judging
		switch {
		case now.Before(j.Window.Opens):
			return &Error{Code: IllegalTransition, Message: "judging has not opened", Problems: []Problem{problem("", "window_not_open",
				"審査期間前です（開始: "+WarekiTime(j.Window.Opens)+"）", "judging opens "+j.Window.Opens.In(Tokyo).Format("2006-01-02 15:04")+" JST")}}
		case !now.Before(j.Window.Closes):
			return &Error{Code: IllegalTransition, Message: "judging has closed", Problems: []Problem{problem("", "window_closed",
				"審査期間は終了しました（締切: "+WarekiDeadline(j.Window.Closes)+"）", "judging has closed (scores were due by "+DeadlineEn(j.Window.Closes)+")")}}
		}
		values, ps := checkScore(j, in)
		if err := invalid("invalid score", ps); err != nil {
			return err
		}
		prev, err := tx.Score(ctx, ref, nominationID, actor.UserID)
		if err != nil {
			return err
		}
		current := 0
		if prev != nil {
			current = prev.Version
		}
		if current != expected {
			return Refuse(Conflict, "あなたの採点は更新されています（現在の版 %d、編集した版 %d）。再読み込みしてください", "your score is at version %d, not %d; reload it", current, expected)
		}
		comment := strings.TrimSpace(in.Comment)
		locked := false
		if prev != nil && prev.Status == ScoreSubmitted && prev.ReopenedAt == nil {
			m, _, err := tx.PanelMember(ctx, ref, actor.UserID)
			if err != nil {
				return err
			}
			locked = lockedFor(st, *prev, m.Role)
		}
		if locked {
			if in.Submit && maps.Equal(prev.Values, values) && prev.Comment == comment {
				sc = *prev // the same submission again: nothing changes
				return nil
			}
			return errScoreLocked()
		}
		sc = Score{Stage: ref, NominationID: nominationID, UserID: actor.UserID, Values: values, Comment: comment,
			Status: ScoreDraft, Version: current + 1, UpdatedAt: now}
		if prev != nil && prev.Status == ScoreSubmitted {
			sc.Status, sc.SubmittedAt = ScoreSubmitted, prev.SubmittedAt
			if !in.Submit {
				return &Error{Code: IllegalTransition, Message: "a submitted score cannot return to draft", Problems: []Problem{
					problem("submit", "already_submitted", "提出済みの採点は下書きに戻せません。修正して再提出してください", "a submitted score stays submitted; resubmit your changes")}}
			}
		}
		if in.Submit {
			if ps := missingRequired(j, values); len(ps) > 0 {
				return &Error{Code: Invalid, Message: "required criteria missing", Problems: ps}
			}
			if sc.SubmittedAt == nil {
				sc.SubmittedAt = &now
			}
			sc.Status = ScoreSubmitted
		}
		if err := tx.SaveScore(ctx, &sc, expected); err != nil {
			return err
		}
		return tx.InsertScoreEvent(ctx, scoreEvent(prev, sc, actor.ID, now))
	})
	return sc, withOp("workflow.SaveScore", err)
}

// scoreLocked reports whether a judge may no longer change its score: it
// was submitted and not reopened, and the judge may have seen other
// judges' scores since (score visibility after_submit or always, or the
// judge is the chair, who sees every score). Under visibility never a
// judge corrects its own submitted score; the correction is recorded.
func scoreLocked(d *stageData, prev Score) bool {
	m, _ := d.member(prev.UserID)
	return lockedFor(d.stage, prev, m.Role)
}

// lockedFor is scoreLocked's rule, given the role on the panel of the
// score's judge ("" when it is not on the panel).
func lockedFor(st *Stage, prev Score, memberRole Role) bool {
	if prev.Status != ScoreSubmitted || prev.ReopenedAt != nil {
		return false
	}
	if st.Judging.ScoreVisibility != VisibleNever {
		return true
	}
	return memberRole.ChairsPanel()
}

func errScoreLocked() *Error {
	e := Refuse(IllegalTransition, "提出済みの採点は、他の審査員の採点を閲覧できるため変更できません。委員長または事務局に再開を依頼してください",
		"a submitted score cannot be changed once other judges' scores can be seen; ask the chair or the secretariat to reopen it")
	e.Problems = []Problem{problem("", "score_locked", "提出済みの採点は変更できません（再開が必要です）", "the submitted score is locked; it must be reopened")}
	return e
}

// scoreEvent records a save of sc over prev (nil for the first save): a
// change to a submitted score is a correction, with the score before it.
// A save after a reopening ends the reopening.
func scoreEvent(prev *Score, sc Score, actorID string, at time.Time) ScoreEvent {
	e := ScoreEvent{Stage: sc.Stage, NominationID: sc.NominationID, UserID: sc.UserID, ActorID: actorID, Kind: EventSave,
		Status: sc.Status, Values: sc.Values, Comment: sc.Comment, Version: sc.Version, At: at}
	if prev != nil {
		e.Before = &ScoreState{Status: prev.Status, Values: prev.Values, Comment: prev.Comment}
		if prev.Status == ScoreSubmitted {
			e.Kind, e.Reason = EventCorrection, prev.ReopenReason
		}
	}
	return e
}

// checkScore validates values against the rubric: known criteria, numbers
// (full-width digits allowed) in range and on step, and a comment without
// control characters. It returns canonical decimal text.
func checkScore(j *Judging, in ScoreInput) (map[string]string, []Problem) {
	var ps []Problem
	out := map[string]string{}
	keys := make([]string, 0, len(in.Values))
	for k := range in.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := "values." + k
		c, ok := j.Criterion(k)
		if !ok {
			ps = append(ps, problem(path, "unknown_criterion", "評価項目にありません", "is not a criterion of this rubric"))
			continue
		}
		raw := in.Values[k]
		if raw == nil {
			continue
		}
		text, ok := numberText(raw)
		if !ok || !decimalPattern.MatchString(text) {
			ps = append(ps, problem(path, "not_number", "数値で入力してください", "must be a number"))
			continue
		}
		r, _ := new(big.Rat).SetString(text)
		lo, hi, step := ratOf(c.Min), ratOf(c.Max), ratOf(c.Step)
		if r.Cmp(lo) < 0 || r.Cmp(hi) > 0 {
			ps = append(ps, problem(path, "out_of_range", fmt.Sprintf("%gから%gの範囲で入力してください", c.Min, c.Max),
				fmt.Sprintf("must be between %g and %g", c.Min, c.Max)))
			continue
		}
		steps := new(big.Rat).Quo(new(big.Rat).Sub(r, lo), step)
		if !steps.IsInt() {
			ps = append(ps, problem(path, "off_step", fmt.Sprintf("%g刻みで入力してください", c.Step), fmt.Sprintf("must be in steps of %g", c.Step)))
			continue
		}
		out[k] = canonicalDecimal(text)
	}
	comment := strings.TrimSpace(in.Comment)
	if utf8.RuneCountInString(comment) > maxComment {
		ps = append(ps, problem("comment", "too_long", "講評は4000文字以内で入力してください", "must be at most 4000 characters"))
	} else if p := textProblem("comment", comment, true); p != nil {
		ps = append(ps, *p)
	}
	return out, ps
}

func missingRequired(j *Judging, values map[string]string) []Problem {
	var ps []Problem
	for _, c := range j.Rubric {
		if _, ok := values[c.Key]; c.Required && !ok {
			ps = append(ps, problem("values."+c.Key, "required", "必須の評価項目です", "is required to submit"))
		}
	}
	return ps
}

// Recuse withdraws a judge from an assigned entry with a reason; the
// organisation becomes a conflict for that judge (source "recusal").
func (s *Service) Recuse(ctx context.Context, actor Actor, ref StageRef, nominationID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		if _, _, _, err := s.stageOf(ctx, tx, actor, ref); err != nil {
			return err
		}
		n, err := judgedEntry(ctx, tx, ref, nominationID, actor.UserID)
		if err != nil {
			return err
		}
		if p := reasonProblem("reason", reason, true); p != nil {
			return invalid("invalid recusal reason", []Problem{*p})
		}
		if err := tx.RecuseAssignment(ctx, ref, nominationID, actor.UserID, reason, now); err != nil {
			return err
		}
		prev, err := s.conflictWith(ctx, tx, actor.UserID, n.OrganisationID)
		if err != nil {
			return err
		}
		if prev == nil { // one conflict per judge and organisation
			if err := tx.InsertConflict(ctx, &DeclaredConflict{UserID: actor.UserID, OrganisationID: n.OrganisationID, Source: SourceRecusal,
				Reason: reason, CreatedBy: actor.ID, CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return withOp("workflow.Recuse", err)
}

// ReopenScore lets a judge change its submitted score once more, with a
// reason: the chair (not for its own score), the secretariat or an
// administrator. The reopening and the change that follows are recorded
// with the score before and after (ScoreHistory).
//
// Errors: NotFound (no such entry or score); Forbidden; Invalid (reason);
// IllegalTransition (not submitted, already reopened, or no longer under
// review).
func (s *Service) ReopenScore(ctx context.Context, actor Actor, ref StageRef, nominationID, userID int64, reason string) (Score, error) {
	var sc Score
	err := s.store.InTx(ctx, func(tx Tx) error {
		now := s.now().UTC()
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		switch {
		case !may(PermReopenScore, 0):
			return Refuse(Forbidden, "採点の再開は委員長・事務局が行います", "only the chair or the secretariat reopens a score")
		case userID == actor.UserID && !may(PermReopenOwnScore, 0):
			return Refuse(Forbidden, "自分の採点は再開できません。事務局に依頼してください", "the chair cannot reopen its own score; ask the secretariat")
		}
		if p := reasonProblem("reason", reason, true); p != nil {
			return invalid("invalid reason", []Problem{*p})
		}
		n, err := stageEntry(ctx, tx, ref, nominationID)
		if err != nil {
			return err
		}
		if !underReview(n, ref.Stage) {
			return Refuse(IllegalTransition, "応募 %d はこの段階の判定が終了しています", "entry %d is no longer under review at this stage", nominationID)
		}
		found, err := tx.Score(ctx, ref, nominationID, userID)
		if err != nil {
			return err
		}
		if found == nil {
			return Refuse(NotFound, "審査員 %d の応募 %d への採点はありません", "judge %d has no score for entry %d", userID, nominationID)
		}
		prev := *found
		switch {
		case prev.Status != ScoreSubmitted:
			return Refuse(IllegalTransition, "この採点は提出されていません（下書きは審査員が変更できます）", "the score is not submitted (its judge may change a draft)")
		case prev.ReopenedAt != nil:
			return Refuse(IllegalTransition, "この採点はすでに再開されています", "the score is already reopened")
		}
		sc = prev
		sc.Version, sc.UpdatedAt = prev.Version+1, now
		sc.ReopenedAt, sc.ReopenedBy, sc.ReopenReason = &now, actor.ID, strings.TrimSpace(reason)
		if err := tx.SaveScore(ctx, &sc, prev.Version); err != nil {
			return err
		}
		return tx.InsertScoreEvent(ctx, ScoreEvent{Stage: ref, NominationID: nominationID, UserID: userID, ActorID: actor.ID, Kind: EventReopen,
			Reason: sc.ReopenReason, Status: sc.Status, Values: sc.Values, Comment: sc.Comment, Version: sc.Version, At: now,
			Before: &ScoreState{Status: prev.Status, Values: prev.Values, Comment: prev.Comment}})
	})
	return sc, withOp("workflow.ReopenScore", err)
}

// ScoreHistory lists every save, correction and reopening of an entry's
// scores at a stage, oldest first, with the score before and after: for
// the chair and the secretariat, not for judges.
func (s *Service) ScoreHistory(ctx context.Context, actor Actor, ref StageRef, nominationID int64) ([]ScoreEvent, error) {
	var out []ScoreEvent
	err := s.store.InTx(ctx, func(tx Tx) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !may(PermReadScoreHistory, 0) {
			return Refuse(Forbidden, "採点の履歴は委員長・事務局が閲覧します", "the score history is for the chair and the secretariat")
		}
		if _, err := stageEntry(ctx, tx, ref, nominationID); err != nil {
			return err
		}
		out, err = tx.ScoreEvents(ctx, ref, nominationID)
		return err
	})
	return out, withOp("workflow.ScoreHistory", err)
}

// ScoreView is a score as a caller may see it.
type ScoreView struct {
	UserID    int64
	JudgeName string
	Score     Score
}

// EntryScores returns the scores of an entry that the caller may see:
// staff and the chair all; a judge its own, and the others' according to
// the stage's visibility (never, after submitting its own, always).
func (s *Service) EntryScores(ctx context.Context, actor Actor, ref StageRef, nominationID int64) ([]ScoreView, error) {
	var out []ScoreView
	err := s.store.InTx(ctx, func(tx Tx) error {
		_, st, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !may(PermReadAllEntries, 0) {
			_, err = judgedEntry(ctx, tx, ref, nominationID, actor.UserID)
		} else {
			_, err = stageEntry(ctx, tx, ref, nominationID)
		}
		if err != nil {
			return err
		}
		scores, err := tx.EntryScores(ctx, ref, nominationID)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, sc := range scores { // the names of this entry's judges only
			if m, ok, err := tx.PanelMember(ctx, ref, sc.UserID); err != nil {
				return err
			} else if ok {
				names[sc.UserID] = m.Name
			}
		}
		mineSubmitted := false
		for _, sc := range scores {
			if sc.NominationID == nominationID && sc.UserID == actor.UserID && sc.Status == ScoreSubmitted {
				mineSubmitted = true
			}
		}
		for _, sc := range scores {
			if sc.NominationID != nominationID {
				continue
			}
			own := sc.UserID == actor.UserID
			if !own && !may(PermReadAllScores, 0) {
				switch st.Judging.ScoreVisibility {
				case VisibleNever:
					continue
				case VisibleAfterSubmit:
					if !mineSubmitted || sc.Status != ScoreSubmitted {
						continue
					}
				case VisibleAlways:
					if sc.Status != ScoreSubmitted {
						continue
					}
				}
			}
			out = append(out, ScoreView{UserID: sc.UserID, JudgeName: names[sc.UserID], Score: sc})
		}
		return nil
	})
	return out, withOp("workflow.EntryScores", err)
}

// ---- progress and ranking

// JudgeProgress is one judge's progress at a stage.
type JudgeProgress struct {
	UserID    int64  `json:"user_id"`
	Name      string `json:"name"`
	Assigned  int    `json:"assigned"`
	Draft     int    `json:"draft"`
	Submitted int    `json:"submitted"`
	Recused   int    `json:"recused"`
	Overdue   int    `json:"overdue"` // not submitted and the window has closed
}

// Progress is a stage's judging progress, per judge and for the panel.
type Progress struct {
	WindowClosed bool            `json:"window_closed"`
	Panel        JudgeProgress   `json:"panel"`
	Judges       []JudgeProgress `json:"judges"`
}

// Progress reports per judge and for the panel: assigned, draft,
// submitted, recused and overdue. Staff and the chair.
func (s *Service) Progress(ctx context.Context, actor Actor, ref StageRef) (Progress, error) {
	var pr Progress
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !d.may(PermReadProgress, 0) {
			return Refuse(Forbidden, "採点の進捗は事務局と委員長だけが見られます", "progress is for the secretariat and the chair")
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		status := map[[2]int64]string{}
		for _, sc := range scores {
			status[[2]int64{sc.NominationID, sc.UserID}] = sc.Status
		}
		pr.WindowClosed = !s.now().Before(d.stage.Judging.Window.Closes)
		by := map[int64]*JudgeProgress{}
		for _, m := range d.panel {
			pr.Judges = append(pr.Judges, JudgeProgress{UserID: m.UserID, Name: m.Name})
		}
		for i := range pr.Judges {
			by[pr.Judges[i].UserID] = &pr.Judges[i]
		}
		for _, a := range d.assignments {
			jp := by[a.UserID]
			if jp == nil {
				pr.Judges = append(pr.Judges, JudgeProgress{UserID: a.UserID})
				for i := range pr.Judges {
					by[pr.Judges[i].UserID] = &pr.Judges[i]
				}
				jp = by[a.UserID]
			}
			if !a.Active() {
				jp.Recused++
				continue
			}
			jp.Assigned++
			switch status[[2]int64{a.NominationID, a.UserID}] {
			case ScoreSubmitted:
				jp.Submitted++
			case ScoreDraft:
				jp.Draft++
			}
			if pr.WindowClosed && status[[2]int64{a.NominationID, a.UserID}] != ScoreSubmitted {
				jp.Overdue++
			}
		}
		for _, jp := range pr.Judges {
			pr.Panel.Assigned += jp.Assigned
			pr.Panel.Draft += jp.Draft
			pr.Panel.Submitted += jp.Submitted
			pr.Panel.Recused += jp.Recused
			pr.Panel.Overdue += jp.Overdue
		}
		return nil
	})
	return pr, withOp("workflow.Progress", err)
}

// RankedEntry is an entry's aggregate with what identifies it.
type RankedEntry struct {
	aggregate.Entry
	Nomination       Nomination
	OrganisationName string
}

// Ranking aggregates the submitted scores of a stage's entries and ranks
// them. Staff and the chair.
func (s *Service) Ranking(ctx context.Context, actor Actor, ref StageRef, normalise bool, by aggregate.Measure) ([]RankedEntry, error) {
	var out []RankedEntry
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !d.may(PermReadRanking, 0) {
			return Refuse(Forbidden, "順位は事務局と委員長だけが見られます", "rankings are for the secretariat and the chair")
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		out = rankStage(d, scores, normalise, by)
		return nil
	})
	return out, withOp("workflow.Ranking", err)
}

func rubricOf(j *Judging) []aggregate.Criterion {
	out := make([]aggregate.Criterion, len(j.Rubric))
	for i, c := range j.Rubric {
		out[i] = aggregate.Criterion{Key: c.Key, Weight: c.Weight, Min: c.Min, Max: c.Max}
	}
	return out
}

func rankStage(d *stageData, scores []Score, normalise bool, by aggregate.Measure) []RankedEntry {
	in := aggregate.Input{Rubric: rubricOf(d.stage.Judging), Assigned: map[int64][]int64{}, Normalise: normalise, RankBy: by}
	for _, n := range d.entries {
		in.Assigned[n.ID] = nil
	}
	for _, a := range d.assignments {
		if a.Active() {
			in.Assigned[a.NominationID] = append(in.Assigned[a.NominationID], a.UserID)
		}
	}
	for _, sc := range scores {
		if sc.Status != ScoreSubmitted {
			continue
		}
		if _, ok := in.Assigned[sc.NominationID]; !ok {
			continue
		}
		v := make(map[string]float64, len(sc.Values))
		for k, text := range sc.Values {
			// Values are canonical decimals; ParseFloat rounds to the
			// nearest float64 exactly as big.Rat would, at a fraction of the cost.
			v[k], _ = strconv.ParseFloat(text, 64)
		}
		in.Scores = append(in.Scores, aggregate.Score{Entry: sc.NominationID, Judge: sc.UserID, Values: v})
	}
	byID := map[int64]Nomination{}
	for _, n := range d.entries {
		byID[n.ID] = n
	}
	agg := aggregate.Aggregate(in)
	out := make([]RankedEntry, len(agg))
	for i, e := range agg {
		n := byID[e.Entry]
		out[i] = RankedEntry{Entry: e, Nomination: n}
		if n.Snapshot != nil {
			out[i].OrganisationName = n.Snapshot.Name
		}
	}
	return out
}

// ---- decisions

// DecisionSpec is how the secretariat builds a stage decision.
type DecisionSpec struct {
	Measure   aggregate.Measure `json:"measure,omitempty"`   // default mean; normalised always normalises
	Normalise bool              `json:"normalise,omitempty"` // only with measure normalised (where it is implied)
	TopN      int               `json:"top_n,omitempty"`     // tier stages: the best N candidates advance
	Threshold *float64          `json:"threshold,omitempty"` // tier stages: those at or above advance
	Ties      string            `json:"ties,omitempty"`      // tier stages: how a tie at the top_n cut is resolved (TiesIncludeAll, TiesExcludeAll)
	Awards    []AwardRule       `json:"awards,omitempty"`    // award stages: allocated down the ranking in order
	Picks     []Override        `json:"picks,omitempty"`     // selected (or given Award) whatever the rule says
	Excludes  []Override        `json:"excludes,omitempty"`  // not selected whatever the rule says
	// EligibilityOverrides name entries failing (or not evaluable under)
	// the stage's eligibility rules that may still be selected, with why.
	EligibilityOverrides []Override `json:"eligibility_overrides,omitempty"`
	Reason               string     `json:"reason,omitempty"` // recorded for entries not selected
}

// How a tie at the top_n cut is resolved. Without either, and without picks
// and excludes that settle every tied entry, the tie is unresolved and the
// decision cannot be applied.
const (
	TiesIncludeAll = "include_all" // every tied entry advances: more than top_n
	TiesExcludeAll = "exclude_all" // no tied entry advances: fewer than top_n
)

// AwardRule gives an award to the next TopN entries of the ranking.
type AwardRule struct {
	Award string `json:"award"`
	TopN  int    `json:"top_n"`
}

// Override is a manual pick or exclusion, with its reason.
type Override struct {
	NominationID int64  `json:"nomination_id"`
	Award        string `json:"award,omitempty"`
	Reason       string `json:"reason"`
}

// DecisionOutcome is one entry's outcome in a decision.
type DecisionOutcome struct {
	NominationID     int64   `json:"nomination_id"`
	OrganisationName string  `json:"organisation_name"`
	Rank             int     `json:"rank"`
	Tie              bool    `json:"tie"`
	Value            float64 `json:"value"`
	Count            int     `json:"count"`
	Action           Action  `json:"action"` // select, award or not_select
	Award            string  `json:"award,omitempty"`
	Why              string  `json:"why"` // "rule", "pick", "exclude", "ineligible" or "tie"
	Reason           string  `json:"reason,omitempty"`
	// Eligibility is the entry's verdict under the stage's own rules
	// (omitted when the stage has none); an entry that does not pass is
	// never selected unless EligibilityOverride gives the reason it may be.
	Eligibility         Outcome `json:"eligibility,omitempty"`
	EligibilityOverride string  `json:"eligibility_override,omitempty"`
	TieAtCut            bool    `json:"tie_at_cut,omitempty"`     // tied at the top_n cut
	UnresolvedTie       bool    `json:"unresolved_tie,omitempty"` // tied at the cut with no choice made: apply is refused
}

// DecisionPreview is what applying a spec would do now.
type DecisionPreview struct {
	Outcomes    []DecisionOutcome `json:"outcomes"`
	Warnings    []Problem         `json:"warnings"`
	Fingerprint string            `json:"fingerprint"` // apply with it, so what is applied is what was previewed
}

// Decision is an applied decision, kept for the audit trail.
type Decision struct {
	ID        int64
	Stage     StageRef
	Spec      DecisionSpec
	Outcomes  []DecisionOutcome
	AppliedBy string
	AppliedAt time.Time
}

// PreviewDecision shows who would advance or win under spec, with quota,
// tie, eligibility and completeness warnings. Staff and the chair.
func (s *Service) PreviewDecision(ctx context.Context, actor Actor, ref StageRef, spec DecisionSpec) (DecisionPreview, error) {
	var pv DecisionPreview
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !d.may(PermPreviewDecision, 0) {
			return Refuse(Forbidden, "決定は事務局と審査委員長が行います", "decisions are for the secretariat and the chair")
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		verdicts, err := s.stageVerdicts(ctx, tx, d)
		if err != nil {
			return err
		}
		pv, err = preview(d, scores, verdicts, spec)
		return err
	})
	return pv, withOp("workflow.PreviewDecision", err)
}

// ApplyDecision recomputes the preview in the transaction and, if its
// fingerprint is the one previewed, applies every outcome as one atomic
// bulk transition through the state machine. Applicants see nothing until
// the results are released. Errors: Conflict if anything changed since the
// preview; Invalid while a tie at the cut is unresolved; IllegalTransition
// if an entry cannot take its outcome.
func (s *Service) ApplyDecision(ctx context.Context, actor Actor, ref StageRef, spec DecisionSpec, fingerprint string) (Decision, error) {
	var dec Decision
	err := s.store.InTx(ctx, func(tx Tx) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermApplyDecision)
		if err != nil {
			return err
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		verdicts, err := s.stageVerdicts(ctx, tx, d)
		if err != nil {
			return err
		}
		pv, err := preview(d, scores, verdicts, spec)
		if err != nil {
			return err
		}
		if pv.Fingerprint != fingerprint {
			return Refuse(Conflict, "プレビュー後に採点または応募が変わりました。もう一度プレビューしてください",
				"scores or entries changed since the preview; preview again")
		}
		var unresolved []string
		for _, o := range pv.Outcomes {
			if o.UnresolvedTie {
				unresolved = append(unresolved, strconv.FormatInt(o.NominationID, 10))
			}
		}
		if len(unresolved) > 0 {
			e := Refuse(Invalid, "上位%d件の境界で同点です（応募 %s）。ties（include_all または exclude_all）か、選出・除外で決めてください",
				"tie at the top %d cut (entries %s): choose ties (include_all or exclude_all), or pick and exclude the tied entries",
				spec.TopN, strings.Join(unresolved, ", "))
			e.Problems = []Problem{problem("ties", "unresolved_tie", e.Ja, e.Message)}
			return e
		}
		type group struct {
			action Action
			award  string
			reason string
		}
		groups := map[group][]int64{}
		var order []group
		for _, o := range pv.Outcomes {
			g := group{o.Action, o.Award, o.Reason}
			if _, ok := groups[g]; !ok {
				order = append(order, g)
			}
			groups[g] = append(groups[g], o.NominationID)
		}
		cache := contextCache{}
		for _, g := range order {
			ns, err := tx.Nominations(ctx, groups[g])
			if err != nil {
				return err
			}
			if err := cache.preloadOrganisations(ctx, tx, ns); err != nil {
				return err
			}
			if _, err := s.apply(ctx, tx, actor, ns, g.action, Input{Reason: g.reason, Award: g.award}); err != nil {
				return err
			}
		}
		now := s.now().UTC()
		dec = Decision{Stage: ref, Spec: spec, Outcomes: pv.Outcomes, AppliedBy: actor.ID, AppliedAt: now}
		return tx.InsertDecision(ctx, &dec)
	})
	return dec, withOp("workflow.ApplyDecision", err)
}

// stageVerdicts evaluates, for every entry under review at the stage, the
// eligibility rules of that stage (those whose applies_to is its key): the
// rules of the tier or award the entry would receive. Each entry is judged
// under the cycle version it was submitted against and its organisation
// snapshot, as the nomination page shows it. Entries of a stage without
// rules have no verdict.
func (s *Service) stageVerdicts(ctx context.Context, tx Tx, d *stageData) (map[int64]Verdict, error) {
	out := map[int64]Verdict{}
	for i := range d.entries {
		n := &d.entries[i]
		if !underReview(*n, d.stage.Key) {
			continue
		}
		cv, err := s.cycleVersion(ctx, tx, n.CycleKey, n.CycleVersion)
		if err != nil {
			return nil, err
		}
		p, err := programmeOf(cv, n)
		if err != nil {
			return nil, err
		}
		org := Organisation{}
		if n.Snapshot != nil {
			org = *n.Snapshot
		}
		for _, v := range p.Verdicts(n.Answers, org) {
			if v.AppliesTo == d.stage.Key {
				out[n.ID] = v
			}
		}
	}
	return out, nil
}

func entryPath(id int64) string { return fmt.Sprintf("nominations[%d]", id) }

func preview(d *stageData, scores []Score, verdicts map[int64]Verdict, spec DecisionSpec) (DecisionPreview, error) {
	var pv DecisionPreview
	st := d.stage
	if ps := checkSpec(d, verdicts, spec); len(ps) > 0 {
		return pv, &Error{Code: Invalid, Message: "invalid decision", Ja: "決定の指定に誤りがあります", Problems: ps}
	}
	measure := spec.Measure
	if measure == "" {
		measure = aggregate.ByMean
	}
	ranked := rankStage(d, scores, measure == aggregate.ByNormalised, measure)
	picks, excludes, overrides := map[int64]Override{}, map[int64]Override{}, map[int64]Override{}
	for _, o := range spec.Picks {
		picks[o.NominationID] = o
	}
	for _, o := range spec.Excludes {
		excludes[o.NominationID] = o
	}
	for _, o := range spec.EligibilityOverrides {
		overrides[o.NominationID] = o
	}
	notSelected := strings.TrimSpace(spec.Reason)
	if notSelected == "" {
		notSelected = "not selected at " + st.Key
	}

	// The entries under review, in ranking order, and which are candidates:
	// scored, not excluded, eligible (or let through), over the threshold.
	// Only candidates take places.
	var entries []*RankedEntry
	var cands []int // indexes into entries
	for i := range ranked {
		r := &ranked[i]
		if !underReview(r.Nomination, st.Key) {
			continue
		}
		v, hasVerdict := verdicts[r.Entry.Entry]
		eligible := !hasVerdict || v.Outcome == Pass
		if _, ok := overrides[r.Entry.Entry]; ok {
			eligible = true
		}
		_, excluded := excludes[r.Entry.Entry]
		if r.Count > 0 && !excluded && eligible && (spec.Threshold == nil || r.Entry.Value(measure) >= *spec.Threshold) {
			cands = append(cands, len(entries))
		}
		entries = append(entries, r)
	}
	value := func(i int) float64 { return entries[i].Entry.Value(measure) }
	byRule := map[int]string{}   // entry index → award ("" for a tier)
	tied := map[int]bool{}       // tied at the cut and not settled by a pick
	unresolved := map[int]bool{} // tied with no choice made
	var tieIDs []string
	if st.Grants != "" && (spec.TopN > 0 || spec.Threshold != nil) {
		in := cands
		if spec.TopN > 0 && len(cands) > spec.TopN && aggregate.Same(value(cands[spec.TopN-1]), value(cands[spec.TopN])) {
			cut := value(cands[spec.TopN-1])
			in = nil
			for _, c := range cands {
				switch {
				case !aggregate.Same(value(c), cut):
					if value(c) > cut {
						in = append(in, c)
					}
				default:
					tieIDs = append(tieIDs, strconv.FormatInt(entries[c].Entry.Entry, 10))
					if _, picked := picks[entries[c].Entry.Entry]; picked {
						continue
					}
					tied[c] = true
					switch spec.Ties {
					case TiesIncludeAll:
						in = append(in, c)
					case TiesExcludeAll:
					default:
						unresolved[c] = true
					}
				}
			}
		} else if spec.TopN > 0 && len(cands) > spec.TopN {
			in = cands[:spec.TopN]
		}
		for _, c := range in {
			byRule[c] = ""
		}
	}
	var lastIn, firstOut *RankedEntry // award stages: the tie warning at the last award's cut
	if st.Grants == "" {
		slots := slices.Clone(spec.Awards)
		for _, c := range cands {
			for k := range slots {
				if slots[k].TopN > 0 {
					byRule[c] = slots[k].Award
					slots[k].TopN--
					lastIn = entries[c]
					break
				}
			}
			if _, ok := byRule[c]; !ok && firstOut == nil {
				firstOut = entries[c]
			}
		}
	}

	for i, r := range entries {
		id := r.Entry.Entry
		o := DecisionOutcome{NominationID: id, OrganisationName: r.OrganisationName, Rank: r.Rank, Tie: r.Tie,
			Value: r.Entry.Value(measure), Count: r.Count, Action: NotSelect, Why: "rule", Reason: notSelected,
			TieAtCut: tied[i], UnresolvedTie: unresolved[i]}
		if award, ok := byRule[i]; ok {
			o.Action, o.Award, o.Reason = Select, award, ""
			if award != "" {
				o.Action = Award
			}
		} else if tied[i] {
			o.Why = "tie"
		}
		v, hasVerdict := verdicts[id]
		if hasVerdict {
			o.Eligibility = v.Outcome
		}
		ov, overridden := overrides[id]
		if overridden {
			o.EligibilityOverride = strings.TrimSpace(ov.Reason)
		}
		// Overrides win over the rule.
		if p, ok := picks[id]; ok {
			o.Why, o.Reason, o.Action, o.Award = "pick", strings.TrimSpace(p.Reason), Select, ""
			if st.Grants == "" {
				o.Action, o.Award = Award, p.Award
			}
		}
		if x, ok := excludes[id]; ok {
			o.Why, o.Reason, o.Action, o.Award = "exclude", strings.TrimSpace(x.Reason), NotSelect, ""
		}
		if hasVerdict && v.Outcome != Pass && !overridden {
			var rules []string
			for _, rr := range v.Results {
				if rr.Outcome != Pass {
					rules = append(rules, rr.Rule)
				}
			}
			if o.Why != "exclude" {
				o.Why, o.Action, o.Award = "ineligible", NotSelect, ""
				o.Reason = fmt.Sprintf("eligibility at %s: %s (%s)", st.Key, v.Outcome, strings.Join(rules, ", "))
			}
			ja, en := "この段階の要件を満たしていません（%s）", "fails this stage's eligibility rules (%s)"
			if v.Outcome == Unknown {
				ja, en = "この段階の要件を判定できません（%s）", "this stage's eligibility rules cannot be evaluated (%s)"
			}
			pv.Warnings = append(pv.Warnings, Problem{Path: entryPath(id), Code: "ineligible",
				Message: Text{Ja: fmt.Sprintf(ja, strings.Join(rules, ", ")), En: fmt.Sprintf(en, strings.Join(rules, ", "))}})
		}
		if overridden && o.Action != NotSelect {
			// The override's reason goes into the entry's history with the selection.
			o.Reason = strings.TrimSpace(o.Reason + "\n" + "eligibility override: " + o.EligibilityOverride)
		}
		pv.Outcomes = append(pv.Outcomes, o)
		if len(r.Missing) > 0 {
			pv.Warnings = append(pv.Warnings, Problem{Path: entryPath(id), Code: "missing_scores",
				Message: Text{Ja: fmt.Sprintf("未提出の採点が%d件あります", len(r.Missing)), En: fmt.Sprintf("%d score(s) missing", len(r.Missing))}})
		}
	}
	if len(tieIDs) > 0 {
		ids := strings.Join(tieIDs, ", ")
		switch {
		case len(unresolved) > 0:
			pv.Warnings = append(pv.Warnings, Problem{Path: "ties", Code: "unresolved_tie",
				Message: Text{Ja: fmt.Sprintf("上位%d件の境界で同点です（応募 %s）。ties（include_all または exclude_all）か、選出・除外で決めるまで適用できません", spec.TopN, ids),
					En: fmt.Sprintf("tie at the top %d cut (entries %s): choose ties (include_all or exclude_all), or pick and exclude the tied entries, before applying", spec.TopN, ids)}})
		default:
			pv.Warnings = append(pv.Warnings, Problem{Path: "ties", Code: "tie_at_cut",
				Message: Text{Ja: fmt.Sprintf("上位%d件の境界で同点です（応募 %s）", spec.TopN, ids),
					En: fmt.Sprintf("tie at the top %d cut (entries %s)", spec.TopN, ids)}})
		}
	}
	if lastIn != nil && firstOut != nil && aggregate.Same(lastIn.Entry.Value(measure), firstOut.Entry.Value(measure)) {
		pv.Warnings = append(pv.Warnings, Problem{Code: "tie_at_cut",
			Message: Text{Ja: fmt.Sprintf("境界で同点です（応募 %d と %d）", lastIn.Entry.Entry, firstOut.Entry.Entry),
				En: fmt.Sprintf("tie at the cut line between entries %d and %d", lastIn.Entry.Entry, firstOut.Entry.Entry)}})
	}
	pv.Warnings = append(pv.Warnings, quotaWarnings(d.programme, st, pv.Outcomes)...)
	data, _ := json.Marshal(pv.Outcomes)
	sum := sha256.Sum256(data)
	pv.Fingerprint = hex.EncodeToString(sum[:16])
	return pv, nil
}

func checkSpec(d *stageData, verdicts map[int64]Verdict, spec DecisionSpec) []Problem {
	var ps []Problem
	add := func(p *Problem) {
		if p != nil {
			ps = append(ps, *p)
		}
	}
	st := d.stage
	switch spec.Measure {
	case "", aggregate.ByMean, aggregate.ByMedian, aggregate.ByTrimmedMean, aggregate.ByNormalised:
		if spec.Normalise && spec.Measure != aggregate.ByNormalised {
			ps = append(ps, problem("normalise", "invalid",
				"normalise は measure が normalised のときだけ指定できます（normalised で順位付けすると常に正規化します。ほかの指標は正規化しません）",
				"normalise applies only with measure normalised (ranking by normalised always normalises; the other measures never do)"))
		}
	default:
		ps = append(ps, problem("measure", "invalid", "指標は mean, median, trimmed_mean, normalised です", "must be mean, median, trimmed_mean or normalised"))
	}
	if st.Grants != "" && len(spec.Awards) > 0 {
		ps = append(ps, problem("awards", "invalid", "この段階では賞を決定しません", "this stage selects for a tier; use top_n or threshold"))
	}
	if st.Grants == "" && (spec.TopN != 0 || spec.Threshold != nil || spec.Ties != "") {
		ps = append(ps, problem("top_n", "invalid", "この段階では賞ごとの件数を指定してください", "this stage decides awards; use awards"))
	}
	switch spec.Ties {
	case "", TiesIncludeAll, TiesExcludeAll:
	default:
		ps = append(ps, problem("ties", "invalid", "ties は include_all または exclude_all です", "must be include_all or exclude_all"))
	}
	if spec.TopN < 0 {
		ps = append(ps, problem("top_n", "invalid", "0以上で指定してください", "must not be negative"))
	}
	for i, a := range spec.Awards {
		if !slices.Contains(st.Awards, a.Award) || a.TopN < 0 {
			ps = append(ps, problem(fmt.Sprintf("awards[%d]", i), "invalid", "この段階の賞ではないか、件数が負です", "is not an award of this stage, or has a negative top_n"))
		}
	}
	add(reasonProblem("reason", spec.Reason, false))
	underReviewHere := func(path string, id int64) bool {
		n, ok := d.entry(id)
		if !ok || !underReview(n, st.Key) {
			ps = append(ps, problem(path+".nomination_id", "not_under_review", "この段階で審査中の応募ではありません", "is not an entry under review at this stage"))
			return false
		}
		return true
	}
	overridden := map[int64]bool{}
	for i, o := range spec.EligibilityOverrides {
		path := fmt.Sprintf("eligibility_overrides[%d]", i)
		if !underReviewHere(path, o.NominationID) {
			continue
		}
		v, has := verdicts[o.NominationID]
		switch {
		case overridden[o.NominationID]:
			ps = append(ps, problem(path+".nomination_id", "duplicate", "同じ応募が重複しています", "appears twice among eligibility_overrides"))
		case !has || v.Outcome == Pass:
			ps = append(ps, problem(path+".nomination_id", "eligible", "この応募はこの段階の要件を満たしています（上書きは不要です）",
				"passes this stage's eligibility rules; no override is needed"))
		case o.Award != "":
			ps = append(ps, problem(path+".award", "invalid", "要件の上書きに賞は指定できません（picks で指定してください）", "an eligibility override names no award (use picks)"))
		}
		add(reasonProblem(path+".reason", o.Reason, true))
		overridden[o.NominationID] = true
	}
	seen := map[int64]bool{}
	for _, list := range []struct {
		name string
		os   []Override
	}{{"picks", spec.Picks}, {"excludes", spec.Excludes}} {
		for i, o := range list.os {
			path := fmt.Sprintf("%s[%d]", list.name, i)
			if !underReviewHere(path, o.NominationID) {
				continue
			}
			v, has := verdicts[o.NominationID]
			switch {
			case seen[o.NominationID]:
				ps = append(ps, problem(path+".nomination_id", "duplicate", "同じ応募が重複しています", "appears twice among picks and excludes"))
			case list.name == "picks" && st.Grants == "" && !slices.Contains(st.Awards, o.Award):
				ps = append(ps, problem(path+".award", "unknown_award", "この段階の賞を指定してください", "name an award of this stage"))
			case list.name == "picks" && has && v.Outcome != Pass && !overridden[o.NominationID]:
				ps = append(ps, problem(path+".nomination_id", "ineligible",
					"この応募はこの段階の要件を満たしていません。選出するには eligibility_overrides に理由とともに指定してください",
					"fails this stage's eligibility rules: to select it, name it in eligibility_overrides with a reason"))
			}
			add(reasonProblem(path+".reason", o.Reason, true))
			seen[o.NominationID] = true
		}
	}
	return ps
}

// quotaWarnings compares the outcome with the advisory quotas.
func quotaWarnings(p *Programme, st *Stage, outcomes []DecisionOutcome) []Problem {
	count := map[string]int{}
	for _, o := range outcomes {
		switch o.Action {
		case Select:
			count[st.Grants]++
		case Award:
			count[o.Award]++
		}
	}
	var ps []Problem
	check := func(t Tier) {
		q := t.Quota
		if q == nil {
			return
		}
		n := count[t.Key]
		if q.Max != nil && n > *q.Max {
			ps = append(ps, Problem{Code: "quota_exceeded", Message: Text{Ja: fmt.Sprintf("%sは目安の上限%d件を超えています（%d件）", t.Title.Ja, *q.Max, n),
				En: fmt.Sprintf("%s: %d exceeds the advisory maximum of %d", t.Title.En, n, *q.Max)}})
		}
		if q.Min != nil && n < *q.Min {
			ps = append(ps, Problem{Code: "quota_short", Message: Text{Ja: fmt.Sprintf("%sは目安の下限%d件に届きません（%d件）", t.Title.Ja, *q.Min, n),
				En: fmt.Sprintf("%s: %d is below the advisory minimum of %d", t.Title.En, n, *q.Min)}})
		}
	}
	for _, t := range p.Tiers {
		if t.Key == st.Grants {
			check(t)
		}
	}
	for _, t := range p.Awards {
		if slices.Contains(st.Awards, t.Key) {
			check(t)
		}
	}
	return ps
}

// StageFeedback is what an applicant may see of a stage's judging: the
// panel's mean per criterion and its comments, without judges' names.
type StageFeedback struct {
	Stage          string             `json:"stage"`
	Title          Text               `json:"title"`
	Count          int                `json:"count"`
	CriterionMeans map[string]float64 `json:"criterion_means"`
	Comments       []string           `json:"comments"`
}

// Feedback returns a nomination's feedback from the stages that give it,
// once the programme's results are released; before that, none.
// Errors: NotFound for a nomination the actor may not see.
func (s *Service) Feedback(ctx context.Context, actor Actor, nominationID int64) ([]StageFeedback, error) {
	out := []StageFeedback{}
	err := s.store.InTx(ctx, func(tx Tx) error {
		c, _, err := s.visible(ctx, tx, actor, nominationID, s.now().UTC())
		if err != nil {
			return err
		}
		if c.ReleasedAt == nil {
			return nil
		}
		n := c.Nomination
		for _, st := range c.Programme.Stages {
			if st.Judging == nil || !st.Judging.Feedback {
				continue
			}
			scores, err := tx.Scores(ctx, StageRef{Cycle: n.CycleKey, Programme: n.ProgrammeKey, Stage: st.Key})
			if err != nil {
				return err
			}
			fb := StageFeedback{Stage: st.Key, Title: st.Title, CriterionMeans: map[string]float64{}, Comments: []string{}}
			sums := map[string]float64{}
			for _, sc := range scores {
				if sc.NominationID != n.ID || sc.Status != ScoreSubmitted {
					continue
				}
				fb.Count++
				for k, text := range sc.Values {
					r, _ := new(big.Rat).SetString(text)
					f, _ := r.Float64()
					sums[k] += f
				}
				if sc.Comment != "" {
					fb.Comments = append(fb.Comments, sc.Comment)
				}
			}
			if fb.Count == 0 {
				continue
			}
			for k, v := range sums {
				fb.CriterionMeans[k] = v / float64(fb.Count)
			}
			out = append(out, fb)
		}
		return nil
	})
	return out, withOp("workflow.Feedback", err)
}
