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

// clockReaders are the Service methods that may read the clock: the
// transaction helpers, each once per transaction.
var clockReaders = []string{"inTx", "read"}

// TestServicesReadTheClockOnlyInTx: a service method takes the time from
// its transaction (s.inTx or s.read hand it the clock read once, in UTC),
// so that one transaction decides and stamps at one instant. No workflow
// source reads s.now elsewhere.
func TestServicesReadTheClockOnlyInTx(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	helperReads := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			allowed := fn.Recv != nil && slices.Contains(clockReaders, fn.Name.Name)
			for _, pos := range clockReads(fn.Body) {
				switch {
				case allowed:
					helperReads++
				default:
					t.Errorf("%s: %s reads the clock; take now from s.inTx (or s.read) instead", fset.Position(pos), fn.Name.Name)
				}
			}
		}
	}
	if helperReads < len(clockReaders) {
		t.Errorf("found %d clock reads in the helpers %v, want at least %d: is the walk still looking at the right thing?", helperReads, clockReaders, len(clockReaders))
	}
}

// clockReads are the positions of x.now, called or not (a Service's clock
// field), in body.
func clockReads(body *ast.BlockStmt) []token.Pos {
	var out []token.Pos
	ast.Inspect(body, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && sel.Sel.Name == "now" {
			if _, ok := sel.X.(*ast.Ident); ok {
				out = append(out, sel.Pos())
			}
		}
		return true
	})
	return out
}
