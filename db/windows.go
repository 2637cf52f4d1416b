package db

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/awardflow/awardflow/workflow"
)

type windowChangeRow struct {
	bun.BaseModel `bun:"table:window_changes"`
	ID            int64     `bun:"id,pk,autoincrement"`
	CycleKey      string    `bun:"cycle_key"`
	ProgrammeKey  string    `bun:"programme_key"`
	StageKey      string    `bun:"stage_key"`
	Seq           int       `bun:"seq"`
	OpensAt       time.Time `bun:"opens_at"`
	ClosesAt      time.Time `bun:"closes_at"`
	PrevOpensAt   time.Time `bun:"prev_opens_at"`
	PrevClosesAt  time.Time `bun:"prev_closes_at"`
	Reason        string    `bun:"reason"`
	ActorID       string    `bun:"actor_id"`
	ActorName     string    `bun:"actor_name"`
	ChangedAt     time.Time `bun:"changed_at"`
}

func (t *tx) WindowChanges(ctx context.Context, cycle, programme string) ([]workflow.WindowChange, error) {
	var rows []windowChangeRow
	q := t.db.NewSelect().Model(&rows).Where("cycle_key = ?", cycle)
	if programme != "" {
		q = q.Where("programme_key = ?", programme)
	}
	if err := q.OrderExpr("id").Scan(ctx); err != nil {
		return nil, translate(err, "window changes")
	}
	out := make([]workflow.WindowChange, len(rows))
	for i, r := range rows {
		out[i] = workflow.WindowChange{ID: r.ID, Cycle: r.CycleKey, Programme: r.ProgrammeKey, Stage: r.StageKey, Seq: r.Seq,
			Window:   workflow.Window{Opens: r.OpensAt.UTC(), Closes: r.ClosesAt.UTC()},
			Previous: workflow.Window{Opens: r.PrevOpensAt.UTC(), Closes: r.PrevClosesAt.UTC()},
			Reason:   r.Reason, ActorID: r.ActorID, ActorName: r.ActorName, At: r.ChangedAt.UTC()}
	}
	return out, nil
}

func (t *tx) InsertWindowChange(ctx context.Context, ch *workflow.WindowChange) error {
	r := windowChangeRow{CycleKey: ch.Cycle, ProgrammeKey: ch.Programme, StageKey: ch.Stage, Seq: ch.Seq,
		OpensAt: ch.Window.Opens.UTC(), ClosesAt: ch.Window.Closes.UTC(),
		PrevOpensAt: ch.Previous.Opens.UTC(), PrevClosesAt: ch.Previous.Closes.UTC(),
		Reason: ch.Reason, ActorID: ch.ActorID, ActorName: ch.ActorName, ChangedAt: ch.At.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "window change")
	}
	ch.ID = r.ID
	return nil
}
