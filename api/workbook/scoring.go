// Package workbook writes and reads awardflow's spreadsheets with excelize:
// offline scoring sheets (out and back), results workbooks and the
// published award annex. It only moves data between workflow types and
// an io.Writer or io.Reader; every rule (signatures, validation) is the
// workflow service's.
package workbook

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/awardflow/awardflow/workflow"
)

// Limits for reading an uploaded workbook.
const (
	MaxUpload      = 5 << 20  // bytes of .xlsx accepted
	maxUnzipped    = 24 << 20 // total, decompressed
	maxUnzippedXML = 12 << 20 // one part, decompressed: a 5,000-row sheet is about 5 MB of XML
	maxRows        = 5000
)

const provenanceSheet = "_provenance"

// Column layout of the scores sheet: A key (hidden), B code, C name, then
// one column per criterion in the provenance's order, then comment, then a
// total for the judge's convenience (never read back).
const firstCriterionCol = 4

func text(t workflow.Text, lang string) string { return t.In(lang) }

type labels struct {
	instructions, code, name, comment, total, scale, step, weight, required, deadline, judge, stage, programme, cycle, how string
}

var sheetLabels = map[string]labels{
	"ja": {"説明", "応募番号", "応募者", "講評", "合計（参考）", "評点", "刻み", "重み", "必須", "締切", "審査員", "審査段階", "プログラム", "年度",
		"「Scores」シートの白いセルに評点と講評を入力し、このファイルのままアップロードしてください。行の追加・削除・並べ替え、キー列の編集、数式の入力はしないでください。合計欄は参考値で、取り込みには使われません。"},
	"en": {"Instructions", "Entry", "Applicant", "Comment", "Total (for reference)", "Scale", "Step", "Weight", "Required", "Deadline", "Judge", "Stage", "Programme", "Cycle",
		"Enter scores and comments in the white cells of the Scores sheet and upload this file as it is. Do not add, delete or reorder rows, edit the key column, or enter formulas. The total is for reference only and is never imported."},
}

