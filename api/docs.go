package api

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/awardflow/awardflow/policy"
	"github.com/awardflow/awardflow/workflow"
)

// PageRule is a web page's route and its rule, for the document.
type PageRule struct {
	Method, Path, Rule string
}

// AuthorizationDoc renders docs/authorization.md from the policy (the role ×
// permission matrix), the API routes and the web pages (each with its
// rule). A golden test keeps the file in sync.
func AuthorizationDoc(authz *policy.Authorizer, pages []PageRule) (string, error) {
	s, r, err := newServer(Config{Authorizer: authz, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# Authorization\n\n")
	b.WriteString("Generated from `policy/permissions.csv`, the routes in `api/api.go` and the pages in `api/web` by\n")
	b.WriteString("`go test ./api -run TestAuthorizationDocGolden -update`; do not edit by hand.\n\n")
	b.WriteString("Deny by default: a role holds only the permissions listed. Roles are granted per domain: ")
	b.WriteString("`admin` and `applicant` globally (`*`), `secretariat`, `chair` and `judge` per ministry (`mic`, `mhlw`, …).\n\n")
	roles := workflow.Roles
	cells := []string{"permission"}
	for _, role := range roles {
		cells = append(cells, string(role))
	}
	b.WriteString("## Role × permission\n\n| " + strings.Join(cells, " | ") + " |\n|---|" + strings.Repeat("---|", len(roles)) + "\n")
	for _, p := range authz.Permissions() {
		cells = []string{"`" + p.String() + "`"}
		for _, role := range roles {
			mark := " "
			if facts, ok := authz.FactsFor(role, p); ok {
				mark = "✓"
				if facts != 0 {
					mark = "✓ if " + facts.String()
				}
			}
			cells = append(cells, mark)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\nA rule marked *if* holds only when the service found those relation facts in its transaction ")
	b.WriteString("(the sixth column of `policy/permissions.csv`); the services ask the same rules through `workflow.Authorizer`, ")
	b.WriteString("in the object's domain. Permissions no route asks are the services' own (the lifecycle actions of the transition table).\n")
	b.WriteString("\n## Routes\n\n| method | path | rule | facts checked |\n|---|---|---|---|\n")
	for _, ri := range r.Routes() {
		ru := s.rules[ri.Method+" "+ri.Path]
		var facts []string
		if ru.Perm != (policy.Permission{}) {
			for _, role := range roles {
				if fs, ok := authz.FactsFor(role, ru.Perm); ok && fs != 0 {
					facts = append(facts, string(role)+": "+fs.String())
				}
			}
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", ri.Method, ri.Path, ru, strings.Join(facts, "; "))
	}
	if len(pages) > 0 {
		b.WriteString("\n## Web pages\n\nThe browser UI (`api/web`) registers every page with a rule from the same policy; ")
		b.WriteString("a signed-out caller of a private page is sent to sign in, a caller whose roles lack the permission gets 403, ")
		b.WriteString("and the services check the same facts as for the API.\n\n| method | path | rule |\n|---|---|---|\n")
		for _, p := range pages {
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", p.Method, p.Path, p.Rule)
		}
	}
	b.WriteString(`
## Facts checked with the data

The permission says whether a role may call a route at all. Inside the
transaction the service then checks the facts, and a caller who may not know
an object gets 404, not 403:

- an applicant sees and edits only its own organisation and its nominations,
  edits answers only in draft or returned, and sees screening and decisions as
  ` + "`under_review`" + ` (no stage, tier, award or staff names) until the programme's
  results are released;
- a secretariat sees and acts on the nominations of its own ministry's
  programmes only, sees users holding a grant in its ministry, and manages its
  ministry's judges and chairs and applicant contacts; administrators manage all;
- which role may take which lifecycle action is the transition table
  ([state diagram](state-diagram.md)); judges and chairs reach entries through
  their panels, not these routes;
- a grant or revocation takes effect on the very next request: every session
  lookup returns the grants version, and a newer one reloads the enforcer.
`)
	return b.String(), nil
}
