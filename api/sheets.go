package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/api/workbook"
	"github.com/awardflow/awardflow/workflow"
)

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func attachment(c *gin.Context, name, contentType string, data []byte) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, name))
	c.Data(http.StatusOK, contentType, data)
}

func (s *server) downloadSheet(c *gin.Context) {
	judge, ok := s.idParam(c, "user")
	if !ok {
		return
	}
	ref := stageRef(c)
	sh, err := s.cfg.Service.ScoringSheet(c.Request.Context(), actor(c), ref, judge)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := workbook.WriteScoringSheet(&buf, sh); err != nil {
		s.fail(c, err)
		return
	}
	attachment(c, workbook.SheetFileName(ref, judge), xlsxType, buf.Bytes())
}

// exportSheets answers a zip with every panel judge's sheet.
func (s *server) exportSheets(c *gin.Context) {
	ref := stageRef(c)
	sheets, err := s.cfg.Service.ScoringSheets(c.Request.Context(), actor(c), ref)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := workbook.WriteSheetsZip(&buf, ref, sheets); err != nil {
		s.fail(c, err)
		return
	}
	attachment(c, workbook.SheetsZipName(ref), "application/zip", buf.Bytes())
}

// importSheet takes a filled sheet as the raw body or as the "file" part of
// a multipart form; ?submit=true submits the scores, otherwise drafts.
func (s *server) importSheet(c *gin.Context) {
	judge, ok := s.idParam(c, "user")
	if !ok {
		return
	}
	var body io.Reader = c.Request.Body
	if strings.HasPrefix(c.ContentType(), "multipart/form-data") {
		file, _, err := c.Request.FormFile("file")
		if err != nil {
			s.uploadError(c, err)
			return
		}
		defer file.Close()
		body = file
	}
	up, err := workbook.ReadScoringSheet(body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || errors.Is(err, workbook.ErrTooLarge):
		s.uploadError(c, err)
		return
	case err != nil:
		// Not a workbook: the service still checks who may import for whom
		// first, then reports this as the only problem.
		up = workflow.SheetUpload{Problems: []workflow.Problem{{Code: "not_xlsx",
			Message: workflow.Text{Ja: "Excel形式（.xlsx）のファイルとして読み取れません", En: "the file cannot be read as an .xlsx workbook"}}}}
	}
	submit := c.Query("submit") == "true"
	res, err := s.cfg.Service.ImportScoringSheet(c.Request.Context(), actor(c), stageRef(c), judge, up, submit)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, importResultJSON{Changed: res.Changed, Unchanged: res.Unchanged, Blank: res.Blank})
}

func (s *server) uploadError(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || errors.Is(err, workbook.ErrTooLarge) {
		s.failWith(c, http.StatusRequestEntityTooLarge, "payload_too_large", fmt.Sprintf("the workbook is larger than %d bytes", workbook.MaxUpload))
		return
	}
	s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "not a readable .xlsx workbook", Problems: []workflow.Problem{{Code: "not_xlsx",
		Message: workflow.Text{Ja: "Excel形式（.xlsx）のファイルとして読み取れません", En: "the file cannot be read as an .xlsx workbook"}}}})
}

func (s *server) exportResults(c *gin.Context) {
	ref := stageRef(c)
	r, err := s.cfg.Service.StageResults(c.Request.Context(), actor(c), ref)
	if err != nil {
		s.fail(c, err)
		return
	}
	var buf bytes.Buffer
	if err := workbook.WriteResults(&buf, r, lang(c)); err != nil {
		s.fail(c, err)
		return
	}
	attachment(c, workbook.ResultsFileName(ref), xlsxType, buf.Bytes())
}

type publishRequest struct {
	EmbargoAt string `json:"embargo_at"` // RFC 3339, or a local date-time in Japan
	Reason    string `json:"reason"`
}

func (s *server) publish(c *gin.Context) {
	var req publishRequest
	if !s.decode(c, &req) {
		return
	}
	embargo, err := time.Parse(time.RFC3339, req.EmbargoAt)
	if err != nil {
		embargo, err = time.ParseInLocation("2006-01-02T15:04", req.EmbargoAt, workflow.Tokyo)
	}
	if err != nil {
		s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "bad embargo time", Problems: []workflow.Problem{{Path: "embargo_at", Code: "not_time",
			Message: workflow.Text{Ja: "日時（2026-11-20T10:00）で指定してください", En: "must be a time such as 2026-11-20T10:00 (Japan) or RFC 3339"}}}})
		return
	}
	p, err := s.cfg.Service.Publish(c.Request.Context(), actor(c), c.Param("key"), c.Param("programme"), embargo, req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toPublicationJSON(p))
}

