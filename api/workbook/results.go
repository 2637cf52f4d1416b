package workbook

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/aggregate"
)

// HighDisagreement is the share of a total's range from which a standard
// deviation between judges is highlighted.
const HighDisagreement = 0.15

// Results sheet names.
const (
	SummarySheet = "Summary"
	RankingSheet = "Ranking"
	MatrixSheet  = "Matrix"
	JudgesSheet  = "Judges"
	ChartSheet   = "Chart"
)

type resultLabels struct {
	cycle, programme, stage, panel, window, generated, entries, judges, assigned, submitted, completeness                       string
	rank, tie, entry, organisation, prefecture, industry, weighted, normalised, median, sd, count, decision, name, mean, bin, n string
	chartTitle                                                                                                                  string
}

var resultsLabels = map[string]resultLabels{
	"ja": {"年度", "プログラム", "審査段階", "審査員", "審査期間", "作成日時", "応募数", "審査員数", "割当数", "提出数", "提出率",
		"順位", "同順位", "応募番号", "応募者", "都道府県", "産業", "加重平均", "標準化後", "中央値", "標準偏差", "評価数", "状態", "氏名", "平均", "得点帯", "件数",
		"加重平均の分布"},
	"en": {"Cycle", "Programme", "Stage", "Panel", "Judging window", "Generated", "Entries", "Judges", "Assignments", "Submitted", "Completeness",
		"Rank", "Tie", "Entry", "Organisation", "Prefecture", "Industry", "Weighted mean", "Normalised", "Median", "Std dev", "Scores", "State", "Name", "Mean", "Band", "Entries",
		"Distribution of weighted means"},
}

func cell(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }

