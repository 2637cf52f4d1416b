package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/awardflow/awardflow/workflow"
)

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newTestHandler(t *testing.T, ready error) (http.Handler, *server) {
	t.Helper()
	cfg := Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test",
		Ready: func(context.Context) error { return ready }}
	h, err := NewHandler(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, &server{cfg: cfg}
}

func do(h http.Handler, method, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w
}

func TestHealth(t *testing.T) {
	h, _ := newTestHandler(t, nil)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/healthz", 200},
		{"GET", "/readyz", 200},
		{"GET", "/nope", 404},
		{"POST", "/healthz", 405},
	} {
		w := do(h, tc.method, tc.path)
		if w.Code != tc.status {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, w.Code, tc.status)
		}
		if w.Header().Get("X-Request-Id") == "" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: missing request id or security headers", tc.method, tc.path)
		}
	}
	down, _ := newTestHandler(t, errors.New("connection refused to 10.0.0.1"))
	w := do(down, "GET", "/readyz")
	if w.Code != 503 || strings.Contains(w.Body.String(), "10.0.0.1") {
		t.Fatalf("readyz when the database is down = %d %s", w.Code, w.Body)
	}
}

// TestErrorMapping: every workflow code has a status, and internal errors
// never reach the client.
func TestErrorMapping(t *testing.T) {
	want := map[workflow.Code]int{
		workflow.Invalid: 422, workflow.NotFound: 404, workflow.Conflict: 409, workflow.Forbidden: 403,
		workflow.Unauthenticated: 401, workflow.IllegalTransition: 409, workflow.Internal: 500,
	}
	_, s := newTestHandler(t, nil)
	for code, status := range want {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Set("request_id", "r1")
		s.fail(c, &workflow.Error{Code: code, Message: "visible", Err: errors.New("secret detail"),
			Problems: []workflow.Problem{{Path: "p", Code: "x"}}})
		var body errorJSON
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
		if w.Code != status || body.Error.Code != string(code) || body.Error.RequestID != "r1" {
			t.Errorf("%s → %d %+v, want %d", code, w.Code, body, status)
		}
		if strings.Contains(w.Body.String(), "secret detail") || code == workflow.Internal && strings.Contains(w.Body.String(), "visible") {
			t.Errorf("%s leaks internals: %s", code, w.Body)
		}
	}
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	s.fail(c, errors.New("pq: password authentication failed"))
	if w.Code != 500 || strings.Contains(w.Body.String(), "password") {
		t.Fatalf("plain error → %d %s", w.Code, w.Body)
	}
}

func TestPanicBecomes500(t *testing.T) {
	h, _ := newTestHandler(t, nil)
	h.(*gin.Engine).GET("/boom", func(*gin.Context) { panic("database password is hunter2") })
	w := do(h, "GET", "/boom")
	if w.Code != 500 || strings.Contains(w.Body.String(), "hunter2") {
		t.Fatalf("panic → %d %s", w.Code, w.Body)
	}
}
