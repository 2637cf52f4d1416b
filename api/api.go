// Package api serves awardflow over HTTP with gin. It translates requests
// into workflow service calls and results back into JSON; routes are
// registered in one function, and workflow's error codes are mapped to
// HTTP statuses in one table.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/docs"
	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// Config is what the HTTP layer needs.
type Config struct {
	Service    *workflow.Service
	Authorizer *policy.Authorizer
	// Ready reports whether the database is reachable and its schema current.
	Ready  func(context.Context) error
	Logger *slog.Logger
	// TrustedProxies are the addresses whose X-Forwarded-For is believed;
	// none by default, so ClientIP cannot be spoofed.
	TrustedProxies []string
	Version        string
	// Metrics, when set, records every request (see metrics.go).
	Metrics *Metrics
}

// NewHandler returns the HTTP handler with every route registered.
func NewHandler(cfg Config) (http.Handler, error) {
	_, r, err := newServer(cfg)
	return r, err
}

func newServer(cfg Config) (*server, *gin.Engine, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, nil, err
	}
	r.HandleMethodNotAllowed = true
	s := &server{cfg: cfg, rules: map[string]rule{}}
	if cfg.Metrics != nil {
		r.Use(cfg.Metrics.observe)
	}
	r.Use(s.requestID, s.recover, s.accessLog, securityHeaders, s.language, s.checkURL, limitBody, s.authenticate)
	r.NoRoute(func(c *gin.Context) { s.fail(c, workflow.Errorf(workflow.NotFound, "no such route")) })
	r.NoMethod(func(c *gin.Context) {
		s.failWith(c, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed")
	})
	s.routes(r)
	return s, r, nil
}

type server struct {
	cfg   Config
	rules map[string]rule // "METHOD /path" → its authorization rule
}

// rule is a route's authorization (policy's, shared with the web UI).
type rule = policy.RouteRule

var (
	public   = policy.PublicRoute
	signedIn = policy.SignedInRoute
	allow    = policy.Allow
)

// route registers a handler behind its authorization rule. Every route
// goes through here; a test checks that none bypasses it.
func (s *server) route(r *gin.Engine, method, path string, ru rule, h gin.HandlerFunc) {
	s.rules[method+" "+path] = ru
	r.Handle(method, path, s.authorize(ru), h)
}

