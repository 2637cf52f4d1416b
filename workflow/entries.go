package workflow

import (
	"cmp"
	"context"
	"slices"
	"time"
)

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
	err = s.inTx(ctx, func(tx Tx, _ time.Time) error {
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
// and not conflicted with (while under review: tiesApply), with its own scores, read in proportion to
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
		if _, conflicted := ties.conflictWith(ties.entryOrgOf(&ns[i])); conflicted && tiesApply(ns[i], ref.Stage) {
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
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
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

// ScoreHistory lists every save, correction and reopening of an entry's
// scores at a stage, oldest first, with the score before and after: for
// the chair and the secretariat, not for judges.
func (s *Service) ScoreHistory(ctx context.Context, actor Actor, ref StageRef, nominationID int64) ([]ScoreEvent, error) {
	var out []ScoreEvent
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
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
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
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
