package api

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"gopkg.in/yaml.v3"

	"github.com/awardflow/awardflow/policy"
)

// opsHandler is the API without a database, enough for routes that need none.
func opsHandler(t *testing.T, m *Metrics) http.Handler {
	t.Helper()
	authz, err := policy.New()
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHandler(Config{Authorizer: authz, Logger: discard(), Metrics: m, Version: "test-1"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestOpenAPIIsServed: GET /api/v1/openapi.yaml answers anyone with the
// embedded docs/openapi.yaml, byte for byte, as YAML.
func TestOpenAPIIsServed(t *testing.T) {
	want, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	h := opsHandler(t, nil)
	for _, tc := range []struct {
		name, method string
		status       int
	}{
		{"anonymous GET", "GET", 200},
		{"HEAD is not a route", "HEAD", 405},
		{"POST is not allowed", "POST", 405},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(tc.method, "/api/v1/openapi.yaml", nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.status != 200 {
				return
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
				t.Errorf("Content-Type %q", ct)
			}
			if w.Body.String() != string(want) {
				t.Errorf("served %d bytes, docs/openapi.yaml has %d", w.Body.Len(), len(want))
			}
			var spec struct {
				Paths map[string]any `yaml:"paths"`
			}
			if err := yaml.Unmarshal(w.Body.Bytes(), &spec); err != nil || spec.Paths["/api/v1/openapi.yaml"] == nil {
				t.Errorf("served spec does not describe itself: %v", err)
			}
		})
	}
}

// TestMetricsLabelRouteTemplates: requests are counted by method, route
// template (never the raw path, so ids do not multiply series) and status
// class; paths that match no route share one label, and unusual methods
// another; nothing is in flight
// afterwards.
func TestMetricsLabelRouteTemplates(t *testing.T) {
	m := NewMetrics("test-1", nil)
	h := opsHandler(t, m)
	for _, path := range []string{"/healthz", "/healthz", "/api/v1/openapi.yaml", "/api/v1/users/1", "/api/v1/users/2", "/no/such/1", "/no/such/2"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", path, nil))
	}
	for _, method := range []string{"BREW", "PROPFIND"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, "/healthz", nil))
	}
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range families {
		byName[f.GetName()] = f
	}
	counts := map[string]float64{}
	for _, mt := range byName["awardflow_http_requests_total"].GetMetric() {
		l := map[string]string{}
		for _, p := range mt.GetLabel() {
			l[p.GetName()] = p.GetValue()
		}
		counts[l["method"]+" "+l["route"]+" "+l["status_class"]] = mt.GetCounter().GetValue()
	}
	for _, tc := range []struct {
		series string
		want   float64
	}{
		{"GET /healthz 2xx", 2},
		{"GET /api/v1/openapi.yaml 2xx", 1},
		{"GET /api/v1/users/:id 4xx", 2}, // anonymous: 401
		{"GET unmatched 4xx", 2},
		{"OTHER unmatched 4xx", 2},
	} {
		if counts[tc.series] != tc.want {
			t.Errorf("%s = %v, want %v (all: %v)", tc.series, counts[tc.series], tc.want, counts)
		}
	}
	if len(counts) != 5 {
		t.Errorf("series %v", counts)
	}
	hist := byName["awardflow_http_request_duration_seconds"]
	if hist == nil || len(hist.GetMetric()) != 5 || hist.GetMetric()[0].GetHistogram().GetSampleCount() == 0 {
		t.Errorf("latency histogram: %v", hist)
	}
	if g := byName["awardflow_http_requests_in_flight"]; g == nil || g.GetMetric()[0].GetGauge().GetValue() != 0 {
		t.Errorf("in flight: %v", g)
	}
	for _, name := range []string{"awardflow_build_info", "go_goroutines", "go_build_info"} {
		if byName[name] == nil {
			t.Errorf("no %s", name)
		}
	}
}
