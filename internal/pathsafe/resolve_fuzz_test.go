package pathsafe

import (
	"strings"
	"testing"
)

// FuzzResolve checks that whatever the path, the result is inside the root.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"../x", "abs/../../..", "up/up/etc", "/a/b/rel/../..", "loop1", "a/escape/.."} {
		f.Add(s)
	}
	root := mkTree(f)
	f.Fuzz(func(t *testing.T, p string) {
		got, err := Resolve(root, p, nil)
		if err != nil {
			return
		}
		if !strings.HasPrefix(got, "/") || strings.Contains("/"+got+"/", "/../") || Clean(got) != got {
			t.Fatalf("Resolve(%q) = %q: not a clean in-root path", p, got)
		}
	})
}
