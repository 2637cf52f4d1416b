package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/api/workbook"
	"github.com/awardflow/awardflow/workflow"
)

// maxBody is the largest JSON request body accepted; a scoring-sheet
// upload may be as large as workbook.MaxUpload (plus multipart framing).
const maxBody = 1 << 20

func limitBody(c *gin.Context) {
	if c.Request.Body != nil {
		limit := int64(maxBody)
		if c.Request.Method == http.MethodPost && strings.HasSuffix(c.FullPath(), "/sheets/:user") {
			limit = workbook.MaxUpload + 64<<10
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	}
	c.Next()
}

// language picks ja or en from Accept-Language; Japanese by default.
func (s *server) language(c *gin.Context) {
	l := "ja"
	for _, part := range strings.Split(c.GetHeader("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if strings.HasPrefix(tag, "ja") {
			break
		}
		if strings.HasPrefix(tag, "en") {
			l = "en"
			break
		}
	}
	c.Set("lang", l)
	c.Next()
}

func lang(c *gin.Context) string {
	if l := c.GetString("lang"); l != "" {
		return l
	}
	return "ja"
}

// authenticate resolves a bearer token into an actor (policy's
// Authorizer.Actor, which the web UI's cookie uses too): grants and
// revocations apply at the very next request.
func (s *server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if h == "" {
		c.Next()
		return
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || token == "" {
		c.Set("auth_error", workflow.Errorf(workflow.Unauthenticated, "use Authorization: Bearer TOKEN"))
		c.Next()
		return
	}
	_, a, err := s.cfg.Authorizer.Actor(c.Request.Context(), s.cfg.Service, token)
	switch workflow.ErrorCode(err) {
	case "":
	case workflow.Unauthenticated:
		c.Set("auth_error", err)
		c.Next()
		return
	default:
		s.fail(c, err)
		return
	}
	c.Set("actor", a)
	c.Set("token", token)
	c.Next()
}

// authorize enforces a route's rule: 401 without a valid session, 403 when
// none of the caller's roles holds the permission.
func (s *server) authorize(r rule) gin.HandlerFunc {
	return func(c *gin.Context) {
		if r.Public {
			c.Next()
			return
		}
		a, ok := c.Get("actor")
		if !ok {
			if err, bad := c.Get("auth_error"); bad {
				s.fail(c, err.(error))
				return
			}
			s.fail(c, workflow.Errorf(workflow.Unauthenticated, "sign in first"))
			return
		}
		if !s.cfg.Authorizer.Admits(a.(workflow.Actor).UserID, r) {
			s.fail(c, workflow.Errorf(workflow.Forbidden, "your roles do not allow %s", r.Perm))
			return
		}
		c.Next()
	}
}

func actor(c *gin.Context) workflow.Actor {
	a, _ := c.Get("actor")
	act, _ := a.(workflow.Actor)
	return act
}

// decode reads a JSON body strictly: one object, no unknown fields, and no
// NUL or other control characters in any string (newlines and tabs aside;
// fields that must be one line are checked by the domain). It writes the
// error response itself and reports whether decoding succeeded.
func (s *server) decode(c *gin.Context, v any) bool {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("more than one JSON value")
	}
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = errors.New("trailing data after the JSON object")
		}
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		s.failIn(c, http.StatusRequestEntityTooLarge, "payload_too_large", "リクエストが大きすぎます（上限 1 MiB）", "request body larger than 1 MiB")
		return false
	case err != nil:
		ja, en := jsonProblem(err)
		s.failIn(c, http.StatusBadRequest, "bad_request", ja, en)
		return false
	}
	if path := controlCharacter(reflect.ValueOf(v), ""); path != "" {
		s.fail(c, &workflow.Error{Code: workflow.Invalid, Message: "control characters are not allowed",
			Problems: []workflow.Problem{{Path: path, Code: "control_character",
				Message: workflow.Text{Ja: "制御文字は使用できません", En: "must not contain control characters"}}}})
		return false
	}
	return true
}

// controlCharacter returns the path of the first string holding NUL or a
// control character other than tab, CR and LF, or "".
func controlCharacter(v reflect.Value, path string) string {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ""
		}
		return controlCharacter(v.Elem(), path)
	case reflect.String:
		for _, r := range v.String() {
			if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
				return strings.TrimPrefix(path, ".")
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]
			if p := controlCharacter(v.Field(i), path+"."+name); p != "" {
				return p
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if p := controlCharacter(reflect.ValueOf(k.String()), path+"."+k.String()); p != "" {
				return p
			}
			if p := controlCharacter(v.MapIndex(k), path+"."+k.String()); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p := controlCharacter(v.Index(i), path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// idParam parses a numeric path parameter; a malformed one is a 404, as
// no such object exists.
func (s *server) idParam(c *gin.Context, name string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, workflow.Errorf(workflow.NotFound, "no such %s", name))
		return 0, false
	}
	return id, true
}