func (s *server) listPublications(c *gin.Context) {
	ps, err := s.cfg.Service.Publications(c.Request.Context(), actor(c), c.Param("key"), c.Param("programme"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if ps == nil {
		ps = []workflow.Publication{}
	}
	c.JSON(http.StatusOK, publicationListJSON{Items: toPublicationsJSON(ps)})
}

// publicAwards serves the public award list as JSON, CSV or XLSX, cut by
// prefecture on request. Only what is past its embargo, and only public
// fields, ever appear.
func (s *server) publicAwards(format string) gin.HandlerFunc {
	return func(c *gin.Context) {
		pref := c.Query("prefecture")
		if pref != "" {
			if _, ok := workflow.PrefectureByCode(pref); !ok {
				s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "unknown prefecture", Problems: []workflow.Problem{{Path: "prefecture", Code: "unknown",
					Message: workflow.Text{Ja: "都道府県コード（01〜47）で指定してください", En: "must be a prefecture code 01–47"}}}})
				return
			}
		}
		key := c.Param("key")
		pubs, err := s.cfg.Service.PublicAwards(c.Request.Context(), key, pref)
		if err != nil {
			s.fail(c, err)
			return
		}
		if pubs == nil {
			pubs = []workflow.Publication{}
		}
		c.Header("Cache-Control", "public, max-age=60")
		name := key + "_awards"
		if pref != "" {
			name += "_" + pref
		}
		switch format {
		case "csv":
			var buf bytes.Buffer
			if err := workbook.WriteAnnexCSV(&buf, pubs, lang(c)); err != nil {
				s.fail(c, err)
				return
			}
			attachment(c, name+".csv", "text/csv; charset=utf-8", buf.Bytes())
		case "xlsx":
			var buf bytes.Buffer
			title := key
			if cv, err := s.cfg.Service.Cycle(c.Request.Context(), key); err == nil {
				title = cv.Cycle.Title.In(lang(c))
			}
			if err := workbook.WriteAnnexXLSX(&buf, title, pubs, lang(c)); err != nil {
				s.fail(c, err)
				return
			}
			attachment(c, name+".xlsx", xlsxType, buf.Bytes())
		default:
			c.JSON(http.StatusOK, publicAwardsJSON{Cycle: key, Prefecture: pref, Publications: toPublicationsJSON(pubs)})
		}
	}
}

func (s *server) publicPublication(c *gin.Context) {
	v, err := strconv.Atoi(c.Param("version"))
	if err != nil || v < 1 {
		s.fail(c, workflow.Errorf(workflow.NotFound, "no such version"))
		return
	}
	p, err := s.cfg.Service.PublicPublication(c.Request.Context(), c.Param("key"), c.Param("programme"), v)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, toPublicationJSON(p))
}

type withdrawRequest struct {
	Reason string `json:"reason"`
}

// withdrawPublication withdraws a version before its embargo ends.
func (s *server) withdrawPublication(c *gin.Context) {
	version, err := strconv.Atoi(c.Param("version"))
	if err != nil || version <= 0 {
		s.fail(c, workflow.Refuse(workflow.NotFound, "公表の版 %q はありません", "no publication version %q", c.Param("version")))
		return
	}
	var req withdrawRequest
	if !s.decode(c, &req) {
		return
	}
	p, err := s.cfg.Service.WithdrawPublication(c.Request.Context(), actor(c), c.Param("key"), c.Param("programme"), version, req.Reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPublicationJSON(p))
}

// getPublicRecord answers a nomination's public fields as submitted and as
// they will be published; the ETag is the nomination's version.
func (s *server) getPublicRecord(c *gin.Context) {
	id, ok := s.idParam(c, "id")
	if !ok {
		return
	}
	r, err := s.cfg.Service.PublicRecord(c.Request.Context(), actor(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, r.Version)
	c.JSON(http.StatusOK, toPublicRecordJSON(r))
}

// correctPublic corrects public fields (If-Match: the nomination's version).
func (s *server) correctPublic(c *gin.Context) {
	var req workflow.PublicPatch
	id, version, ok := s.edit(c, &req)
	if !ok {
		return
	}
	r, err := s.cfg.Service.CorrectPublic(c.Request.Context(), actor(c), id, version, req)
	if err != nil {
		s.fail(c, err)
		return
	}
	etag(c, r.Version)
	c.JSON(http.StatusOK, toPublicRecordJSON(r))
}
