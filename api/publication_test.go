package api

import (
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/awardflow/awardflow/api/workbook"
	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
)

// decided takes n fresh entries through scoring and a Top 100 decision,
// then releases MIC's results.
func (f *fixture) decided(t *testing.T, n int) []workflow.Nomination {
	t.Helper()
	var out []workflow.Nomination
	judge := workflow.Actor{ID: "user", UserID: f.users["micJudge"].ID, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
	for i := range n {
		e := f.assignedEntry()
		if _, err := f.svc.SaveScore(f.ctx, judge, top100, e.ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 1 + i%5,
			"management": 3, "security": 3, "outcomes": 3}, Submit: true}); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	spec := workflow.DecisionSpec{TopN: 2}
	pv, err := f.svc.PreviewDecision(f.ctx, admin, top100, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApplyDecision(f.ctx, admin, top100, spec, pv.Fingerprint); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Release(f.ctx, admin, top100.Cycle, top100.Programme,
		workflow.ReleaseRequest{ConfirmUndecided: true, Reason: "下書きは対象外"}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEmbargoAndPublicFields: nothing is public before its embargo, only
// fields marked public ever appear, corrections are new versions and the
// earlier ones stay retrievable.
func TestEmbargoAndPublicFields(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		sec := f.tokens["micSec"]
		pubPath := "/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/publications"
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-20T10:00"}); res.status != 409 {
			t.Fatalf("publishing before release = %d %s", res.status, res.raw)
		}
		entries := f.decided(t, 4)
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-20T10:00"}); res.status != 201 {
			t.Fatalf("publish: %s", res.raw)
		}
		public := "/api/v1/public/cycles/fy2026-telework/awards"
		for _, path := range []string{public, public + ".csv", public + ".xlsx", "/api/v1/public/cycles/fy2026-telework/programmes/mic-pioneer/publications/1"} {
			res := f.do("GET", path, "", nil)
			for _, e := range entries {
				if strings.Contains(res.raw, e.Snapshot.Name) {
					t.Fatalf("%s shows %s before the embargo", path, e.Snapshot.Name)
				}
			}
		}
		if res := f.do("GET", "/api/v1/public/cycles/fy2026-telework/programmes/mic-pioneer/publications/1", "", nil); res.status != 404 {
			t.Fatalf("an embargoed version = %d", res.status)
		}
		if res := f.do("GET", pubPath, sec, nil); res.status != 200 || len(res.body["items"].([]any)) != 1 {
			t.Fatalf("staff see the embargoed publication: %s", res.raw)
		}

		f.clock.Set(time.Date(2026, 11, 20, 10, 0, 0, 0, workflow.Tokyo)) // the embargo lifts
		sec = f.login("micSec")
		res := f.do("GET", public, "", nil)
		pubs := res.body["publications"].([]any)
		rows := pubs[0].(map[string]any)["rows"].([]any)
		if len(rows) < 4 {
			t.Fatalf("public list after the embargo: %s", res.raw)
		}
		first := rows[0].(map[string]any)
		if first["award"] != "top100" {
			t.Fatalf("the list does not start with the highest tier: %v", first)
		}
		publicKeys := map[string]bool{"initiative_title": true, "initiative_summary": true}
		for _, r := range rows {
			for k := range r.(map[string]any)["public"].(map[string]any) {
				if !publicKeys[k] {
					t.Fatalf("a non-public field %q is published", k)
				}
			}
		}
		for _, secret := range []string{"c@example.jp", "contact_email", "担当", "VDI", "PCログ"} {
			if strings.Contains(res.raw, secret) {
				t.Fatalf("an unpublished answer %q is public", secret)
			}
		}
		if cut := f.do("GET", public+"?prefecture=01", "", nil); strings.Contains(cut.raw, "株式会社") {
			t.Fatalf("the Hokkaido cut shows Tokyo organisations: %s", cut.raw)
		}

		// A correction is a new version; version 1 stays.
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-21T10:00"}); res.status != 422 {
			t.Fatalf("a correction without a reason = %d", res.status)
		}
		if res := f.do("POST", pubPath, sec, map[string]any{"embargo_at": "2026-11-20T12:00", "reason": "所在地の誤記を訂正"}); res.status != 201 || res.body["version"] != float64(2) {
			t.Fatalf("correction: %s", res.raw)
		}
		f.clock.Set(time.Date(2026, 11, 20, 12, 0, 0, 0, workflow.Tokyo))
		if v1 := f.do("GET", "/api/v1/public/cycles/fy2026-telework/programmes/mic-pioneer/publications/1", "", nil); v1.status != 200 || v1.body["version"] != float64(1) {
			t.Fatalf("version 1 after the correction: %s", v1.raw)
		}
		latest := f.do("GET", public, "", nil)
		if latest.body["publications"].([]any)[0].(map[string]any)["reason"] != "所在地の誤記を訂正" {
			t.Fatalf("the public list is not the corrected version: %s", latest.raw)
		}

		// CSV: a BOM, and a name a spreadsheet would run is escaped.
		csvRes := f.do("GET", public+".csv", "", nil)
		if !strings.HasPrefix(csvRes.raw, "\ufeff") {
			t.Fatal("CSV without a byte-order mark")
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvRes.raw, "\ufeff"))).ReadAll()
		if err != nil || len(recs) < 5 || recs[0][3] != "名称" {
			t.Fatalf("CSV: %v %v", err, recs)
		}
		xl := f.do("GET", public+".xlsx", "", nil)
		x, err := excelize.OpenReader(strings.NewReader(xl.raw))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if rows, _ := x.GetRows(workbook.AnnexSheet); len(rows) < 7 || rows[2][3] != "名称" {
			t.Fatalf("XLSX annex rows: %v", rows)
		}
	})
}

