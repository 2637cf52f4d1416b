package api

import (
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the server's Prometheus metrics, kept in a registry of
// their own (never the process-wide default, so two servers in one test
// process do not share counters). They are served by Handler on a listener
// of their own (serve --metrics-addr), never on the API port.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight prometheus.Gauge
}

// NewMetrics registers the HTTP metrics, the Go runtime and process
// collectors, build information, and, when pool is not nil, the database
// pool's sql.DBStats under the label db="awardflow".
func NewMetrics(version string, pool *sql.DB) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	labels := []string{"method", "route", "status_class"}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "awardflow_http_requests_total",
		Help: "HTTP requests served, by method, route template and status class (2xx, 4xx, …).",
	}, labels)
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "awardflow_http_request_duration_seconds",
		Help:    "Time to serve an HTTP request, by method, route template and status class.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, labels)
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "awardflow_http_requests_in_flight",
		Help: "HTTP requests being served now.",
	})
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "awardflow_build_info",
		Help:        "Always 1; the label carries the version of the running server.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	m.reg.MustRegister(m.requests, m.duration, m.inFlight, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewBuildInfoCollector())
	if pool != nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(pool, "awardflow"))
	}
	return m
}

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Registry is the registry, for tests and for adding collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

var knownMethods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true,
	"DELETE": true, "OPTIONS": true, "CONNECT": true, "TRACE": true}

// observe is the first middleware: it sees every request, including those
// that match no route (labelled "unmatched", and unusual methods "OTHER",
// so scanners probing random paths cannot grow the label set) and those
// that panic.
func (m *Metrics) observe(c *gin.Context) {
	start := time.Now()
	m.inFlight.Inc()
	defer func() {
		m.inFlight.Dec()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		method := c.Request.Method
		if !knownMethods[method] {
			method = "OTHER" // a client may send any token as a method
		}
		class := strconv.Itoa(c.Writer.Status()/100) + "xx"
		m.requests.WithLabelValues(method, route, class).Inc()
		m.duration.WithLabelValues(method, route, class).Observe(time.Since(start).Seconds())
	}()
	c.Next()
}

// Observe records the requests of a handler that is not gin's (the web
// UI) like the API's: route names the request's route template, "" for a
// request that matches none.
func (m *Metrics) Observe(h http.Handler, route func(*http.Request) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		m.inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			m.inFlight.Dec()
			name := route(r)
			if name == "" {
				name = "unmatched"
			}
			method := r.Method
			if !knownMethods[method] {
				method = "OTHER"
			}
			class := strconv.Itoa(sw.status/100) + "xx"
			m.requests.WithLabelValues(method, name, class).Inc()
			m.duration.WithLabelValues(method, name, class).Observe(time.Since(start).Seconds())
		}()
		h.ServeHTTP(sw, r)
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