// routes registers every route, with its authorization rule.
func (s *server) routes(r *gin.Engine) {
	s.route(r, "GET", "/healthz", public, s.healthz)
	s.route(r, "GET", "/readyz", public, s.readyz)
	s.route(r, "GET", "/api/v1/openapi.yaml", public, s.openAPI)

	const v1 = "/api/v1"
	s.route(r, "POST", v1+"/auth/signup", public, s.signup)
	s.route(r, "POST", v1+"/auth/login", public, s.login)
	s.route(r, "POST", v1+"/auth/logout", signedIn, s.logout)
	s.route(r, "GET", v1+"/me", signedIn, s.me)
	s.route(r, "POST", v1+"/me/password", signedIn, s.changePassword)

	s.route(r, "GET", v1+"/users", allow(policy.ListUsers), s.listUsers)
	s.route(r, "GET", v1+"/users/:id", allow(policy.ReadUser), s.getUser)
	s.route(r, "POST", v1+"/users/:id/grants", allow(policy.GrantRole), s.grantRole)
	s.route(r, "DELETE", v1+"/grants/:id", allow(policy.RevokeRole), s.revokeGrant)
	s.route(r, "POST", v1+"/invitations", allow(policy.Invite), s.invite)
	s.route(r, "POST", v1+"/invitations/accept", public, s.acceptInvitation)

	s.route(r, "GET", v1+"/cycles", allow(policy.ReadCycles), s.listCycles)
	s.route(r, "GET", v1+"/cycles/:key", allow(policy.ReadCycles), s.getCycle)

	s.route(r, "POST", v1+"/organisations", allow(policy.CreateOrganisation), s.createOrganisation)
	s.route(r, "GET", v1+"/organisations", allow(policy.ListOrganisations), s.listOrganisations)
	s.route(r, "GET", v1+"/organisations/:id", allow(policy.ReadOrganisation), s.getOrganisation)
	s.route(r, "PATCH", v1+"/organisations/:id", allow(policy.UpdateOrganisation), s.updateOrganisation)

	s.route(r, "POST", v1+"/nominations", allow(policy.CreateNomination), s.createNomination)
	s.route(r, "GET", v1+"/nominations", allow(policy.ListNominations), s.listNominations)
	s.route(r, "GET", v1+"/nominations/:id", allow(policy.ReadNomination), s.getNomination)
	s.route(r, "PATCH", v1+"/nominations/:id", allow(policy.EditNomination), s.updateAnswers)
	s.route(r, "POST", v1+"/nominations/:id/actions/:action", allow(policy.ActOnNomination), s.act)
	s.route(r, "POST", v1+"/nominations/bulk-actions/:action", allow(policy.ActOnNomination), s.bulkAct)
	s.route(r, "GET", v1+"/nominations/:id/history", allow(policy.ReadHistory), s.history)
	s.route(r, "GET", v1+"/nominations/:id/answer-history", allow(policy.ReadHistory), s.answerHistory)
	s.route(r, "GET", v1+"/nominations/:id/feedback", allow(policy.ReadFeedback), s.feedback)

	s.route(r, "POST", v1+"/me/affiliations", allow(policy.DeclareConflicts), s.declareAffiliation)
	s.route(r, "POST", v1+"/me/conflicts", allow(policy.DeclareConflicts), s.declareConflict)
	s.route(r, "GET", v1+"/me/conflicts", allow(policy.DeclareConflicts), s.myConflicts)

	const programme = v1 + "/cycles/:key/programmes/:programme"
	s.route(r, "GET", programme+"/release", allow(policy.ReleaseResults), s.releaseStatus)
	s.route(r, "POST", programme+"/release", allow(policy.ReleaseResults), s.release)
	s.route(r, "GET", programme+"/windows", allow(policy.ReadWindows), s.getWindows)
	s.route(r, "PUT", programme+"/windows/call", allow(policy.ChangeWindows), s.putCallWindow)
	const stage = programme + "/stages/:stage"
	s.route(r, "PUT", stage+"/window", allow(policy.ChangeWindows), s.putStageWindow)
	s.route(r, "GET", stage+"/panel", allow(policy.ReadPanel), s.getPanel)
	s.route(r, "PUT", stage+"/panel/:user", allow(policy.ManagePanel), s.putPanelMember)
	s.route(r, "DELETE", stage+"/panel/:user", allow(policy.ManagePanel), s.deletePanelMember)
	s.route(r, "GET", stage+"/conflicts", allow(policy.ListConflicts), s.listConflicts)
	s.route(r, "GET", stage+"/assignments", allow(policy.ReadAssignments), s.listAssignments)
	s.route(r, "POST", stage+"/assignments", allow(policy.ManageAssignments), s.addAssignment)
	s.route(r, "DELETE", stage+"/assignments/:id/:user", allow(policy.ManageAssignments), s.deleteAssignment)
	s.route(r, "POST", stage+"/assignment-proposals", allow(policy.ManageAssignments), s.propose)
	s.route(r, "POST", stage+"/assignment-proposals/:proposal/apply", allow(policy.ManageAssignments), s.applyProposal)
	s.route(r, "POST", stage+"/assignment-proposals/:proposal/discard", allow(policy.ManageAssignments), s.discardProposal)
	s.route(r, "GET", stage+"/entries", allow(policy.ReadEntries), s.listEntries)
	s.route(r, "GET", stage+"/entries/:id", allow(policy.ReadEntries), s.getEntry)
	s.route(r, "GET", stage+"/entries/:id/scores", allow(policy.ReadScores), s.entryScores)
	s.route(r, "PUT", stage+"/entries/:id/score", allow(policy.WriteScores), s.putScore)
	s.route(r, "POST", stage+"/entries/:id/recusal", allow(policy.WriteScores), s.recuse)
	s.route(r, "POST", stage+"/entries/:id/scores/:user/reopen", allow(policy.ReopenScores), s.reopenScore)
	s.route(r, "GET", stage+"/entries/:id/score-history", allow(policy.ReadScoreHistory), s.scoreHistory)
	s.route(r, "GET", stage+"/progress", allow(policy.ReadProgress), s.progress)
	s.route(r, "GET", stage+"/ranking", allow(policy.ReadRanking), s.ranking)
	s.route(r, "POST", stage+"/decisions/preview", allow(policy.PreviewDecision), s.previewDecision)
	s.route(r, "POST", stage+"/decisions", allow(policy.ApplyDecision), s.applyDecision)
	s.route(r, "GET", stage+"/sheets", allow(policy.ExportSheets), s.exportSheets)
	s.route(r, "GET", stage+"/sheets/:user", allow(policy.DownloadSheet), s.downloadSheet)
	s.route(r, "POST", stage+"/sheets/:user", allow(policy.ImportSheet), s.importSheet)
	s.route(r, "GET", stage+"/results.xlsx", allow(policy.ExportResults), s.exportResults)

	s.route(r, "POST", programme+"/publications", allow(policy.ManagePublications), s.publish)
	s.route(r, "GET", programme+"/publications", allow(policy.ManagePublications), s.listPublications)
	s.route(r, "POST", programme+"/publications/:version/withdraw", allow(policy.ManagePublications), s.withdrawPublication)
	s.route(r, "GET", v1+"/nominations/:id/public", allow(policy.ManagePublications), s.getPublicRecord)
	s.route(r, "PATCH", v1+"/nominations/:id/public", allow(policy.ManagePublications), s.correctPublic)
	s.route(r, "GET", "/api/v1/public/cycles/:key/awards", public, s.publicAwards("json"))
	s.route(r, "GET", "/api/v1/public/cycles/:key/awards.csv", public, s.publicAwards("csv"))
	s.route(r, "GET", "/api/v1/public/cycles/:key/awards.xlsx", public, s.publicAwards("xlsx"))
	s.route(r, "GET", "/api/v1/public/cycles/:key/programmes/:programme/publications/:version", public, s.publicPublication)
}

