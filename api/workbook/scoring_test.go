package workbook

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/awardflow/awardflow/workflow"
)

var update = flag.Bool("update", false, "rewrite golden files and the fuzz seed corpus")

func sampleSheet(lang string) workflow.ScoringSheet {
	judging := workflow.Judging{JudgesPerEntry: 3, ScoreVisibility: workflow.VisibleAfterSubmit,
		Window: workflow.Window{Opens: time.Date(2026, 8, 20, 10, 0, 0, 0, workflow.Tokyo), Closes: time.Date(2026, 9, 12, 0, 0, 0, 0, workflow.Tokyo)},
		Rubric: []workflow.Criterion{
			{Key: "adoption", Label: workflow.Text{Ja: "導入・活用状況", En: "Adoption"}, Guidance: workflow.Text{Ja: "対象者の範囲", En: "How widely"}, Weight: 3, Min: 1, Max: 5, Step: 1, Required: true},
			{Key: "outcomes", Label: workflow.Text{Ja: "成果", En: "Outcomes"}, Weight: 2, Min: 1, Max: 5, Step: 0.5, Required: true},
		}}
	prov := workflow.SheetProvenance{Format: 1, Cycle: "fy2026", Programme: "mic", Stage: "top100", JudgeID: 7, RubricHash: "abc",
		Criteria: []string{"adoption", "outcomes"}, Entries: []workflow.SheetEntryKey{{Key: "12", NominationID: 12}, {Key: "34", NominationID: 34}},
		IssuedAt: time.Date(2026, 8, 21, 1, 2, 3, 0, time.UTC)}
	pj, _ := json.Marshal(prov)
	return workflow.ScoringSheet{Provenance: prov, ProvenanceJSON: pj, Signature: "sig", Lang: lang,
		CycleTitle: workflow.Text{Ja: "令和8年度", En: "FY2026"}, ProgrammeTitle: workflow.Text{Ja: "先駆者", En: "Pioneers"},
		StageTitle: workflow.Text{Ja: "百選審査", En: "Top 100"}, JudgeName: "審査 太郎", Judging: judging,
		Entries: []workflow.SheetEntry{
			{Key: "12", Code: "E00012", OrganisationName: "=HYPERLINK(\"x\")株式会社"},
			{Key: "34", Code: "E00034", OrganisationName: "株式会社さくら", Score: &workflow.Score{Values: map[string]string{"adoption": "4"}, Comment: "途中", Version: 1}},
		}}
}

// structure describes a workbook for the golden test: what a reviewer and
// a spreadsheet user rely on.
type structure struct {
	Sheets      []string            `json:"sheets"`
	Visibility  map[string]bool     `json:"visible"`
	Header      []string            `json:"header"`
	Rows        [][]string          `json:"rows"`
	Validations []string            `json:"validations"`
	Protected   bool                `json:"protected"`
	Panes       string              `json:"panes"`
	Formulas    map[string]string   `json:"formulas"`
	Instruction map[string][]string `json:"instructions"`
}

func describe(t *testing.T, data []byte) structure {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st := structure{Visibility: map[string]bool{}, Formulas: map[string]string{}, Instruction: map[string][]string{}}
	for _, name := range f.GetSheetList() {
		st.Sheets = append(st.Sheets, name)
		v, _ := f.GetSheetVisible(name)
		st.Visibility[name] = v
	}
	rows, _ := f.GetRows(workflow.ScoresSheetName)
	st.Header, st.Rows = rows[0], rows[1:]
	dvs, _ := f.GetDataValidations(workflow.ScoresSheetName)
	for _, dv := range dvs {
		st.Validations = append(st.Validations, dv.Sqref+" "+dv.Type+" "+dv.Operator+" "+dv.Formula1+" "+dv.Formula2)
	}
	panes, _ := f.GetPanes(workflow.ScoresSheetName)
	st.Panes = panes.TopLeftCell
	for _, cell := range []string{"G2", "G3"} {
		st.Formulas[cell], _ = f.GetCellFormula(workflow.ScoresSheetName, cell)
	}
	inst, _ := f.GetRows(f.GetSheetList()[0])
	for i, r := range inst {
		if len(r) > 0 && i < 5 {
			st.Instruction[r[0]] = r[1:]
		}
	}
	st.Protected = bytes.Contains(zipPart(t, data, "xl/worksheets/sheet2.xml"), []byte("<sheetProtection"))
	return st
}

