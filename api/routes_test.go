package api

import (
	"flag"
	"github.com/awardflow/awardflow/api/web"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/awardflow/awardflow/policy"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestEveryRouteHasARule: every registered route went through route() and
// so has an explicit rule; only health, sign-up, login and invitation
// acceptance are public; every other route refuses an anonymous caller.
func TestEveryRouteHasARule(t *testing.T) {
	authz, err := policy.New()
	if err != nil {
		t.Fatal(err)
	}
	s, r, err := newServer(Config{Authorizer: authz, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	publicRoutes := map[string]bool{"GET /healthz": true, "GET /readyz": true, "GET /api/v1/openapi.yaml": true, "POST /api/v1/auth/signup": true,
		"POST /api/v1/auth/login": true, "POST /api/v1/invitations/accept": true,
		"GET /api/v1/public/cycles/:key/awards": true, "GET /api/v1/public/cycles/:key/awards.csv": true,
		"GET /api/v1/public/cycles/:key/awards.xlsx": true, "GET /api/v1/public/cycles/:key/programmes/:programme/publications/:version": true}
	known := map[policy.Permission]bool{}
	for _, p := range authz.Permissions() {
		known[p] = true
	}
	for _, ri := range r.Routes() {
		key := ri.Method + " " + ri.Path
		ru, ok := s.rules[key]
		switch {
		case !ok:
			t.Errorf("%s has no authorization rule", key)
		case ru.Public != publicRoutes[key]:
			t.Errorf("%s: public = %v", key, ru.Public)
		case !ru.Public && !ru.SignedIn && !known[ru.Perm]:
			t.Errorf("%s asks for %s, which no role holds", key, ru.Perm)
		}
	}
	if len(s.rules) != len(r.Routes()) {
		t.Errorf("%d rules for %d routes", len(s.rules), len(r.Routes()))
	}
}

// TestOpenAPIMatchesRoutes: the spec names exactly the registered routes.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	data, err := os.ReadFile("../docs/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		OpenAPI string                    `yaml:"openapi"`
		Paths   map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(spec.OpenAPI, "3.1") {
		t.Errorf("openapi = %q, want 3.1.x", spec.OpenAPI)
	}
	inSpec := map[string]bool{}
	for path, ops := range spec.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			inSpec[strings.ToUpper(method)+" "+path] = true
		}
	}
	authz, _ := policy.New()
	_, r, _ := newServer(Config{Authorizer: authz, Logger: discard()})
	param := regexp.MustCompile(`:(\w+)`)
	registered := map[string]bool{}
	for _, ri := range r.Routes() {
		key := ri.Method + " " + param.ReplaceAllString(ri.Path, "{$1}")
		registered[key] = true
		if !inSpec[key] {
			t.Errorf("route %s is missing from docs/openapi.yaml", key)
		}
	}
	var extra []string
	for k := range inSpec {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		t.Errorf("docs/openapi.yaml names %s, which is not a route", k)
	}
}

func TestAuthorizationDocGolden(t *testing.T) {
	const path = "../docs/authorization.md"
	authz, err := policy.New()
	if err != nil {
		t.Fatal(err)
	}
	var pages []PageRule
	for _, p := range web.Pages() {
		pages = append(pages, PageRule{Method: p.Method, Path: p.Pattern, Rule: p.Rule.String()})
	}
	got, err := AuthorizationDoc(authz, pages)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil || string(want) != got {
		t.Fatalf("%s is out of date with the policy or the routes; run go test ./api -run TestAuthorizationDocGolden -update", path)
	}
}
