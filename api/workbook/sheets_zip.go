package workbook

import (
	"archive/zip"
	"fmt"
	"io"

	"github.com/awardflow/awardflow/workflow"
)

// SheetFileName is the file name of a judge's scoring sheet for a stage:
// {cycle}_{programme}_{stage}_judge{id}.xlsx, in downloads and in the zip.
func SheetFileName(ref workflow.StageRef, judge int64) string {
	return fmt.Sprintf("%s_%s_%s_judge%d.xlsx", ref.Cycle, ref.Programme, ref.Stage, judge)
}

// SheetsZipName is the file name of the zip of a stage's scoring sheets.
func SheetsZipName(ref workflow.StageRef) string {
	return fmt.Sprintf("%s_%s_%s_sheets.zip", ref.Cycle, ref.Programme, ref.Stage)
}

// ResultsFileName is the file name of a stage's results workbook.
func ResultsFileName(ref workflow.StageRef) string {
	return fmt.Sprintf("%s_%s_%s_results.xlsx", ref.Cycle, ref.Programme, ref.Stage)
}

// WriteSheetsZip writes a zip holding one scoring sheet per panel member,
// each named by SheetFileName. The workbooks are zips already, so they are
// stored, not compressed again.
func WriteSheetsZip(w io.Writer, ref workflow.StageRef, sheets []workflow.ScoringSheet) error {
	zw := zip.NewWriter(w)
	for _, sh := range sheets {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: SheetFileName(ref, sh.Provenance.JudgeID), Method: zip.Store, Modified: sh.Provenance.IssuedAt})
		if err != nil {
			return err
		}
		if err := WriteScoringSheet(f, sh); err != nil {
			return err
		}
	}
	return zw.Close()
}
