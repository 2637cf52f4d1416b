package workbook

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
)

// openpyxlCheck opens each workbook with openpyxl, fully and in read-only
// mode (which trusts the sheet's recorded used range), and reports sheet
// names, the rows of a named sheet, and the number of charts.
const openpyxlCheck = `
import json, sys, openpyxl
out = {}
for path, sheet in zip(sys.argv[1::2], sys.argv[2::2]):
    full = openpyxl.load_workbook(path)
    ro = openpyxl.load_workbook(path, read_only=True)
    out[path] = {
        "sheets": full.sheetnames,
        "rows": full[sheet].max_row,
        "read_only_rows": sum(1 for _ in ro[sheet].iter_rows()),
        "charts": sum(len(ws._charts) for ws in full.worksheets),
    }
print(json.dumps(out))
`

// TestOpensInOpenpyxl: the generated workbooks open cleanly in a reader
// other than excelize (openpyxl, from Debian's python3-openpyxl).
func TestOpensInOpenpyxl(t *testing.T) {
	python := ""
	for _, p := range []string{"/usr/bin/python3", "python3"} { // Debian's python3-openpyxl lives in the system Python
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			python = p
			break
		}
	}
	if python == "" {
		t.Skip("python3 with openpyxl is not installed (apt-get install python3-openpyxl); .ci/run installs it")
	}
	dir := t.TempDir()
	write := func(name string, fn func(*bytes.Buffer) error) string {
		var buf bytes.Buffer
		if err := fn(&buf); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sheet := write("sheet.xlsx", func(b *bytes.Buffer) error { return WriteScoringSheet(b, sampleSheet("ja")) })
	results := write("results.xlsx", func(b *bytes.Buffer) error { return WriteResults(b, sampleResults(200, 5, 8), "ja") })
	annex := write("annex.xlsx", func(b *bytes.Buffer) error { return WriteAnnexXLSX(b, "令和8年度", samplePublications(), "ja") })
	out, err := exec.Command(python, "-c", openpyxlCheck, sheet, workflow.ScoresSheetName, results, RankingSheet, annex, AnnexSheet).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl failed: %v\n%s", err, out)
	}
	var got map[string]struct {
		Sheets       []string `json:"sheets"`
		Rows         int      `json:"rows"`
		ReadOnlyRows int      `json:"read_only_rows"`
		Charts       int      `json:"charts"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if g := got[sheet]; g.Rows != 3 || g.ReadOnlyRows != 3 || len(g.Sheets) != 3 {
		t.Errorf("scoring sheet in openpyxl: %+v", g)
	}
	if g := got[results]; g.Rows != 201 || g.ReadOnlyRows != 201 || g.Charts != 1 || len(g.Sheets) != 5 {
		t.Errorf("results workbook in openpyxl: %+v", g)
	}
	if g := got[annex]; g.Rows != 5 || g.ReadOnlyRows < 5 {
		t.Errorf("annex in openpyxl: %+v", g)
	}
}

// sampleResults is a synthetic stage: entries × judges per entry × criteria.
func sampleResults(entries, perEntry, criteria int) workflow.StageResults {
	j := workflow.Judging{JudgesPerEntry: perEntry,
		Window: workflow.Window{Opens: time.Date(2026, 8, 20, 10, 0, 0, 0, workflow.Tokyo), Closes: time.Date(2026, 9, 12, 0, 0, 0, 0, workflow.Tokyo)}}
	for c := range criteria {
		j.Rubric = append(j.Rubric, workflow.Criterion{Key: "c" + string(rune('a'+c)), Label: workflow.Text{Ja: "基準", En: "Criterion"}, Weight: float64(1 + c%3), Min: 1, Max: 10, Step: 1})
	}
	judges := 50
	var panel []workflow.PanelMember
	for k := range judges {
		panel = append(panel, workflow.PanelMember{UserID: int64(k + 1), Name: "審査員" + string(rune('A'+k%26)), Role: workflow.RoleJudge})
	}
	var scores []aggregate.Score
	for e := range entries {
		for r := range perEntry {
			v := map[string]float64{}
			for c, cr := range j.Rubric {
				v[cr.Key] = float64(1 + (e*7+r*3+c)%10)
			}
			scores = append(scores, aggregate.Score{Entry: int64(e + 1), Judge: int64((e*perEntry+r)%judges + 1), Values: v})
		}
	}
	rub := rubricOf(j)
	agg := aggregate.Aggregate(aggregate.Input{Rubric: rub, Scores: scores, Normalise: true, RankBy: aggregate.ByMean})
	res := workflow.StageResults{CycleTitle: workflow.Text{Ja: "令和8年度"}, ProgrammeTitle: workflow.Text{Ja: "先駆者"}, StageTitle: workflow.Text{Ja: "百選"},
		Judging: j, Panel: panel, Assigned: entries * perEntry, Submitted: entries * perEntry, GeneratedAt: time.Date(2026, 9, 12, 9, 0, 0, 0, workflow.Tokyo)}
	for _, a := range agg {
		org := &workflow.Organisation{Name: "株式会社サンプル", Prefecture: "13", Industry: "G"}
		res.Ranked = append(res.Ranked, workflow.RankedEntry{Entry: a, OrganisationName: org.Name,
			Nomination: workflow.Nomination{ID: a.Entry, State: workflow.InReview, Snapshot: org}})
	}
	for _, m := range panel {
		res.Judges = append(res.Judges, workflow.JudgeStat{UserID: m.UserID, Name: m.Name, Count: entries * perEntry / judges, Mean: 50, StdDev: 5})
	}
	return res
}

func samplePublications() []workflow.Publication {
	rows := []workflow.AwardRow{
		{Programme: "mic", ProgrammeTitle: workflow.Text{Ja: "先駆者"}, Award: "top100", AwardTitle: workflow.Text{Ja: "百選"}, OrganisationName: "=cmd|' /C calc'!A0",
			Prefecture: "13", PrefectureName: workflow.Text{Ja: "東京都"}, Municipality: "千代田区", Industry: "G", IndustryName: workflow.Text{Ja: "情報通信業"},
			Headcount: 120, Public: map[string]string{"initiative_summary": "全社テレワーク"}, FiscalYear: 2026},
		{Programme: "mic", ProgrammeTitle: workflow.Text{Ja: "先駆者"}, Award: "pioneer", AwardTitle: workflow.Text{Ja: "先駆者"}, OrganisationName: "株式会社さくら",
			Prefecture: "27", PrefectureName: workflow.Text{Ja: "大阪府"}, Municipality: "大阪市", Industry: "E", IndustryName: workflow.Text{Ja: "製造業"},
			Headcount: 30, Public: map[string]string{}, FiscalYear: 2026},
	}
	return []workflow.Publication{{Cycle: "fy2026", Programme: "mic", Version: 1, Rows: rows,
		Fields: []workflow.PublicField{{Key: "initiative_summary", Label: workflow.Text{Ja: "取組の概要"}}}}}
}
