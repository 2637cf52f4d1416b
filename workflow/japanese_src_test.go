package workflow_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestErrorsHaveJapanese walks the source of the packages that make
// caller-facing errors and refuses any that would reach a Japanese reader
// with only the generic sentence of its code: an Errorf or an Error literal
// whose code is not Internal. Such errors are made with Refuse, which takes
// the Japanese beside the English.
func TestErrorsHaveJapanese(t *testing.T) {
	var files []string
	for _, dir := range []string{".", "../db"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testdata" || d.Name() == "dbtest") {
				return filepath.SkipDir
			}
			if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") && path != "errors.go" {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if name(n.Fun) == "Errorf" && isWorkflowErrorf(n.Fun) && len(n.Args) > 0 && !isInternal(n.Args[0]) {
					t.Errorf("%s: Errorf(%s, …) reaches callers without Japanese; use Refuse(code, ja, en, …)", fset.Position(n.Pos()), name(n.Args[0]))
				}
			case *ast.CompositeLit:
				if name(n.Type) != "Error" {
					return true
				}
				var code ast.Expr
				hasJa := false
				for _, e := range n.Elts {
					kv, ok := e.(*ast.KeyValueExpr)
					if !ok {
						continue
					}
					switch name(kv.Key) {
					case "Code":
						code = kv.Value
					case "Ja", "Problems":
						hasJa = true
					}
				}
				if code != nil && !isInternal(code) && !hasJa {
					t.Errorf("%s: Error{Code: %s} without Ja reaches callers without Japanese", fset.Position(n.Pos()), name(code))
				}
			}
			return true
		})
	}
}

// name is the last identifier of an expression: Errorf, workflow.Errorf → Errorf.
func name(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// isWorkflowErrorf tells workflow's Errorf (bare in package workflow, or
// workflow.Errorf elsewhere) from fmt.Errorf, which wraps causes for logs.
func isWorkflowErrorf(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		x, ok := f.X.(*ast.Ident)
		return ok && x.Name == "workflow"
	}
	return false
}

func isInternal(e ast.Expr) bool { return name(e) == "Internal" }
