package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestBadURLsRefusedAtTheEdge: on every route template, public ones
// included, a control character, invalid UTF-8 or a malformed percent-escape
// in a path parameter or the query gives 400 invalid_url with a message in
// the caller's language, signed in or not, before any handler runs. It is
// sent over real HTTP, so the server's own URL parsing is in the way too.
func TestBadURLsRefusedAtTheEdge(t *testing.T) {
	f := newFixture(t, dbtestSQLite(t))
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	_, r, err := newServer(Config{Authorizer: f.authz, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	pathProbes := []string{"%00", "a%00b", "%01", "%0A", "%0D", "%1B", "%7F", "%C2%85", "%FF", "%C3", "%ED%A0%80"}
	queryProbes := []string{"q=%00", "q=a%00", "%00=1", "q=%ZZ", "q=%", "q=%FF", "q=%0A", "status=%7F", "q=ok&r=%1F"}
	param := regexp.MustCompile(`:\w+`)
	probes := 0
	for _, ri := range r.Routes() {
		var urls []string
		if param.MatchString(ri.Path) {
			for _, p := range pathProbes {
				urls = append(urls, param.ReplaceAllString(ri.Path, p))
			}
		}
		fill := param.ReplaceAllString(ri.Path, "1")
		for _, q := range queryProbes {
			urls = append(urls, fill+"?"+q)
		}
		for _, u := range urls {
			for _, tc := range []struct{ token, lang, want string }{
				{"", "ja", "URL の"}, {f.tokens["admin"], "en", "the URL "}, {f.tokens["owner"], "ja", "URL の"},
			} {
				probes++
				req, err := http.NewRequest(ri.Method, srv.URL+u, strings.NewReader("{}"))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Accept-Language", tc.lang)
				req.Header.Set("Content-Type", "application/json")
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				data, _ := io.ReadAll(res.Body)
				res.Body.Close()
				var body errorJSON
				_ = json.Unmarshal(data, &body)
				if res.StatusCode != http.StatusBadRequest || body.Error.Code != "invalid_url" ||
					!strings.HasPrefix(body.Error.Message, tc.want) {
					t.Errorf("%s %s (%s): %d %s", ri.Method, u, tc.lang, res.StatusCode, data)
				}
			}
		}
	}
	t.Logf("%d probes", probes)
	// Ordinary Japanese and escapes still pass.
	for _, u := range []string{"/healthz?q=%E4%BB%A4%E5%92%8C&x=a+b", "/api/v1/public/cycles/fy2026-telework/awards?lang=%E6%97%A5"} {
		res, err := srv.Client().Get(srv.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d", u, res.StatusCode)
		}
	}
}
