package pathsafe

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func mkTree(t testing.TB) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	for _, d := range []string{"etc/alternatives", "usr/bin", "a/b"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"abs":                 "/usr/bin",
		"up":                  "../../../../..",
		"etc/alternatives/vi": "/usr/bin/vim",
		"a/b/rel":             "../../etc",
		"loop1":               "loop2",
		"loop2":               "loop1",
		"chain":               "/abs/../abs",
		"file":                "",
		"a/escape":            "/../../../tmp",
	}
	for l, tgt := range links {
		p := filepath.Join(root, l)
		if tgt == "" {
			if err := os.WriteFile(p, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.Symlink(tgt, p); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestResolve(t *testing.T) {
	root := mkTree(t)
	tests := []struct {
		in, want string
		loop     bool
	}{
		{in: "", want: "/"},
		{in: "/", want: "/"},
		{in: "../../..", want: "/"},
		{in: "abs/x", want: "/usr/bin/x"},
		{in: "up/etc", want: "/etc"},
		{in: "etc/alternatives/vi", want: "/usr/bin/vim"},
		{in: "a/b/rel/passwd", want: "/etc/passwd"},
		{in: "chain", want: "/usr/abs"},
		{in: "missing/../x", want: "/x"},
		{in: "file/x", want: "/file/x"},
		{in: "a/escape/y", want: "/tmp/y"},
		{in: "loop1/x", loop: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Resolve(root, tc.in, nil)
			if tc.loop {
				if !errors.Is(err, syscall.ELOOP) {
					t.Fatalf("Resolve(%q) = %q, %v; want ELOOP", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Resolve(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestResolveParent(t *testing.T) {
	root := mkTree(t)
	got, err := ResolveParent(root, "/abs/../etc/alternatives/vi", nil)
	if err != nil || got != "/etc/alternatives/vi" {
		t.Fatalf("ResolveParent = %q, %v", got, err)
	}
	got, err = ResolveParent(root, "abs/link", nil)
	if err != nil || got != "/usr/bin/link" {
		t.Fatalf("ResolveParent = %q, %v", got, err)
	}
}

func TestInRoot(t *testing.T) {
	if _, err := InRoot("/r", "/rx/y"); !errors.Is(err, ErrBreakout) {
		t.Fatalf("InRoot sibling prefix: %v", err)
	}
	if got, err := InRoot("/r", "/r/a/../b"); err != nil || got != "/b" {
		t.Fatalf("InRoot = %q, %v", got, err)
	}
	if _, err := Resolve("rel", "x", nil); err == nil || !strings.Contains(err.Error(), "not absolute") {
		t.Fatalf("relative root: %v", err)
	}
}