func TestCSVCellEscaping(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+81": "'+81", "-5": "'-5", "@SUM": "'@SUM", "\tx": "'\tx", "\rx": "'\rx",
		"株式会社=": "株式会社=", "": ""} {
		if got := workbook.CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestResultsWorkbookMatchesRanking: the results workbook's figures are the
// API ranking's, exactly.
func TestResultsWorkbookMatchesRanking(t *testing.T) {
	f := newFixture(t, dbtestSQLite(t))
	judge := workflow.Actor{ID: "user", UserID: f.users["micJudge"].ID, Grants: []workflow.Grant{{Role: workflow.RoleJudge, Domain: "mic"}}}
	for i := range 6 {
		e := f.assignedEntry()
		if _, err := f.svc.SaveScore(f.ctx, judge, top100, e.ID, 0, workflow.ScoreInput{Values: map[string]any{"adoption": 1 + i%5,
			"management": 2 + i%3, "security": 4, "outcomes": 2.5}, Submit: true}); err != nil {
			t.Fatal(err)
		}
	}
	res := f.do("GET", stagePath+"/results.xlsx", f.tokens["micSec"], nil)
	if res.status != 200 {
		t.Fatalf("results = %d %s", res.status, res.raw)
	}
	x, err := excelize.OpenReader(strings.NewReader(res.raw))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); fmt.Sprint(got) != "[Summary Ranking Matrix Judges Chart]" {
		t.Fatalf("sheets = %v", got)
	}
	ranked, err := f.svc.Ranking(f.ctx, admin, top100, true, aggregate.ByMean)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows(workbook.RankingSheet, excelize.Options{RawCellValue: true})
	nCrit := 4
	for i, e := range ranked {
		row := rows[i+1]
		if row[2] != workflow.EntryCode(e.Entry.Entry) {
			t.Fatalf("row %d is %s, want %s", i+2, row[2], workflow.EntryCode(e.Entry.Entry))
		}
		if e.Count == 0 {
			continue
		}
		mean := row[6+nCrit]
		if mean != fmt.Sprint(e.Mean) && mean != fmtFloat(e.Mean) {
			t.Fatalf("row %d mean %s, API %v", i+2, mean, e.Mean)
		}
	}
	charts := zipParts(t, []byte(res.raw), "xl/charts/")
	if charts == 0 {
		t.Fatal("no chart in the results workbook")
	}
	dim := zipPartString(t, []byte(res.raw), "xl/worksheets/sheet2.xml")
	if i := strings.Index(dim, "<dimension"); i < 0 || !strings.HasPrefix(dim[i:], `<dimension ref="A1:`) {
		t.Fatalf("the streamed ranking sheet has no real used range: %.120s", dim[max(0, i):])
	}
}

func fmtFloat(v float64) string { return fmt.Sprintf("%v", v) }
