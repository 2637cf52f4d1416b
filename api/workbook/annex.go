package workbook

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/awardflow/awardflow/workflow"
)

// AnnexSheet is the sheet name of the published award list.
const AnnexSheet = "Awards"

type annexLabels struct {
	title, fy, programme, award, organisation, prefecture, municipality, industry, headcount string
}

var annexLabel = map[string]annexLabels{
	"ja": {"受賞者一覧（別紙）", "年度", "プログラム", "賞・区分", "名称", "都道府県", "市区町村", "業種", "従業員数（応募時）"},
	"en": {"Award list (annex)", "Fiscal year", "Programme", "Award or tier", "Organisation", "Prefecture", "Municipality", "Industry", "Headcount at application"},
}

// annexTable turns publications into a header and rows of text and numbers.
// Only public form fields appear, one column each.
func annexTable(pubs []workflow.Publication, lang string) ([]string, [][]any) {
	if lang != "en" {
		lang = "ja"
	}
	l := annexLabel[lang]
	head := []string{l.fy, l.programme, l.award, l.organisation, l.prefecture, l.municipality, l.industry, l.headcount}
	var fields []workflow.PublicField
	seen := map[string]bool{}
	for _, p := range pubs {
		for _, f := range p.Fields {
			if !seen[f.Key] {
				seen[f.Key] = true
				fields = append(fields, f)
				head = append(head, f.Label.In(lang))
			}
		}
	}
	var rows [][]any
	for _, p := range pubs {
		for _, r := range p.Rows {
			row := []any{r.FiscalYear, r.ProgrammeTitle.In(lang), r.AwardTitle.In(lang), r.OrganisationName, r.PrefectureName.In(lang),
				r.Municipality, r.Industry + " " + r.IndustryName.In(lang), r.Headcount}
			for _, f := range fields {
				row = append(row, r.Public[f.Key])
			}
			rows = append(rows, row)
		}
	}
	return head, rows
}

// WriteAnnexXLSX writes the published award list as a workbook in the
// press-release annex layout. Names are written as text, so one starting
// with "=" stays text.
func WriteAnnexXLSX(w io.Writer, title string, pubs []workflow.Publication, lang string) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", AnnexSheet); err != nil {
		return err
	}
	head, rows := annexTable(pubs, lang)
	l := annexLabel[map[bool]string{true: "en", false: "ja"}[lang == "en"]]
	_ = f.SetCellStr(AnnexSheet, "A1", title+" "+l.title)
	bold, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}})
	_ = f.SetCellStyle(AnnexSheet, "A1", "A1", bold)
	header, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"D9E1F2"}},
		Border: []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}})
	for i, h := range head {
		_ = f.SetCellStr(AnnexSheet, cell(i+1, 3), h)
	}
	_ = f.SetCellStyle(AnnexSheet, "A3", cell(len(head), 3), header)
	for i, row := range rows {
		for j, v := range row {
			c := cell(j+1, i+4)
			switch x := v.(type) {
			case string:
				_ = f.SetCellStr(AnnexSheet, c, x)
			default:
				_ = f.SetCellValue(AnnexSheet, c, x)
			}
		}
	}
	_ = f.SetColWidth(AnnexSheet, "B", "C", 24)
	_ = f.SetColWidth(AnnexSheet, "D", "D", 32)
	lastCol, _ := excelize.ColumnNumberToName(len(head))
	_ = f.SetColWidth(AnnexSheet, "I", lastCol, 48)
	if err := f.SetPanes(AnnexSheet, &excelize.Panes{Freeze: true, YSplit: 3, TopLeftCell: "A4", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := fitDimension(f, AnnexSheet); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

// WriteAnnexCSV writes the award list as UTF-8 CSV with a byte-order mark
// (so that Excel reads the Japanese), escaping cells that a spreadsheet
// would take for a formula.
func WriteAnnexCSV(w io.Writer, pubs []workflow.Publication, lang string) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head, rows := annexTable(pubs, lang)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range rows {
		rec := make([]string, len(row))
		for i, v := range row {
			rec[i] = CSVCell(fmt.Sprint(v))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVCell neutralises text a spreadsheet would run as a formula: a leading
// = + - @, tab or carriage return gets a leading apostrophe.
func CSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// fitDimension records a sheet's real used range. The default first sheet
// of a new workbook keeps a preset range of A1, which readers in read-only
// mode (openpyxl among them) trust, and then see no rows.
func fitDimension(f *excelize.File, sheet string) error {
	rows, err := f.GetRows(sheet)
	if err != nil {
		return err
	}
	cols := 1
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	return f.SetSheetDimension(sheet, "A1:"+cell(cols, max(1, len(rows))))
}