func randomPassword() string {
	b := make([]byte, 16)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// WriteScoringSheet writes a judge's offline scoring sheet.
func WriteScoringSheet(w io.Writer, sh workflow.ScoringSheet) error {
	lang := sh.Lang
	if lang != "en" {
		lang = "ja"
	}
	l := sheetLabels[lang]
	f := excelize.NewFile()
	defer f.Close()
	j := sh.Judging

	// Instructions.
	if err := f.SetSheetName("Sheet1", l.instructions); err != nil {
		return err
	}
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	wrap, _ := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	rows := [][]any{
		{l.cycle, text(sh.CycleTitle, lang)},
		{l.programme, text(sh.ProgrammeTitle, lang)},
		{l.stage, text(sh.StageTitle, lang)},
		{l.judge, sh.JudgeName},
		{l.deadline, Deadline(j.Window.Closes, lang)},
		{},
		{l.how},
		{},
		{l.name, l.scale, l.step, l.weight, l.required, ""},
	}
	for i, r := range rows {
		if err := f.SetSheetRow(l.instructions, fmt.Sprintf("A%d", i+1), &r); err != nil {
			return err
		}
	}
	for i, c := range j.Rubric {
		req := ""
		if c.Required {
			req = "✓"
		}
		r := []any{text(c.Label, lang), fmt.Sprintf("%g–%g", c.Min, c.Max), c.Step, c.Weight, req, text(c.Guidance, lang)}
		if err := f.SetSheetRow(l.instructions, fmt.Sprintf("A%d", len(rows)+1+i), &r); err != nil {
			return err
		}
	}
	_ = f.SetCellStyle(l.instructions, "A1", "A5", bold)
	_ = f.SetCellStyle(l.instructions, "A9", "F9", bold)
	_ = f.SetCellStyle(l.instructions, "A7", "A7", wrap)
	_ = f.MergeCell(l.instructions, "A7", "F7")
	_ = f.SetRowHeight(l.instructions, 7, 60)
	_ = f.SetColWidth(l.instructions, "A", "A", 28)
	_ = f.SetColWidth(l.instructions, "B", "E", 12)
	_ = f.SetColWidth(l.instructions, "F", "F", 60)

	// Scores.
	s := workflow.ScoresSheetName
	if _, err := f.NewSheet(s); err != nil {
		return err
	}
	locked, _ := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EEEEEE"}}})
	header, _ := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: true}, Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}}, Alignment: &excelize.Alignment{WrapText: true}})
	input, _ := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false},
		Border: []excelize.Border{{Type: "bottom", Color: "BBBBBB", Style: 1}}})
	inputText, _ := f.NewStyle(&excelize.Style{Protection: &excelize.Protection{Locked: false}, Alignment: &excelize.Alignment{WrapText: true}})

	n := len(j.Rubric)
	commentCol, totalCol := firstCriterionCol+n, firstCriterionCol+n+1
	head := []any{"key", l.code, l.name}
	for _, c := range j.Rubric {
		head = append(head, fmt.Sprintf("%s（%g–%g）", text(c.Label, lang), c.Min, c.Max))
	}
	head = append(head, l.comment, l.total)
	if err := f.SetSheetRow(s, "A1", &head); err != nil {
		return err
	}
	last := len(sh.Entries) + 1
	for i, e := range sh.Entries {
		row := i + 2
		// Codes and keys are written as text: leading zeros and exact digits survive.
		vals := []any{e.Key, e.Code, e.OrganisationName}
		for _, c := range j.Rubric {
			v := any(nil)
			if e.Score != nil {
				if t, ok := e.Score.Values[c.Key]; ok {
					if fv, err := strconv.ParseFloat(t, 64); err == nil {
						v = fv
					}
				}
			}
			vals = append(vals, v)
		}
		comment := ""
		if e.Score != nil {
			comment = e.Score.Comment
		}
		vals = append(vals, comment)
		if err := f.SetSheetRow(s, fmt.Sprintf("A%d", row), &vals); err != nil {
			return err
		}
		for _, col := range []int{1, 2, 3} {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			_ = f.SetCellStr(s, cell, fmt.Sprint(vals[col-1]))
		}
		var terms []string
		for k, c := range j.Rubric {
			cell, _ := excelize.CoordinatesToCellName(firstCriterionCol+k, row)
			terms = append(terms, fmt.Sprintf("%s*%g", cell, c.Weight))
		}
		total, _ := excelize.CoordinatesToCellName(totalCol, row)
		_ = f.SetCellFormula(s, total, strings.Join(terms, "+"))
	}
	lastCol, _ := excelize.ColumnNumberToName(totalCol)
	_ = f.SetCellStyle(s, "A1", lastCol+"1", header)
	if last >= 2 {
		from, _ := excelize.CoordinatesToCellName(1, 2)
		to, _ := excelize.CoordinatesToCellName(3, last)
		_ = f.SetCellStyle(s, from, to, locked)
		tf, _ := excelize.CoordinatesToCellName(totalCol, 2)
		tt, _ := excelize.CoordinatesToCellName(totalCol, last)
		_ = f.SetCellStyle(s, tf, tt, locked)
		inFrom, _ := excelize.CoordinatesToCellName(firstCriterionCol, 2)
		inTo, _ := excelize.CoordinatesToCellName(firstCriterionCol+n-1, last)
		_ = f.SetCellStyle(s, inFrom, inTo, input)
		cf, _ := excelize.CoordinatesToCellName(commentCol, 2)
		ct, _ := excelize.CoordinatesToCellName(commentCol, last)
		_ = f.SetCellStyle(s, cf, ct, inputText)
		for k, c := range j.Rubric {
			col, _ := excelize.ColumnNumberToName(firstCriterionCol + k)
			dv := excelize.NewDataValidation(true)
			dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, last))
			if err := dv.SetRange(c.Min, c.Max, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			msg := fmt.Sprintf("%g–%g, %s %g. %s", c.Min, c.Max, l.step, c.Step, text(c.Guidance, lang))
			dv.SetInput(truncate(text(c.Label, lang), 32), truncate(msg, 255))
			dv.SetError(excelize.DataValidationErrorStyleStop, truncate(text(c.Label, lang), 32), fmt.Sprintf("%g–%g", c.Min, c.Max))
			if err := f.AddDataValidation(s, dv); err != nil {
				return err
			}
		}
		col, _ := excelize.ColumnNumberToName(commentCol)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", col, col, last))
		if err := dv.SetRange(0, 4000, excelize.DataValidationTypeTextLength, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		if err := f.AddDataValidation(s, dv); err != nil {
			return err
		}
	}
	_ = f.SetColVisible(s, "A", false)
	_ = f.SetColWidth(s, "B", "B", 10)
	_ = f.SetColWidth(s, "C", "C", 32)
	commentName, _ := excelize.ColumnNumberToName(commentCol)
	_ = f.SetColWidth(s, commentName, commentName, 48)
	if err := f.SetPanes(s, &excelize.Panes{Freeze: true, XSplit: 3, YSplit: 1, TopLeftCell: "D2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := f.ProtectSheet(s, &excelize.SheetProtectionOptions{Password: randomPassword(), SelectLockedCells: true, SelectUnlockedCells: true,
		FormatColumns: true, FormatRows: true}); err != nil {
		return err
	}

	// Provenance: very hidden, signed.
	if _, err := f.NewSheet(provenanceSheet); err != nil {
		return err
	}
	_ = f.SetCellStr(provenanceSheet, "A1", string(sh.ProvenanceJSON))
	_ = f.SetCellStr(provenanceSheet, "A2", sh.Signature)
	if err := f.SetSheetVisible(provenanceSheet, false, true); err != nil {
		return err
	}
	for _, sheet := range []string{l.instructions, s} {
		if err := fitDimension(f, sheet); err != nil {
			return err
		}
	}
	idx, _ := f.GetSheetIndex(s)
	f.SetActiveSheet(idx)
	// Protection guides the person filling the sheet; it is not security
	// (the server re-validates every cell). The structure lock carries no
	// password: ISO password hashing costs 100,000 SHA-512 rounds, 75 ms a
	// sheet, which made a panel's zip of 300 sheets take 28 s.
	if err := f.ProtectWorkbook(&excelize.WorkbookProtectionOptions{LockStructure: true}); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