func TestScoringSheetGolden(t *testing.T) {
	for _, lang := range []string{"ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteScoringSheet(&buf, sampleSheet(lang)); err != nil {
				t.Fatal(err)
			}
			got, _ := json.MarshalIndent(describe(t, buf.Bytes()), "", "  ")
			path := filepath.Join("testdata", "scoring_sheet_"+lang+".golden.json")
			if *update {
				os.MkdirAll("testdata", 0o755)
				os.WriteFile(path, got, 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("structure differs from %s (go test ./api/workbook -update):\n%s", path, got)
			}
		})
	}
}

func TestProtection(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteScoringSheet(&buf, sampleSheet("ja")); err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	defer f.Close()
	if v, _ := f.GetSheetVisible("_provenance"); v {
		t.Fatal("the provenance sheet is visible")
	}
	xml := zipPart(t, buf.Bytes(), "xl/workbook.xml")
	if !bytes.Contains(xml, []byte(`state="veryHidden"`)) || !bytes.Contains(xml, []byte("workbookProtection")) {
		t.Fatalf("workbook.xml lacks veryHidden or structure protection:\n%s", xml)
	}
	var scoresPart []byte
	for _, name := range []string{"xl/worksheets/sheet2.xml"} {
		scoresPart = zipPart(t, buf.Bytes(), name)
	}
	for _, want := range []string{`<sheetProtection password=`, `deleteRows="true"`, `state="frozen"`, `xSplit="3"`, `ySplit="1"`, "dataValidations"} {
		if !bytes.Contains(scoresPart, []byte(want)) {
			t.Errorf("scores sheet lacks %s", want)
		}
	}
}

func TestReadBack(t *testing.T) {
	var buf bytes.Buffer
	sh := sampleSheet("en")
	if err := WriteScoringSheet(&buf, sh); err != nil {
		t.Fatal(err)
	}
	up, err := ReadScoringSheet(bytes.NewReader(buf.Bytes()))
	if err != nil || len(up.Problems) != 0 {
		t.Fatal(err, up.Problems)
	}
	if !bytes.Equal(up.ProvenanceJSON, sh.ProvenanceJSON) || up.Signature != "sig" || len(up.Rows) != 2 {
		t.Fatalf("read back: %+v", up)
	}
	r := up.Rows[1]
	if r.Key.Text != "34" || r.Key.Ref != "A3" || r.Values["adoption"].Text != "4" || r.Values["adoption"].Ref != "D3" ||
		r.Values["outcomes"].Text != "" || r.Comment.Text != "途中" || r.Comment.Ref != "F3" {
		t.Fatalf("row: %+v", r)
	}
}

func TestReadRejectsJunk(t *testing.T) {
	var good bytes.Buffer
	if err := WriteScoringSheet(&good, sampleSheet("ja")); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{
		"empty":     nil,
		"text":      []byte("not a spreadsheet"),
		"truncated": good.Bytes()[:good.Len()/2],
		"too large": make([]byte, MaxUpload+1),
		"zip bomb":  zipBomb(t),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadScoringSheet(bytes.NewReader(data)); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	// A valid workbook that is not a scoring sheet: read, with a problem.
	f := excelize.NewFile()
	var other bytes.Buffer
	f.WriteTo(&other)
	up, err := ReadScoringSheet(&other)
	if err != nil || len(up.Problems) != 1 || up.Problems[0].Code != "no_provenance" {
		t.Fatalf("plain workbook: %v %+v", err, up.Problems)
	}
}

func TestDeadline(t *testing.T) {
	for _, tc := range []struct {
		t          time.Time
		lang, want string
	}{
		{time.Date(2026, 9, 12, 0, 0, 0, 0, workflow.Tokyo), "ja", "令和8年9月11日(金)まで（2026-09-12T00:00:00+09:00）"},
		{time.Date(2026, 7, 15, 17, 0, 0, 0, workflow.Tokyo), "ja", "令和8年7月15日(水) 17:00まで（2026-07-15T17:00:00+09:00）"},
		{time.Date(2026, 9, 12, 0, 0, 0, 0, workflow.Tokyo), "en", "11 September 2026 (Fri), end of day JST (2026-09-12T00:00:00+09:00)"},
		{time.Date(2026, 7, 15, 17, 0, 0, 0, workflow.Tokyo), "en", "15 July 2026 (Wed) 17:00 JST (2026-07-15T17:00:00+09:00)"},
	} {
		if got := Deadline(tc.t, tc.lang); got != tc.want {
			t.Errorf("Deadline = %s, want %s", got, tc.want)
		}
	}
}
