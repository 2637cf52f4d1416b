package workflow

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// authzBoundary are the files that may compare roles: the authorizer
// boundary itself (Actor's grants and the role a grant gives in a domain).
var authzBoundary = []string{"authz.go"}

// TestServicesDoNotCompareRoles: outside the authorizer boundary no
// workflow source compares with a Role constant (==, !=) or switches on
// roles; who may do what is asked of the Authorizer, whose answer comes
// from policy/permissions.csv.
func TestServicesDoNotCompareRoles(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	roleConst := map[string]bool{}
	for _, r := range Roles {
		roleConst["Role"+strings.ToUpper(string(r[:1]))+string(r[1:])] = true
	}
	fset := token.NewFileSet()
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") || slices.Contains(authzBoundary, path) {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range roleChecks(f, roleConst) {
			t.Errorf("%s: %s: ask the Authorizer for a permission instead", fset.Position(v.pos), v.what)
		}
	}
}

type roleCheck struct {
	pos  token.Pos
	what string
}

// roleChecks finds comparisons with Role constants and switches with a
// Role constant among their cases.
func roleChecks(f *ast.File, roleConst map[string]bool) []roleCheck {
	isRole := func(e ast.Expr) bool {
		id, ok := ast.Unparen(e).(*ast.Ident)
		return ok && roleConst[id.Name]
	}
	var out []roleCheck
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (isRole(n.X) || isRole(n.Y)) {
				out = append(out, roleCheck{n.Pos(), "comparison with a role"})
			}
		case *ast.SwitchStmt:
			for _, s := range n.Body.List {
				if slices.ContainsFunc(s.(*ast.CaseClause).List, isRole) {
					out = append(out, roleCheck{n.Pos(), "switch on roles"})
					break
				}
			}
		}
		return true
	})
	return out
}

// TestRoleChecksFound: the source test sees the forms it forbids.
func TestRoleChecksFound(t *testing.T) {
	src := `package x
func f(a Actor, r Role) bool {
	switch a.RoleIn("mic") {
	case RoleAdmin:
	}
	if r == "" {
		return false
	}
	return r == RoleJudge || (RoleChair) != r
}`
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := roleChecks(f, map[string]bool{"RoleAdmin": true, "RoleJudge": true, "RoleChair": true}); len(got) != 3 {
		t.Fatalf("found %v, want a switch and two comparisons", got)
	}
}
