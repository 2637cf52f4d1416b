package workflow

import (
	"context"
	"strconv"
	"time"

	"github.com/awardflow/awardflow/workflow/aggregate"
)

// JudgeProgress is one judge's progress at a stage.
type JudgeProgress struct {
	UserID    int64
	Name      string
	Assigned  int
	Draft     int
	Submitted int
	Recused   int
	Overdue   int // not submitted and the window has closed
}

// Progress is a stage's judging progress, per judge and for the panel.
type Progress struct {
	WindowClosed bool
	Panel        JudgeProgress
	Judges       []JudgeProgress
}

// Progress reports per judge and for the panel: assigned, draft,
// submitted, recused and overdue. Staff and the chair.
func (s *Service) Progress(ctx context.Context, actor Actor, ref StageRef) (Progress, error) {
	var pr Progress
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
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
		pr.WindowClosed = !now.Before(d.stage.Judging.Window.Closes)
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
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
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