func (s *server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "version": s.cfg.Version})
}

func (s *server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.cfg.Ready(ctx); err != nil {
		s.cfg.Logger.Warn("not ready", "error", err.Error())
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "unavailable"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready"})
}

// openAPI serves the API's own description, embedded from docs/openapi.yaml.
func (s *server) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/yaml; charset=utf-8", docs.OpenAPI)
}

// ---- errors

// statusOf is the one mapping from workflow's error codes to HTTP.
var statusOf = map[workflow.Code]int{
	workflow.Invalid:           http.StatusUnprocessableEntity,
	workflow.NotFound:          http.StatusNotFound,
	workflow.Conflict:          http.StatusConflict,
	workflow.Forbidden:         http.StatusForbidden,
	workflow.Unauthenticated:   http.StatusUnauthorized,
	workflow.IllegalTransition: http.StatusConflict,
	workflow.Internal:          http.StatusInternalServerError,
	workflow.Throttled:         http.StatusTooManyRequests,
}

// messagesJa are the Japanese messages of every error code the API returns;
// English callers get the error's own (English) message.
var messagesJa = map[string]string{
	string(workflow.Invalid):           "入力内容に誤りがあります",
	string(workflow.NotFound):          "見つかりません",
	string(workflow.Conflict):          "他の操作と競合しました。最新の内容を読み込んでからやり直してください",
	string(workflow.Forbidden):         "この操作を行う権限がありません",
	string(workflow.Unauthenticated):   "ログインしてください",
	string(workflow.IllegalTransition): "現在の状態ではこの操作はできません",
	string(workflow.Internal):          "内部エラーが発生しました",
	"bad_request":                      "リクエストの形式が正しくありません",
	"payload_too_large":                "リクエストが大きすぎます",
	"precondition_required":            "If-Match ヘッダーで版を指定してください",
	"too_many_requests":                "試行回数が多すぎます。しばらくしてからやり直してください",
	"method_not_allowed":               "このメソッドは使用できません",
}

// fail writes err as the JSON error shape in the caller's language.
// Internal errors are logged with their cause and shown without it.
func (s *server) fail(c *gin.Context, err error) {
	code := workflow.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status, code = http.StatusInternalServerError, workflow.Internal
	}
	msg := "internal error"
	var e *workflow.Error
	if code != workflow.Internal && errors.As(err, &e) {
		msg = e.Message
	} else {
		s.cfg.Logger.Error("request failed", "request_id", c.GetString("request_id"), "error", err.Error())
	}
	if e != nil && e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
	body := errorBody(c, string(code), msg)
	if e != nil && code != workflow.Internal && lang(c) == "ja" && e.Ja != "" {
		body.Error.Message = e.Ja
	}
	if code != workflow.Internal {
		for _, p := range workflow.ErrorProblems(err) {
			body.Error.Fields = append(body.Error.Fields, fieldJSON{Path: p.Path, Code: p.Code, Message: p.Message.In(lang(c))})
		}
	}
	c.AbortWithStatusJSON(status, body)
}

// failWith writes an HTTP-level error that has no workflow code.
func (s *server) failWith(c *gin.Context, status int, code, msg string) {
	c.AbortWithStatusJSON(status, errorBody(c, code, msg))
}

// failIn writes an HTTP-level error whose message is specific in both
// languages.
func (s *server) failIn(c *gin.Context, status int, code, ja, en string) {
	b := errorBody(c, code, en)
	if lang(c) == "ja" {
		b.Error.Message = ja
	}
	c.AbortWithStatusJSON(status, b)
}

type fieldJSON struct {
	Path    string `json:"path,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

type errorJSON struct {
	Error struct {
		Code      string      `json:"code"`
		Message   string      `json:"message"`
		Fields    []fieldJSON `json:"fields,omitempty"`
		RequestID string      `json:"request_id"`
	} `json:"error"`
}

func errorBody(c *gin.Context, code, msg string) errorJSON {
	var b errorJSON
	if ja, ok := messagesJa[code]; ok && lang(c) == "ja" {
		msg = ja
	}
	b.Error.Code, b.Error.Message, b.Error.RequestID = code, msg, c.GetString("request_id")
	return b
}

// ---- middleware

func (s *server) requestID(c *gin.Context) {
	b := make([]byte, 8)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	id := hex.EncodeToString(b)
	c.Set("request_id", id)
	c.Header("X-Request-Id", id)
	c.Next()
}

func (s *server) recover(c *gin.Context) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.cfg.Logger.Error("panic", "request_id", c.GetString("request_id"), "panic", v)
			s.fail(c, workflow.Errorf(workflow.Internal, "panic"))
		}
	}()
	c.Next()
}

func (s *server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.cfg.Logger.Info("request",
		"request_id", c.GetString("request_id"), "method", c.Request.Method, "path", c.FullPath(),
		"status", c.Writer.Status(), "duration_ms", float64(time.Since(start).Microseconds())/1000,
		"client_ip", c.ClientIP(), "bytes", c.Writer.Size())
}

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
	c.Next()
}
