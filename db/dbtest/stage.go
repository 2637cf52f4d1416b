package dbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/workflow"
)

// Stage describes entries to seed at a judged stage for a benchmark.
type Stage struct {
	Ref      workflow.StageRef
	Ministry string
	Tier     string
	Entries  int
	Judges   []int64 // panel judges' user ids (already on the panel)
	K        int     // judges per entry, round robin over Judges (K ≤ len(Judges))
	ScoredBy []int64 // judges whose assignments carry a submitted score
	Tag      string  // distinguishes the seeded organisations' names
	At       time.Time
}

// SeedStage stores s.Entries organisations, their nominations under review
// at the stage, K assignments each and the submitted scores of ScoredBy,
// set-based: a handful of INSERT … SELECT statements over a recursive
// counter, so 50,000 entries take seconds, not minutes. The same SQL runs
// on SQLite and PostgreSQL. Nothing is generated on disk.
func SeedStage(ctx context.Context, d *db.DB, s Stage) error {
	if s.K > len(s.Judges) {
		return fmt.Errorf("seed stage: %d judges per entry from %d judges", s.K, len(s.Judges))
	}
	at := s.At.UTC()
	// The snapshot is the organisation as submitted, its name spliced in.
	snap, err := json.Marshal(workflow.Organisation{Name: "\x00", NameKana: "ベンチ", LegalForm: "kabushiki_kaisha", Prefecture: "13",
		Municipality: "港区", Industry: "E", TotalHeadcount: 100, RegularHeadcount: 90, Version: 1, CreatedAt: at, UpdatedAt: at})
	if err != nil {
		return err
	}
	before, after, _ := strings.Cut(string(snap), `\u0000`)
	prefix := "株式会社ベンチ" + s.Tag + "-"
	err = d.Bun.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		exec := func(query string, args ...any) error {
			_, err := tx.NewRaw(query, args...).Exec(ctx)
			return err
		}
		// total_headcount carries the entry's ordinal, for the round robin.
		if err := exec(`WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i + 1 < ?)
			INSERT INTO organisations (name, name_kana, legal_form, prefecture, municipality, industry, total_headcount, regular_headcount,
				version, created_at, updated_at)
			SELECT ? || CAST(i AS TEXT), 'ベンチ', 'kabushiki_kaisha', '13', '港区', 'E', i, 90, 1, ?, ? FROM seq`,
			s.Entries, prefix, at, at); err != nil {
			return fmt.Errorf("seed organisations: %w", err)
		}
		if err := exec(`INSERT INTO nominations (cycle_key, cycle_version, programme_key, ministry, organisation_id, state, stage, tier, award,
				answers, snapshot, return_reason, submitted_at, version, created_at, updated_at)
			SELECT ?, 1, ?, ?, o.id, ?, ?, ?, '', '{"initiative_title":"ベンチ"}', ? || o.name || ?, '', ?, 5, ?, ?
			FROM organisations AS o WHERE o.name LIKE ? ORDER BY o.id`,
			s.Ref.Cycle, s.Ref.Programme, s.Ministry, string(workflow.InReview), s.Ref.Stage, s.Tier, before, after, at, at, at, prefix+"%"); err != nil {
			return fmt.Errorf("seed nominations: %w", err)
		}
		if len(s.Judges) > 0 && s.K > 0 {
			rows := make([]string, len(s.Judges))
			for i, id := range s.Judges {
				rows[i] = fmt.Sprintf("(%d, %d)", i, id)
			}
			judges := "(VALUES " + strings.Join(rows, ", ") + ") AS j"
			for r := range s.K {
				if err := exec(`INSERT INTO assignments (cycle_key, programme_key, stage_key, nomination_id, user_id, source, created_by, created_at, recusal_reason)
					SELECT ?, ?, ?, n.id, j.column2, 'proposal', 'bench', ?, ''
					FROM nominations AS n JOIN organisations AS o ON o.id = n.organisation_id JOIN `+judges+`
						ON (o.total_headcount * ? + ?) % ? = j.column1
					WHERE o.name LIKE ?`,
					s.Ref.Cycle, s.Ref.Programme, s.Ref.Stage, at, s.K, r, len(s.Judges), prefix+"%"); err != nil {
					return fmt.Errorf("seed assignments: %w", err)
				}
			}
		}
		for _, judge := range s.ScoredBy {
			if err := exec(`INSERT INTO scores (cycle_key, programme_key, stage_key, nomination_id, user_id, vals, comment, status, version, submitted_at, updated_at)
				SELECT a.cycle_key, a.programme_key, a.stage_key, a.nomination_id, a.user_id,
					'{"adoption":"4","management":"3","outcomes":"4.5","security":"3"}', '', ?, 1, ?, ?
				FROM assignments AS a WHERE a.cycle_key = ? AND a.programme_key = ? AND a.stage_key = ? AND a.user_id = ?`,
				workflow.ScoreSubmitted, at, at, s.Ref.Cycle, s.Ref.Programme, s.Ref.Stage, judge); err != nil {
				return fmt.Errorf("seed scores: %w", err)
			}
		}
		if d.Dialect == db.SQLite {
			return exec(`ANALYZE`)
		}
		return nil
	})
	if err != nil || d.Dialect != db.Postgres {
		return err
	}
	// Outside the transaction: vacuumed and analysed now, so that neither
	// autovacuum nor hint-bit writes on the fresh rows land in the timings.
	_, err = d.Bun.ExecContext(ctx, `VACUUM ANALYZE organisations, nominations, assignments, scores`)
	return err
}
