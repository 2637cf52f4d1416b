package db_test

import (
	"testing"
	"time"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

// TestJudgingWindowSaidRight: a judging window closing 2026-09-11 (stored
// as 9月12日 00:00) is reported as closing 令和8年9月11日(金), not the 12th,
// and one not yet open gives its opening time.
func TestJudgingWindowSaidRight(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		je := newJudgingEnv(t, d, 1, 3)
		je.proposeAndApply(t)
		for _, tc := range []struct {
			now      time.Time
			code, ja string
		}{
			{time.Date(2026, 9, 12, 0, 0, 0, 0, workflow.Tokyo), "window_closed", "審査期間は終了しました（締切: 令和8年9月11日(金)まで）"},
			{time.Date(2026, 8, 20, 9, 0, 0, 0, workflow.Tokyo), "window_not_open", "審査期間前です（開始: 令和8年8月20日(木) 10:00）"},
		} {
			je.clock.Set(tc.now)
			_, err := je.svc.SaveScore(je.ctx, je.judges[0], top100, je.entries[0].ID, 0, workflow.ScoreInput{Values: fullScore, Submit: true})
			ps := workflow.ErrorProblems(err)
			if workflow.ErrorCode(err) != workflow.IllegalTransition || len(ps) != 1 || ps[0].Code != tc.code || ps[0].Message.Ja != tc.ja {
				t.Errorf("at %v: %v %+v, want %s", tc.now, err, ps, tc.ja)
			}
		}
	})
}