// ifMatch reads the version in If-Match ("7" or W/"7"); required says
// whether its absence is an error (428).
func (s *server) ifMatch(c *gin.Context, required bool) (int, bool) {
	h := strings.TrimPrefix(strings.TrimSpace(c.GetHeader("If-Match")), "W/")
	if h == "" {
		if required {
			s.failWith(c, http.StatusPreconditionRequired, "precondition_required", "send the version you edited in If-Match")
			return 0, false
		}
		return 0, true
	}
	v, err := strconv.Atoi(strings.Trim(h, `"`))
	if err != nil || v <= 0 {
		s.failWith(c, http.StatusBadRequest, "bad_request", `If-Match must be a version such as "3"`)
		return 0, false
	}
	return v, true
}

// edit reads what every update needs: the id in the path, the version
// edited in If-Match (required), and the JSON body.
func (s *server) edit(c *gin.Context, req any) (id int64, version int, ok bool) {
	if id, ok = s.idParam(c, "id"); !ok {
		return 0, 0, false
	}
	if version, ok = s.ifMatch(c, true); !ok {
		return 0, 0, false
	}
	return id, version, s.decode(c, req)
}

func etag(c *gin.Context, version int) { c.Header("ETag", `"`+strconv.Itoa(version)+`"`) }

// pageParams reads a list's paging: limit (1–200, 50 by default), cursor
// (a previous page's next_cursor) and total=true (count every match, which
// costs a full read of the matches; off by default). offset is refused:
// a page found by offset costs more the deeper it is and shifts when rows
// are inserted, so lists continue from a cursor instead. offset=0 (the
// first page, as sent by old clients) is accepted. It writes the error
// response itself and reports whether the parameters were good.
func (s *server) pageParams(c *gin.Context) (workflow.Page, bool) {
	var p workflow.Page
	bad := func(path, code string, e *workflow.Error) (workflow.Page, bool) {
		e.Problems = []workflow.Problem{{Path: path, Code: code, Message: workflow.Text{Ja: e.Ja, En: e.Message}}}
		s.fail(c, e)
		return p, false
	}
	if o, ok := c.GetQuery("offset"); ok && o != "0" {
		return bad("offset", "offset_not_supported", workflow.Refuse(workflow.Invalid,
			"offset は使えません。前のページの応答にある next_cursor を cursor として渡して次のページを読んでください",
			"offset is not supported; pass the previous page's next_cursor as cursor to read the next page"))
	}
	if l, ok := c.GetQuery("limit"); ok {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > workflow.MaxLimit {
			return bad("limit", "limit_range", workflow.Refuse(workflow.Invalid,
				"limit は 1 から %[1]d までの数で指定してください", "limit must be a number from 1 to %[1]d", workflow.MaxLimit))
		}
		p.Limit = n
	}
	p.Cursor = c.Query("cursor")
	switch t := c.Query("total"); t {
	case "", "false":
	case "true":
		p.Total = true
	default:
		return bad("total", "invalid_boolean", workflow.Refuse(workflow.Invalid,
			"total は true か false で指定してください", "total must be true or false"))
	}
	return p, true
}

// jsonProblem says in Japanese and English what is wrong with a JSON body,
// naming the field where there is one and never Go's own types.
func jsonProblem(err error) (ja, en string) {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return "リクエストの本文が空です。JSON オブジェクトを送ってください", "the request body is empty; send a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "JSON が途中で終わっています", "the JSON ends unexpectedly"
	case errors.As(err, &syntax):
		return fmt.Sprintf("JSON の構文に誤りがあります（%d バイト目）", syntax.Offset), fmt.Sprintf("malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		kind, kindJa := jsonKind(typ.Type)
		if typ.Field == "" {
			return "JSON オブジェクトを送ってください", "the body must be a JSON object"
		}
		return fmt.Sprintf("項目「%s」は%sで指定してください", typ.Field, kindJa), fmt.Sprintf("field %q must be %s", typ.Field, kind)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return fmt.Sprintf("項目「%s」は受け付けていません", name), fmt.Sprintf("unknown field %q", name)
	}
	return "JSON オブジェクトの後に余分なデータがあります", "the body must be exactly one JSON object"
}

// jsonKind names what a Go type reads from JSON.
func jsonKind(t reflect.Type) (en, ja string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number", "数値"
	case reflect.String:
		return "a string", "文字列"
	case reflect.Bool:
		return "true or false", "true または false"
	case reflect.Slice, reflect.Array:
		return "a list", "配列"
	}
	return "an object", "オブジェクト"
}

// itemsJSON is a list that is not paged: {"items": [...]}.
type itemsJSON[T any] struct {
	Items []T `json:"items"`
}

func items[T any](xs []T) itemsJSON[T] { return itemsJSON[T]{Items: xs} }
