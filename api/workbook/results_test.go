package workbook

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// workbookShape is what the results and annex goldens pin: sheets, every
// sheet's header row and size, charts, and highlighted cells.
type workbookShape struct {
	Sheets      []string            `json:"sheets"`
	Headers     map[string][]string `json:"headers"`
	Sizes       map[string][2]int   `json:"sizes"` // rows, widest row
	Charts      int                 `json:"charts"`
	Highlighted int                 `json:"highlighted_cells"`
	Summary     [][]string          `json:"summary,omitempty"`
}

func shape(t *testing.T, data []byte, headerRow map[string]int) workbookShape {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sh := workbookShape{Headers: map[string][]string{}, Sizes: map[string][2]int{}}
	for _, name := range f.GetSheetList() {
		sh.Sheets = append(sh.Sheets, name)
		rows, _ := f.GetRows(name)
		wide := 0
		for _, r := range rows {
			wide = max(wide, len(r))
		}
		sh.Sizes[name] = [2]int{len(rows), wide}
		if h := headerRow[name]; h > 0 && len(rows) >= h {
			sh.Headers[name] = rows[h-1]
		}
		if name == SummarySheet {
			sh.Summary = rows[:3]
		}
	}
	for _, part := range zipNames(t, data) {
		if strings.HasPrefix(part, "xl/charts/chart") {
			sh.Charts++
		}
	}
	sh.Highlighted = highlighted(t, f)
	return sh
}

func zipNames(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	for _, name := range []string{"xl/charts/chart1.xml", "xl/charts/chart2.xml"} {
		if bytes.Contains(data, []byte(name)) {
			out = append(out, name)
		}
	}
	return out
}

func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, _ := json.MarshalIndent(v, "", "  ")
	path := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s differs (go test ./api/workbook -update):\n%s", path, got)
	}
}

func TestResultsWorkbookGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteResults(&buf, sampleResults(12, 3, 4), "ja"); err != nil {
		t.Fatal(err)
	}
	golden(t, "results.golden.json", shape(t, buf.Bytes(), map[string]int{RankingSheet: 1, MatrixSheet: 1, JudgesSheet: 1, ChartSheet: 1}))
}

func TestAnnexGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteAnnexXLSX(&buf, "令和8年度", samplePublications(), "ja"); err != nil {
		t.Fatal(err)
	}
	sh := shape(t, buf.Bytes(), map[string]int{AnnexSheet: 3})
	f, _ := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	defer f.Close()
	if v, _ := f.GetCellValue(AnnexSheet, "D4"); v != "=cmd|' /C calc'!A0" {
		t.Fatalf("a name starting with = is not kept as text: %q", v)
	}
	if formula, _ := f.GetCellFormula(AnnexSheet, "D4"); formula != "" {
		t.Fatalf("a name became a formula: %q", formula)
	}
	golden(t, "annex.golden.json", sh)
}

// highlighted counts the ranking's standard-deviation cells drawn with the
// disagreement fill.
func highlighted(t *testing.T, f *excelize.File) int {
	t.Helper()
	rows, err := f.GetRows(RankingSheet)
	if err != nil || len(rows) == 0 {
		return 0
	}
	col := -1
	for i, h := range rows[0] {
		if h == "標準偏差" || h == "Std dev" {
			col = i + 1
		}
	}
	n := 0
	for r := 2; r <= len(rows); r++ {
		c, _ := excelize.CoordinatesToCellName(col, r)
		id, _ := f.GetCellStyle(RankingSheet, c)
		st, err := f.GetStyle(id)
		if err == nil && len(st.Fill.Color) > 0 && strings.EqualFold(st.Fill.Color[0], "FFC7CE") {
			n++
		}
	}
	return n
}

// TestResultsSummaryDates: the Summary sheet gives the judging window with
// the last day still in time (a window closing 2026-09-11 is stored as
// 9月12日 00:00) and times only where they are not the end of a day.
func TestResultsSummaryDates(t *testing.T) {
	for lang, want := range map[string][2]string{
		"ja": {"令和8年8月20日(木) 10:00 – 令和8年9月11日(金)まで（2026-09-12T00:00:00+09:00）", "令和8年9月12日(土) 09:00"},
		"en": {"20 August 2026 (Thu) 10:00 JST – 11 September 2026 (Fri), end of day JST (2026-09-12T00:00:00+09:00)", "12 September 2026 (Sat) 09:00 JST"},
	} {
		var buf bytes.Buffer
		if err := WriteResults(&buf, sampleResults(2, 1, 1), lang); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		window, _ := f.GetCellValue(SummarySheet, "B4")
		generated, _ := f.GetCellValue(SummarySheet, "B5")
		f.Close()
		if window != want[0] || generated != want[1] {
			t.Errorf("%s: window %q, generated %q; want %q, %q", lang, window, generated, want[0], want[1])
		}
	}
}
