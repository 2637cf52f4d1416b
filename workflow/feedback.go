package workflow

import (
	"context"
	"math/big"
	"time"
)

// StageFeedback is what an applicant may see of a stage's judging: the
// panel's mean per criterion and its comments, without judges' names.
type StageFeedback struct {
	Stage          string
	Title          Text
	Count          int
	CriterionMeans map[string]float64
	Comments       []string
}

// Feedback returns a nomination's feedback from the stages that give it,
// once the programme's results are released; before that, none.
// Errors: NotFound for a nomination the actor may not see.
func (s *Service) Feedback(ctx context.Context, actor Actor, nominationID int64) ([]StageFeedback, error) {
	out := []StageFeedback{}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, _, err := s.visible(ctx, tx, actor, nominationID, now)
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
