package workflow

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// MyStage is a judged stage whose panel the caller sits on, with the
// window in force and the caller's own progress there.
type MyStage struct {
	Ref            StageRef
	CycleTitle     Text
	ProgrammeTitle Text
	Stage          Stage // the stage as in force (its judging window after changes)
	Role           Role  // RoleJudge or RoleChair
	Assigned       int   // entries actively assigned and not conflicted
	Draft          int   // of those, scored as a draft
	Submitted      int   // of those, submitted
	Recused        int   // entries the caller recused from
}

// MyStages lists the judged stages, in every stored cycle, where the caller
// is on the panel, in the cycles' and programmes' order. The stages of a
// ministry the caller may not read entries in are never listed. Each stage
// costs reads in proportion to the caller's own assignments there.
func (s *Service) MyStages(ctx context.Context, actor Actor) ([]MyStage, error) {
	var out []MyStage
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		keys, err := tx.CycleKeys(ctx)
		if err != nil {
			return err
		}
		for _, key := range keys {
			cv, err := tx.LatestCycle(ctx, key)
			if err != nil {
				return err
			}
			for i := range cv.Cycle.Programmes {
				p := &cv.Cycle.Programmes[i]
				if !s.authz.Permits(actor, PermReadEntries, p.Ministry, 0) {
					continue
				}
				for _, st := range p.Stages {
					if st.Judging == nil {
						continue
					}
					ref := StageRef{Cycle: key, Programme: p.Key, Stage: st.Key}
					m, ok, err := tx.PanelMember(ctx, ref, actor.UserID)
					if err != nil {
						return err
					}
					if !ok {
						continue
					}
					ms, err := s.myStage(ctx, tx, cv.Cycle.Title, p, ref, m)
					if err != nil {
						return err
					}
					out = append(out, ms)
				}
			}
		}
		return nil
	})
	return out, withOp("workflow.MyStages", err)
}

func (s *Service) myStage(ctx context.Context, tx Tx, cycleTitle Text, p *Programme, ref StageRef, m PanelMember) (MyStage, error) {
	eff, err := s.effective(ctx, tx, ref.Cycle, p)
	if err != nil {
		return MyStage{}, err
	}
	st, _ := eff.Stage(ref.Stage)
	ms := MyStage{Ref: ref, CycleTitle: cycleTitle, ProgrammeTitle: p.Title, Stage: *st, Role: m.Role}
	mine, err := judgeEntries(ctx, tx, ref, m.UserID)
	if err != nil {
		return ms, err
	}
	for _, e := range mine {
		ms.Assigned++
		if e.MyScore == nil {
			continue
		}
		switch e.MyScore.Status {
		case ScoreSubmitted:
			ms.Submitted++
		case ScoreDraft:
			ms.Draft++
		}
	}
	as, err := tx.Assignments(ctx, ref)
	if err != nil {
		return ms, err
	}
	for _, a := range as {
		if a.UserID == m.UserID && !a.Active() {
			ms.Recused++
		}
	}
	return ms, nil
}

// MyEntry is an entry as the caller opens it to score: the stage in force,
// the caller's place on the panel, its own score and whether it may still
// change it.
type MyEntry struct {
	Programme   Programme
	Stage       Stage
	Nomination  Nomination
	Role        Role   // on the stage's panel; "" when not on it (the secretariat)
	Assigned    bool   // actively assigned and not conflicted: the caller may score it
	Score       *Score // the caller's own score, nil before the first save
	Locked      bool   // the caller's submitted score may no longer change (see SaveScore)
	Open        bool   // the judging window is open now
	UnderReview bool   // the entry is still being judged at the stage
}

// MyEntry reads one entry for the caller's scoring page, by the rules of
// Entry: NotFound for a judge not assigned to it or conflicted with it.
func (s *Service) MyEntry(ctx context.Context, actor Actor, ref StageRef, nominationID int64) (MyEntry, error) {
	var me MyEntry
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		p, st, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if may(PermReadAllEntries, 0) {
			// The chair and the secretariat see every entry; the chair
			// scores only those it is assigned to.
			if me.Nomination, err = stageEntry(ctx, tx, ref, nominationID); err != nil {
				return err
			}
			_, jerr := judgedEntry(ctx, tx, ref, nominationID, actor.UserID)
			if ErrorCode(jerr) != NotFound && jerr != nil {
				return jerr
			}
			me.Assigned = jerr == nil
		} else {
			me.Nomination, err = judgedEntry(ctx, tx, ref, nominationID, actor.UserID)
			me.Assigned = err == nil
		}
		if err != nil {
			return err
		}
		me.Programme, me.Stage = *p, *st
		me.Open = st.Judging.Window.Contains(now)
		me.UnderReview = underReview(me.Nomination, ref.Stage)
		m, ok, err := tx.PanelMember(ctx, ref, actor.UserID)
		if err != nil {
			return err
		}
		if ok {
			me.Role = m.Role
		}
		if me.Score, err = tx.Score(ctx, ref, nominationID, actor.UserID); err != nil {
			return err
		}
		if me.Score != nil {
			me.Locked = lockedFor(st, *me.Score, me.Role)
		}
		return nil
	})
	return me, withOp("workflow.MyEntry", err)
}

// MyRecusal is an entry the caller recused from at a stage (or was taken
// off by a conflict it declared): the entry, its organisation's name as the
// judge saw it, and the recusal. Nothing else of the application.
type MyRecusal struct {
	NominationID int64
	Organisation string // the name in the entry's snapshot
	Reason       string
	At           time.Time
}

// MyRecusals lists the caller's recusals at a stage, by entry; the stage's
// rules of stageOf apply (NotFound for another ministry's).
func (s *Service) MyRecusals(ctx context.Context, actor Actor, ref StageRef) ([]MyRecusal, error) {
	var out []MyRecusal
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		if _, _, _, err := s.stageOf(ctx, tx, actor, ref); err != nil {
			return err
		}
		as, err := tx.Assignments(ctx, ref)
		if err != nil {
			return err
		}
		var ids []int64
		for _, a := range as {
			if a.UserID == actor.UserID && !a.Active() {
				out = append(out, MyRecusal{NominationID: a.NominationID, Reason: a.RecusalReason, At: *a.RecusedAt})
				ids = append(ids, a.NominationID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		ns, err := tx.Nominations(ctx, ids)
		if err != nil {
			return err
		}
		for i := range out {
			for _, n := range ns {
				if n.ID == out[i].NominationID && n.Snapshot != nil {
					out[i].Organisation = n.Snapshot.Name
				}
			}
		}
		slices.SortFunc(out, func(a, b MyRecusal) int { return cmp.Compare(a.NominationID, b.NominationID) })
		return nil
	})
	return out, withOp("workflow.MyRecusals", err)
}