// Deadline renders a deadline in the sheet's language and in ISO form. A
// deadline at midnight is the end of the day before:
// 令和8年9月11日(金)まで（2026-09-12T00:00:00+09:00）.
func Deadline(closes time.Time, lang string) string {
	iso := closes.In(workflow.Tokyo).Format(time.RFC3339)
	if lang == "en" {
		return workflow.DeadlineEn(closes) + " (" + iso + ")"
	}
	return workflow.WarekiDeadline(closes) + "（" + iso + "）"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// Errors of ReadScoringSheet.
var (
	ErrNotWorkbook = errors.New("not a readable .xlsx workbook")
	ErrTooLarge    = fmt.Errorf("workbook larger than %d bytes", MaxUpload)
)

// ReadScoringSheet reads a filled scoring sheet. It never panics: a
// malformed, truncated, oversized or hostile file is ErrNotWorkbook (or a
// size error); problems with the sheet's contents are returned in the
// upload for the service to report with everything else.
func ReadScoringSheet(r io.Reader) (up workflow.SheetUpload, err error) {
	defer func() {
		if v := recover(); v != nil {
			up, err = workflow.SheetUpload{}, fmt.Errorf("%w (the parser failed: %v)", ErrNotWorkbook, v)
		}
	}()
	data, err := io.ReadAll(io.LimitReader(r, MaxUpload+1))
	if err != nil {
		return up, err
	}
	if len(data) > MaxUpload {
		return up, ErrTooLarge
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzippedXML})
	if err != nil {
		return up, fmt.Errorf("%w: %v", ErrNotWorkbook, err)
	}
	defer f.Close()
	prov, err := f.GetCellValue(provenanceSheet, "A1")
	if err != nil || prov == "" {
		up.Problems = append(up.Problems, workflow.Problem{Path: provenanceSheet + "!A1", Code: "no_provenance",
			Message: workflow.Text{Ja: "awardflowが発行した採点表ではありません", En: "this is not a scoring sheet issued by awardflow"}})
		return up, nil
	}
	sig, _ := f.GetCellValue(provenanceSheet, "A2")
	up.ProvenanceJSON, up.Signature = []byte(prov), sig
	var p workflow.SheetProvenance
	if err := json.Unmarshal(up.ProvenanceJSON, &p); err != nil {
		return up, nil // the signature check reports it
	}
	s := workflow.ScoresSheetName
	rows, err := f.Rows(s)
	if err != nil {
		up.Problems = append(up.Problems, workflow.Problem{Path: s + "!A1", Code: "no_scores_sheet",
			Message: workflow.Text{Ja: "「Scores」シートがありません", En: "the Scores sheet is missing"}})
		return up, nil
	}
	defer rows.Close()
	commentCol := firstCriterionCol + len(p.Criteria)
	cellRef := func(col, row int) string { c, _ := excelize.CoordinatesToCellName(col, row); return c }
	cell := func(vals []string, col, row int) workflow.SheetCell {
		c := workflow.SheetCell{Ref: cellRef(col, row)}
		if col-1 < len(vals) {
			c.Text = vals[col-1]
		}
		if c.Text != "" {
			if formula, _ := f.GetCellFormula(s, c.Ref); formula != "" {
				c.Formula = true
			}
		}
		return c
	}
	for rowNum := 0; rows.Next(); {
		rowNum++
		if rowNum == 1 {
			continue // header
		}
		if rowNum > maxRows+1 {
			up.Problems = append(up.Problems, workflow.Problem{Path: s + "!A" + strconv.Itoa(rowNum), Code: "too_many_rows",
				Message: workflow.Text{Ja: "行が多すぎます", En: "too many rows"}})
			break
		}
		vals, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return up, fmt.Errorf("%w: %v", ErrNotWorkbook, err)
		}
		empty := true
		for _, v := range vals {
			empty = empty && strings.TrimSpace(v) == ""
		}
		if empty {
			continue
		}
		row := workflow.SheetRow{Row: rowNum, Key: cell(vals, 1, rowNum), Values: map[string]workflow.SheetCell{}, Comment: cell(vals, commentCol, rowNum)}
		for k, key := range p.Criteria {
			row.Values[key] = cell(vals, firstCriterionCol+k, rowNum)
		}
		up.Rows = append(up.Rows, row)
	}
	return up, nil
}
