package api

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/awardflow/awardflow/workflow"
)

// download fetches a judge's scoring sheet.
func (f *fixture) download(token string, judge int64) []byte {
	f.t.Helper()
	res := f.do("GET", fmt.Sprintf("%s/sheets/%d", stagePath, judge), token, nil)
	if res.status != 200 || res.header.Get("Content-Type") != xlsxType {
		f.t.Fatalf("download = %d %s", res.status, res.raw)
	}
	return []byte(res.raw)
}

// upload sends a filled sheet as the raw body.
func (f *fixture) upload(token string, judge int64, data []byte, submit bool) response {
	f.t.Helper()
	req := httptest.NewRequest("POST", fmt.Sprintf("%s/sheets/%d?submit=%v", stagePath, judge, submit), bytes.NewReader(data))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", xlsxType)
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	res := response{status: w.Code, header: w.Header(), raw: w.Body.String()}
	_ = jsonUnmarshal(w.Body.Bytes(), &res.body)
	return res
}

// edit opens a sheet, lets fn change it as a judge would, and saves it.
func edit(t *testing.T, data []byte, fn func(f *excelize.File)) []byte {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	fn(x)
	var buf bytes.Buffer
	if _, err := x.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// fill enters a full score on every row: adoption "４" (full-width), management 3,
// security 5, outcomes 4.5, and a comment.
func fill(t *testing.T, data []byte) []byte {
	return edit(t, data, func(x *excelize.File) {
		rows, _ := x.GetRows(workflow.ScoresSheetName)
		for r := 2; r <= len(rows); r++ {
			x.SetCellStr(workflow.ScoresSheetName, fmt.Sprintf("D%d", r), "４")
			x.SetCellValue(workflow.ScoresSheetName, fmt.Sprintf("E%d", r), 3)
			x.SetCellValue(workflow.ScoresSheetName, fmt.Sprintf("F%d", r), 5)
			x.SetCellValue(workflow.ScoresSheetName, fmt.Sprintf("G%d", r), 4.5)
			x.SetCellStr(workflow.ScoresSheetName, fmt.Sprintf("H%d", r), "オフラインで採点")
		}
	})
}

func problemCodes(r response) []string {
	e, _ := r.body["error"].(map[string]any)
	fields, _ := e["fields"].([]any)
	var out []string
	for _, x := range fields {
		m := x.(map[string]any)
		out = append(out, fmt.Sprint(m["code"], "@", m["path"]))
	}
	return out
}

func TestScoringSheetRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge, me := f.tokens["micJudge"], f.users["micJudge"].ID
		second := f.assignedEntry() // two entries assigned now
		sheet := f.download(judge, me)
		filled := fill(t, sheet)
		res := f.upload(judge, me, filled, true)
		if res.status != 200 || res.body["changed"] != float64(2) {
			t.Fatalf("import: %s", res.raw)
		}
		for _, id := range []int64{f.assigned, second.ID} {
			scores := f.do("GET", fmt.Sprintf("%s/entries/%d/scores", stagePath, id), judge, nil)
			sc := scores.body["items"].([]any)[0].(map[string]any)
			v := sc["values"].(map[string]any)
			if v["adoption"] != "4" || v["management"] != "3" || v["security"] != "5" || v["outcomes"] != "4.5" ||
				sc["status"] != "submitted" || sc["comment"] != "オフラインで採点" {
				t.Fatalf("entry %d after import: %v", id, sc)
			}
		}
		again := f.upload(judge, me, filled, true)
		if again.status != 200 || again.body["changed"] != float64(0) || again.body["unchanged"] != float64(2) {
			t.Fatalf("importing the same file again: %s", again.raw)
		}
		// The secretariat imports on the judge's behalf with the same result.
		if res := f.upload(f.tokens["micSec"], me, filled, true); res.status != 200 || res.body["changed"] != float64(0) {
			t.Fatalf("secretariat import: %s", res.raw)
		}
	})
}

