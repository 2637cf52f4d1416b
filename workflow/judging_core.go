package workflow

import (
	"context"
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
	d.conflicts = conflicts(ref.Stage, d.entries, users, affs, declared)
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
	return judgedFrom(ctx, tx, ref.Stage, nominationID, n, ok, true, userID)
}

// judgedFrom is judgedEntry given the entry read (ok: actively assigned);
// the judge's ties are read only if hasTies (without any, nothing conflicts)
// and the entry is still under review at the stage (see tiesApply).
func judgedFrom(ctx context.Context, tx Tx, stage string, nominationID int64, n Nomination, ok, hasTies bool, userID int64) (Nomination, error) {
	if !ok {
		return Nomination{}, noSuchEntry(nominationID)
	}
	if !hasTies || !tiesApply(n, stage) {
		return n, nil
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

// tiesApply reports whether a judge's conflicts count for an entry at a
// stage: only while the entry is under review there. A conflict concerns
// judging still to come; once the stage has decided the entry, the
// judge's assignment and submitted score there are the stage's record,
// and a conflict declared (or a recusal made) later, at another stage or
// in /me/conflicts, neither takes the judge off it nor hides it.
func tiesApply(n Nomination, stage string) bool { return underReview(n, stage) }

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
