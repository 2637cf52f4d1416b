package workflow

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/awardflow/awardflow/workflow/aggregate"
)

// JudgeStat is how a judge scored: who is harsh and who lenient.
type JudgeStat struct {
	UserID int64
	Name   string
	Count  int
	Mean   float64
	StdDev float64
}

// StageResults is everything a stage's results workbook shows. Its figures
// come from the same aggregation as the API's ranking.
type StageResults struct {
	Stage          StageRef
	CycleTitle     Text
	ProgrammeTitle Text
	StageTitle     Text
	Judging        Judging
	Panel          []PanelMember
	Ranked         []RankedEntry // normalised figures beside raw ones, ranked by mean
	Judges         []JudgeStat
	Assigned       int
	Submitted      int
	GeneratedAt    time.Time
}

// StageResults gathers a stage's results; staff and the chair.
func (s *Service) StageResults(ctx context.Context, actor Actor, ref StageRef) (StageResults, error) {
	var r StageResults
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !d.may(PermExportResults, 0) {
			return Refuse(Forbidden, "審査結果は事務局と委員長だけが見られます", "results are for the secretariat and the chair")
		}
		cv, err := tx.LatestCycle(ctx, ref.Cycle)
		if err != nil {
			return err
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		r = StageResults{Stage: ref, CycleTitle: cv.Cycle.Title, ProgrammeTitle: d.programme.Title, StageTitle: d.stage.Title,
			Judging: *d.stage.Judging, Panel: d.panel, Ranked: rankStage(d, scores, true, aggregate.ByMean), GeneratedAt: now}
		for _, a := range d.assignments {
			if a.Active() {
				r.Assigned++
			}
		}
		r.Judges = judgeStats(d, r.Ranked)
		for _, e := range r.Ranked {
			r.Submitted += e.Count
		}
		return nil
	})
	return r, withOp("workflow.StageResults", err)
}

// judgeStats computes each panel member's count, mean and sample standard
// deviation of the totals they submitted.
func judgeStats(d *stageData, ranked []RankedEntry) []JudgeStat {
	totals := map[int64][]float64{}
	for _, e := range ranked {
		for judge, t := range e.Totals {
			totals[judge] = append(totals[judge], t)
		}
	}
	var out []JudgeStat
	seen := map[int64]bool{}
	add := func(id int64, name string) {
		if seen[id] {
			return
		}
		seen[id] = true
		st := JudgeStat{UserID: id, Name: name, Count: len(totals[id])}
		if st.Count > 0 {
			for _, t := range totals[id] {
				st.Mean += t
			}
			st.Mean /= float64(st.Count)
			if st.Count > 1 {
				ss := 0.0
				for _, t := range totals[id] {
					ss += (t - st.Mean) * (t - st.Mean)
				}
				st.StdDev = math.Sqrt(ss / float64(st.Count-1))
			}
		}
		out = append(out, st)
	}
	for _, m := range d.panel {
		add(m.UserID, m.Name)
	}
	for id := range totals {
		add(id, "#"+strconv.FormatInt(id, 10))
	}
	return out
}
