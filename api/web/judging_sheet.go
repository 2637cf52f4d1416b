package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/awardflow/awardflow/api/workbook"
	"github.com/awardflow/awardflow/workflow"
)

// The offline scoring sheet: GET downloads the caller's own sheet for the
// stage (the API's workbook, signed by the service), POST takes it back
// filled in. An import is all or nothing: on any problem nothing is saved
// and the page lists every problem with its sheet cell.

func (s *Site) downloadSheet(c *ctx) error {
	ref := c.stageRef()
	sh, err := s.cfg.Service.ScoringSheet(c.r.Context(), c.actor, ref, c.userID())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := workbook.WriteScoringSheet(&buf, sh); err != nil {
		return err
	}
	name := fmt.Sprintf("%s_%s_%s_judge%d.xlsx", ref.Cycle, ref.Programme, ref.Stage, c.userID())
	h := c.w.Header()
	h.Set("Content-Type", xlsxType)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape(name)))
	h.Set("Cache-Control", "no-store")
	_, err = c.w.Write(buf.Bytes())
	return err
}

// sheetError is one problem of an uploaded sheet, at its cell.
type sheetError struct {
	Cell, Message string
}

func (c *ctx) uploadForm() *Form {
	f := c.form()
	f.Add(Field{Name: "file", Label: c.T("judging.sheet.file"), Help: c.T("judging.sheet.file.help", workbook.MaxUpload>>20), Type: "file", Required: true})
	f.Add(Field{Name: "submit", Label: c.T("judging.sheet.submit"), Help: c.T("judging.sheet.submit.help"), Type: "checkbox"})
	return f
}

// notXLSX is the one problem of a file that is not a workbook.
var notXLSX = workflow.Problem{Code: "not_xlsx",
	Message: workflow.Text{Ja: "Excel形式（.xlsx）のファイルとして読み取れません", En: "the file cannot be read as an .xlsx workbook"}}

func (s *Site) uploadSheet(c *ctx) error {
	v, err := s.entriesView(c)
	if err != nil {
		return err
	}
	f := v.Upload
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, workbook.MaxUpload+64<<10)
	var up workflow.SheetUpload
	file, _, ferr := c.r.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(ferr, &tooBig):
		f.Fail("file", c.T("judging.sheet.too_large", workbook.MaxUpload>>20))
		return c.render(http.StatusRequestEntityTooLarge, "judging/sheet", "judging.sheet.title", v)
	case ferr != nil:
		f.Fail("file", c.T("judging.sheet.missing"))
		return c.render(http.StatusUnprocessableEntity, "judging/sheet", "judging.sheet.title", v)
	}
	defer file.Close()
	up, err = workbook.ReadScoringSheet(file)
	switch {
	case errors.As(err, &tooBig) || errors.Is(err, workbook.ErrTooLarge):
		f.Fail("file", c.T("judging.sheet.too_large", workbook.MaxUpload>>20))
		return c.render(http.StatusRequestEntityTooLarge, "judging/sheet", "judging.sheet.title", v)
	case err != nil:
		// Not a workbook: the service still checks who may import for
		// whom first, then reports this as the only problem.
		up = workflow.SheetUpload{Problems: []workflow.Problem{notXLSX}}
	}
	submit := c.r.PostFormValue("submit") == "true"
	f.Field("submit").Value = c.r.PostFormValue("submit")
	res, err := s.cfg.Service.ImportScoringSheet(c.r.Context(), c.actor, v.Ref, c.userID(), up, submit)
	if err != nil {
		if workflow.ErrorCode(err) != workflow.Invalid {
			return err
		}
		for _, p := range workflow.ErrorProblems(err) {
			v.SheetError = append(v.SheetError, sheetError{Cell: p.Path, Message: p.Message.In(c.lang)})
		}
		f.Fail("file", c.T("judging.sheet.refused", len(v.SheetError)))
		return c.render(http.StatusUnprocessableEntity, "judging/sheet", "judging.sheet.title", v)
	}
	if res.Changed == 0 {
		return c.flash("flash.judging.imported_nothing", judgingPath(v.Ref, ""))
	}
	return c.flash("flash.judging.imported", judgingPath(v.Ref, ""))
}