func TestScoringSheetRejections(t *testing.T) {
	eachDB(t, func(t *testing.T, f *fixture) {
		judge, me := f.tokens["micJudge"], f.users["micJudge"].ID
		f.assignedEntry()
		base := f.download(judge, me)
		other := f.freshUser(workflow.RoleJudge, "mic")
		if _, err := f.svc.SetPanelMember(f.ctx, admin, top100, workflow.PanelMember{UserID: other.ID, Role: workflow.RoleJudge}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(f.ctx, admin, top100, f.assigned, other.ID); err != nil {
			t.Fatal(err)
		}
		othersSheet := f.download(f.tokens["micSec"], other.ID)

		cases := []struct {
			name string
			data []byte
			want string
		}{
			{"another judge's sheet", fill(t, othersSheet), "wrong_judge@_provenance!A1"},
			{"edited key", edit(t, fill(t, base), func(x *excelize.File) { x.SetCellStr("Scores", "A2", "999999") }), "unknown_key@Scores!A2"},
			{"a formula", edit(t, fill(t, base), func(x *excelize.File) { x.SetCellFormula("Scores", "D2", "2+2") }), "formula@Scores!D2"},
			{"out of range", edit(t, fill(t, base), func(x *excelize.File) { x.SetCellValue("Scores", "E2", 7) }), "out_of_range@Scores!E2"},
			{"off step", edit(t, fill(t, base), func(x *excelize.File) { x.SetCellValue("Scores", "G3", 4.25) }), "off_step@Scores!G3"},
			{"deleted row", edit(t, fill(t, base), func(x *excelize.File) { x.RemoveRow("Scores", 3) }), "missing_row@Scores!A1"},
			{"duplicated row", edit(t, fill(t, base), func(x *excelize.File) { x.DuplicateRow("Scores", 2) }), "duplicate_row@Scores!A3"},
			{"tampered provenance", edit(t, fill(t, base), func(x *excelize.File) {
				v, _ := x.GetCellValue("_provenance", "A1")
				x.SetCellStr("_provenance", "A1", strings.Replace(v, `"judge_id":`, `"judge_id":1`, 1))
			}), "bad_signature@_provenance!A1"},
			{"no provenance", edit(t, fill(t, base), func(x *excelize.File) { x.DeleteSheet("_provenance") }), "no_provenance@_provenance!A1"},
			{"not a workbook", []byte("PK\x03\x04 broken"), "not_xlsx@<nil>"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				res := f.upload(judge, me, tc.data, true)
				if res.status != 422 || !contains(problemCodes(res), tc.want) {
					t.Fatalf("= %d %v, want 422 with %s", res.status, problemCodes(res), tc.want)
				}
			})
		}
		if scores := f.do("GET", fmt.Sprintf("%s/entries/%d/scores", stagePath, f.assigned), judge, nil); len(scores.body["items"].([]any)) != 0 {
			t.Fatalf("a refused import wrote scores: %s", scores.raw)
		}

		// A score changed through the API after the sheet was issued is never overwritten.
		if res := f.do("PUT", fmt.Sprintf("%s/entries/%d/score", stagePath, f.assigned), judge, map[string]any{"values": map[string]any{"adoption": 2}}); res.status != 200 {
			t.Fatal(res.raw)
		}
		res := f.upload(judge, me, fill(t, base), false)
		if res.status != 422 || !contains(problemCodes(res), "changed_since_issued@Scores!A2") {
			t.Fatalf("stale sheet: %d %v", res.status, problemCodes(res))
		}

		// Another stage: the judge also sits on the Minister's Award panel.
		minister := workflow.StageRef{Cycle: top100.Cycle, Programme: top100.Programme, Stage: "minister"}
		if _, err := f.svc.SetPanelMember(f.ctx, admin, minister, workflow.PanelMember{UserID: me, Role: workflow.RoleJudge}); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/cycles/fy2026-telework/programmes/mic-pioneer/stages/minister/sheets/%d", me), bytes.NewReader(fill(t, base)))
		req.Header.Set("Authorization", "Bearer "+judge)
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, req)
		if w.Code != 422 || !strings.Contains(w.Body.String(), "wrong_stage") {
			t.Fatalf("another stage: %d %s", w.Code, w.Body)
		}

		// A changed rubric: a new cycle version with another scale for adoption.
		c, _ := f.svc.Cycle(f.ctx, top100.Cycle)
		cyc := c.Cycle
		p, _ := cyc.Programme(top100.Programme)
		st, _ := p.Stage(top100.Stage)
		st.Judging.Rubric[0].Max = 10
		if _, err := f.svc.LoadCycle(f.ctx, admin, cyc, false); err != nil {
			t.Fatal(err)
		}
		res = f.upload(judge, me, fill(t, base), true)
		if res.status != 422 || !contains(problemCodes(res), "rubric_changed@_provenance!A1") {
			t.Fatalf("changed rubric: %d %v", res.status, problemCodes(res))
		}
	})
}

func TestScoringSheetLimits(t *testing.T) {
	f := newFixture(t, dbtestSQLite(t))
	me := f.users["micJudge"].ID
	big := bytes.Repeat([]byte("x"), 6<<20)
	if res := f.upload(f.tokens["micJudge"], me, big, false); res.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized upload = %d", res.status)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
