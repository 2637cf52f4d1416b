package db_test

import (
	"testing"

	"github.com/awardflow/awardflow/workflow"
)

// seedList stores n organisations and one MIC nomination each, in two
// set-based statements (a recursive counter, which both databases run), so
// that 100,000 rows take seconds, not the minutes row-by-row inserts take.
// A quarter of the nominations each are submitted, screening, recognised and
// in review; a fifth fail their eligibility rules. Nothing generated is ever committed: it lives in the
// benchmark's temporary database only.
func seedList(b *testing.B, e *env, n int) {
	b.Helper()
	now := e.clock.Now().UTC()
	if _, err := e.db.Bun.NewRaw(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
INSERT INTO organisations (name, name_kana, legal_form, prefecture, municipality, industry, sme_sector,
	total_headcount, regular_headcount, version, created_at, updated_at)
SELECT 'ベンチ株式会社' || i, 'ベンチ', 'kabushiki_kaisha', CASE WHEN i % 47 < 9 THEN '0' ELSE '' END || (i % 47 + 1), '港区',
	CASE i % 3 WHEN 0 THEN 'E' WHEN 1 THEN 'G' ELSE 'I' END, 'services', 100, 90, 1, ?, ? FROM seq`, n, now, now).Exec(e.ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := e.db.Bun.NewRaw(`INSERT INTO nominations (cycle_key, cycle_version, programme_key, ministry, organisation_id, state,
	stage, tier, award, answers, return_reason, submitted_at, eligibility, version, created_at, updated_at, applicant_version, applicant_updated_at)
SELECT 'fy2026-telework', 1, 'mic-pioneer', 'mic', id,
	CASE id % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'screening' WHEN 2 THEN 'recognised' ELSE 'in_review' END,
	CASE id % 4 WHEN 3 THEN 'top100' ELSE '' END, CASE WHEN id % 4 >= 2 THEN 'pioneer' ELSE '' END, '',
	'{"initiative_title":"ベンチ"}', '', ?, CASE id % 5 WHEN 0 THEN 'fail' ELSE 'pass' END, 2, ?, ?, 2, ? FROM organisations`, now, now, now, now).Exec(e.ctx); err != nil {
		b.Fatal(err)
	}
	// Fresh statistics, as autovacuum (PostgreSQL) would gather after a
	// bulk load; SQLite's planner uses them too.
	if _, err := e.db.Bun.ExecContext(e.ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
}

// cursorAt walks pages of limit rows of f as actor and returns the cursor
// of page `page` (1-based).
func cursorAt(b *testing.B, e *env, actor workflow.Actor, f workflow.NominationFilter, limit, page int) string {
	b.Helper()
	cursor := ""
	for range page - 1 {
		f.Page = workflow.Page{Limit: limit, Cursor: cursor}
		_, info, err := e.svc.Nominations(e.ctx, actor, f)
		if err != nil || info.NextCursor == "" {
			b.Fatalf("walking to page %d: %v", page, err)
		}
		cursor = info.NextCursor
	}
	return cursor
}

// BenchmarkNominationList100k reads the nomination list of 100,000 rows a
// page of 50 at a time: page 1 and page 2,000 (the last) as an
// administrator (no filter), as MIC's secretariat (its ministry), and with
// a state filter (a quarter of the rows: its page 500 is its last), with
// the verdict filter (a fifth: page 400 is its last), alone and with a state;
// and,
// for comparison, page 2,000 read by OFFSET as the list did before.
func BenchmarkNominationList100k(b *testing.B) {
	const rows, limit = 100_000, 50
	eachDialect(b, func(b *testing.B, e *env) {
		seedList(b, e, rows)
		for _, bc := range []struct {
			name  string
			actor workflow.Actor
			f     workflow.NominationFilter
			page  int
		}{
			{"admin/page1", admin, workflow.NominationFilter{}, 1},
			{"admin/page2000", admin, workflow.NominationFilter{}, 2000},
			{"secretariat/page1", micStaff, workflow.NominationFilter{}, 1},
			{"secretariat/page2000", micStaff, workflow.NominationFilter{}, 2000},
			{"secretariat+state/page1", micStaff, workflow.NominationFilter{State: workflow.InReview}, 1},
			{"secretariat+state/page500", micStaff, workflow.NominationFilter{State: workflow.InReview}, 500},
			{"secretariat+state+prefecture/page1", micStaff, workflow.NominationFilter{State: workflow.InReview, Prefecture: "13"}, 1},
			{"secretariat+verdict/page1", micStaff, workflow.NominationFilter{Verdict: workflow.Fail}, 1},
			{"secretariat+verdict/page400", micStaff, workflow.NominationFilter{Verdict: workflow.Fail}, 400},
			{"secretariat+verdict+state/page1", micStaff, workflow.NominationFilter{Verdict: workflow.Fail, State: workflow.Screening}, 1},
			{"admin+verdict/page1", admin, workflow.NominationFilter{Verdict: workflow.Fail}, 1},
		} {
			f := bc.f
			f.Page = workflow.Page{Limit: limit, Cursor: cursorAt(b, e, bc.actor, bc.f, limit, bc.page)}
			b.Run(bc.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					items, _, err := e.svc.Nominations(e.ctx, bc.actor, f)
					if err != nil || len(items) == 0 {
						b.Fatal(len(items), err)
					}
				}
			})
		}
		b.Run("admin/page2000-by-offset", func(b *testing.B) { // the list's former query, for comparison
			for b.Loop() {
				var page []struct {
					ID       int64   `bun:"id"`
					Answers  string  `bun:"answers"`
					Snapshot *string `bun:"snapshot"`
					Name     string  `bun:"name"`
				}
				var total int
				if err := e.db.Bun.NewSelect().TableExpr("nominations AS n").Join("JOIN organisations AS o ON o.id = n.organisation_id").
					ColumnExpr("COUNT(*)").Scan(e.ctx, &total); err != nil {
					b.Fatal(err)
				}
				if err := e.db.Bun.NewSelect().TableExpr("nominations AS n").Join("JOIN organisations AS o ON o.id = n.organisation_id").
					ColumnExpr("n.id, n.answers, n.snapshot, o.name").OrderExpr("n.id DESC").Limit(limit).Offset(rows-limit).
					Scan(e.ctx, &page); err != nil || len(page) != limit {
					b.Fatal(err)
				}
			}
		})
	})
}