// WriteResults writes a stage's results workbook: a summary, the ranking
// (streamed), the judge × entry matrix (streamed), judge statistics and a
// chart of the score distribution. Figures are the aggregation's, unrounded.
func WriteResults(w io.Writer, r workflow.StageResults, lang string) error {
	if lang != "en" {
		lang = "ja"
	}
	l := resultsLabels[lang]
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	header, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}})
	num, _ := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("0.000")})
	hot, _ := f.NewStyle(&excelize.Style{CustomNumFmt: strPtr("0.000"), Font: &excelize.Font{Bold: true, Color: "9C0006"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}})

	// Summary.
	completeness := 0.0
	if r.Assigned > 0 {
		completeness = float64(r.Submitted) / float64(r.Assigned)
	}
	closes := Deadline(r.Judging.Window.Closes, lang)
	opens, generated := workflow.WarekiTime(r.Judging.Window.Opens), workflow.WarekiTime(r.GeneratedAt)
	if lang == "en" {
		opens = r.Judging.Window.Opens.In(workflow.Tokyo).Format("2 January 2006 (Mon) 15:04 JST")
		generated = r.GeneratedAt.In(workflow.Tokyo).Format("2 January 2006 (Mon) 15:04 JST")
	}
	summary := [][]any{
		{l.cycle, r.CycleTitle.In(lang)}, {l.programme, r.ProgrammeTitle.In(lang)}, {l.stage, r.StageTitle.In(lang)},
		{l.window, opens + " – " + closes},
		{l.generated, generated},
		{l.entries, len(r.Ranked)}, {l.judges, len(r.Panel)}, {l.assigned, r.Assigned}, {l.submitted, r.Submitted},
		{l.completeness, completeness},
	}
	for i, row := range summary {
		if err := f.SetSheetRow(SummarySheet, cell(1, i+1), &row); err != nil {
			return err
		}
	}
	pct, _ := f.NewStyle(&excelize.Style{NumFmt: 10})
	_ = f.SetCellStyle(SummarySheet, cell(2, len(summary)), cell(2, len(summary)), pct)
	_ = f.SetCellStyle(SummarySheet, "A1", cell(1, len(summary)), bold)
	_ = f.SetColWidth(SummarySheet, "A", "A", 18)
	_ = f.SetColWidth(SummarySheet, "B", "B", 60)
	panelRow := len(summary) + 2
	_ = f.SetCellStr(SummarySheet, cell(1, panelRow), l.panel)
	_ = f.SetCellStyle(SummarySheet, cell(1, panelRow), cell(1, panelRow), bold)
	for i, m := range r.Panel {
		_ = f.SetCellStr(SummarySheet, cell(2, panelRow+i), m.Name+" ("+string(m.Role)+")")
	}

	// Every sheet exists, and the ranking is the active one, before any
	// streaming: SetActiveSheet re-reads every worksheet, which would parse
	// the streamed sheets back into memory and undo streaming.
	for _, sheet := range []string{RankingSheet, MatrixSheet, JudgesSheet, ChartSheet} {
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
	}
	idx, _ := f.GetSheetIndex(RankingSheet)
	f.SetActiveSheet(idx)

	// Ranking, streamed.
	lo, hi := aggregate.Range(rubricOf(r.Judging))
	threshold := HighDisagreement * (hi - lo)
	// The stream writer writes the sheet's header, used range included, when
	// it is created: set the real range first, or readers see only A1.
	lastCol := 6 + len(r.Judging.Rubric) + 6
	if err := f.SetSheetDimension(RankingSheet, "A1:"+cell(lastCol, max(1, len(r.Ranked)+1))); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(RankingSheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	_ = sw.SetColWidth(4, 4, 32)
	head := []any{l.rank, l.tie, l.entry, l.organisation, l.prefecture, l.industry}
	for _, c := range r.Judging.Rubric {
		head = append(head, c.Label.In(lang))
	}
	head = append(head, l.weighted, l.normalised, l.median, l.sd, l.count, l.decision)
	if err := sw.SetRow("A1", styled(head, header)); err != nil {
		return err
	}
	for i, e := range r.Ranked {
		tie := ""
		if e.Tie {
			tie = "="
		}
		pref, ind := "", ""
		if o := e.Nomination.Snapshot; o != nil {
			if p, ok := workflow.PrefectureByCode(o.Prefecture); ok {
				pref = p.Name.In(lang)
			}
			ind = o.Industry
		}
		rank := any(e.Rank)
		if e.Rank == 0 {
			rank = ""
		}
		row := []any{rank, tie, workflow.EntryCode(e.Entry.Entry), e.OrganisationName, pref, ind}
		for _, c := range r.Judging.Rubric {
			row = append(row, numCell(e.CriterionMeans[c.Key], e.Count > 0, num))
		}
		sdStyle := num
		if e.Count > 1 && e.StdDev >= threshold {
			sdStyle = hot
		}
		row = append(row, numCell(e.Mean, e.Count > 0, num), numCell(e.Normalised, e.Count > 0, num), numCell(e.Median, e.Count > 0, num),
			numCell(e.StdDev, e.Count > 1, sdStyle), e.Count, string(e.Nomination.State))
		if err := sw.SetRow(cell(1, i+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}

	// Judge × entry matrix, streamed.
	if err := f.SetSheetDimension(MatrixSheet, "A1:"+cell(2+len(r.Judges), max(1, len(r.Ranked)+1))); err != nil {
		return err
	}
	mw, err := f.NewStreamWriter(MatrixSheet)
	if err != nil {
		return err
	}
	_ = mw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1, TopLeftCell: "C2", ActivePane: "bottomRight"})
	judges := make([]int64, 0, len(r.Judges))
	mhead := []any{l.entry, l.organisation}
	for _, j := range r.Judges {
		judges = append(judges, j.UserID)
		mhead = append(mhead, j.Name)
	}
	if err := mw.SetRow("A1", styled(mhead, header)); err != nil {
		return err
	}
	for i, e := range r.Ranked {
		row := []any{workflow.EntryCode(e.Entry.Entry), e.OrganisationName}
		for _, j := range judges {
			t, ok := e.Totals[j]
			row = append(row, numCell(t, ok, num))
		}
		if err := mw.SetRow(cell(1, i+2), row); err != nil {
			return err
		}
	}
	if err := mw.Flush(); err != nil {
		return err
	}

	// Judge statistics.
	jh := []any{l.name, l.count, l.mean, l.sd}
	_ = f.SetSheetRow(JudgesSheet, "A1", &jh)
	_ = f.SetCellStyle(JudgesSheet, "A1", "D1", header)
	for i, j := range r.Judges {
		row := []any{j.Name, j.Count, numCell(j.Mean, j.Count > 0, 0), numCell(j.StdDev, j.Count > 1, 0)}
		for k := range row {
			if c, ok := row[k].(excelize.Cell); ok {
				row[k] = c.Value
			}
		}
		_ = f.SetSheetRow(JudgesSheet, cell(1, i+2), &row)
	}
	if len(r.Judges) > 0 {
		_ = f.SetCellStyle(JudgesSheet, "C2", cell(4, len(r.Judges)+1), num)
	}
	_ = f.SetColWidth(JudgesSheet, "A", "A", 24)

	// Distribution and chart, on a sheet of their own (a chart on a
	// streamed sheet would be dropped).
	if err := writeChart(f, r, l, lo, hi, header); err != nil {
		return err
	}
	for _, sheet := range []string{SummarySheet, JudgesSheet, ChartSheet} {
		if err := fitDimension(f, sheet); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

func writeChart(f *excelize.File, r workflow.StageResults, l resultLabels, lo, hi float64, header int) error {
	const bins = 10
	counts := make([]int, bins)
	width := (hi - lo) / bins
	for _, e := range r.Ranked {
		if e.Count == 0 || width <= 0 {
			continue
		}
		b := int(math.Floor((e.Mean - lo) / width))
		counts[min(max(b, 0), bins-1)]++
	}
	h := []any{l.bin, l.n}
	_ = f.SetSheetRow(ChartSheet, "A1", &h)
	_ = f.SetCellStyle(ChartSheet, "A1", "B1", header)
	for i := range bins {
		from := lo + float64(i)*width
		row := []any{fmt.Sprintf("%s–%s", trim(from), trim(from+width)), counts[i]}
		_ = f.SetSheetRow(ChartSheet, cell(1, i+2), &row)
	}
	return f.AddChart(ChartSheet, "D2", &excelize.Chart{
		Type: excelize.Col,
		Series: []excelize.ChartSeries{{
			Name:       ChartSheet + "!$B$1",
			Categories: fmt.Sprintf("%s!$A$2:$A$%d", ChartSheet, bins+1),
			Values:     fmt.Sprintf("%s!$B$2:$B$%d", ChartSheet, bins+1),
		}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: l.chartTitle}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 640, Height: 360},
	})
}

func trim(v float64) string { return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) }

func strPtr(s string) *string { return &s }

// numCell is a styled number, or an empty cell when there is no figure.
func numCell(v float64, ok bool, style int) any {
	if !ok {
		return nil
	}
	return excelize.Cell{StyleID: style, Value: v}
}

func styled(values []any, style int) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = excelize.Cell{StyleID: style, Value: v}
	}
	return out
}

func rubricOf(j workflow.Judging) []aggregate.Criterion {
	out := make([]aggregate.Criterion, len(j.Rubric))
	for i, c := range j.Rubric {
		out[i] = aggregate.Criterion{Key: c.Key, Weight: c.Weight, Min: c.Min, Max: c.Max}
	}
	return out
}
