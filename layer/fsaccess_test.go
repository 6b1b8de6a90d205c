package layer

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// fsAccessAllowed lists the direct filesystem calls the applier may make
// outside internal/fseval, per file, with the reason.
var fsAccessAllowed = map[string][]string{
	// Creating and canonicalising the caller's root directory itself: it is
	// not layer content, and must exist before anything can be confined in it.
	"unpack.go": {"os.MkdirAll", "filepath.Abs", "filepath.EvalSymlinks"},
}

// fsPackages are the imports whose functions touch the filesystem directly.
// internal/system is included: calling it from layer bypasses the rootless
// evaluator; only its pure error classifiers are exempt.
var fsPackages = map[string]bool{
	"os": true, "syscall": true, "io/ioutil": true, "path/filepath": true,
	"golang.org/x/sys/unix": true, "github.com/lade-oci/lade/internal/system": true,
}

var fsPure = map[string]bool{
	"system.IsXattrUnsupported": true, "system.IsXattrMissing": true,
	"filepath.Join": true, "filepath.Clean": true, "filepath.Dir": true, "filepath.Base": true,
	"filepath.IsAbs": true, "filepath.Rel": true, "filepath.Split": true, "filepath.ToSlash": true,
	"os.IsNotExist": true, "os.IsExist": true, "os.IsPermission": true, "os.Geteuid": true,
	"unix.Mkdev": true, "unix.Major": true, "unix.Minor": true,
}

// TestUnpackUsesFsEvalOnly enforces design lesson L9: the applier does rootfs
// I/O only through internal/fseval (so rootless mode and the confinement
// rules apply to every operation), never through os, unix, syscall or
// internal/system directly.
func TestUnpackUsesFsEvalOnly(t *testing.T) {
	files, err := filepath.Glob("unpack*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("glob unpack*.go: %v, %d files", err, len(files))
	}
	seen := map[string][]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{} // local name -> import path
		for _, imp := range file.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			name := p[strings.LastIndex(p, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			names[name] = p
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok || !fsPackages[names[id.Name]] {
				return true
			}
			fn := id.Name + "." + sel.Sel.Name
			if fsPure[fn] {
				return true
			}
			seen[f] = append(seen[f], fn)
			if !slices.Contains(fsAccessAllowed[f], fn) {
				t.Errorf("%s: direct filesystem call %s: go through internal/fseval", fset.Position(call.Pos()), fn)
			}
			return true
		})
	}
	for f, allowed := range fsAccessAllowed {
		for _, fn := range allowed {
			if !slices.Contains(seen[f], fn) {
				t.Errorf("allow-list entry %s in %s is stale: remove it", fn, f)
			}
		}
	}
}
