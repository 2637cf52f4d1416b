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
	"time"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/workflow"
)

// Config is what the HTTP layer needs.
type Config struct {
	Service *workflow.Service
	// Ready reports whether the database is reachable and its schema current.
	Ready  func(context.Context) error
	Logger *slog.Logger
	// TrustedProxies are the addresses whose X-Forwarded-For is believed;
	// none by default, so ClientIP cannot be spoofed.
	TrustedProxies []string
	Version        string
}

// NewHandler returns the HTTP handler with every route registered.
func NewHandler(cfg Config) (http.Handler, error) {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, err
	}
	r.HandleMethodNotAllowed = true
	s := &server{cfg: cfg}
	r.Use(s.requestID, s.recover, s.accessLog, securityHeaders)
	r.NoRoute(func(c *gin.Context) { s.fail(c, workflow.Errorf(workflow.NotFound, "no such route")) })
	r.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, errorBody(c, "method_not_allowed", "method not allowed"))
	})
	s.routes(r)
	return r, nil
}

type server struct{ cfg Config }

// routes registers every route. Each route's authorization rule lives in
// the policy package (from the API issue on); the routes here are public.
func (s *server) routes(r *gin.Engine) {
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
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
}

// fail writes err as the JSON error shape. Internal errors are logged with
// their cause and shown to the client without it.
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
	body := errorBody(c, string(code), msg)
	if code != workflow.Internal {
		body.Error.Fields = workflow.ErrorProblems(err)
	}
	c.AbortWithStatusJSON(status, body)
}

type errorJSON struct {
	Error struct {
		Code      string             `json:"code"`
		Message   string             `json:"message"`
		Fields    []workflow.Problem `json:"fields,omitempty"`
		RequestID string             `json:"request_id"`
	} `json:"error"`
}

func errorBody(c *gin.Context, code, msg string) errorJSON {
	var b errorJSON
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
