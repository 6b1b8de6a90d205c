package fseval

import (
	"testing"

	"github.com/vbatts/go-mtree"
)

// TestNewInBind: NewIn picks the implementation and makes its root absolute;
// Bind only gives a root to the rootless evaluator that has none.
func TestNewInBind(t *testing.T) {
	t.Chdir(t.TempDir())
	if NewIn("x", false) != Default {
		t.Fatal("NewIn(false) is not Default")
	}
	r, ok := NewIn("x", true).(rootlessFs)
	if !ok || r.root == "x" || r.root == "" {
		t.Fatalf("NewIn(x, true) = %#v", NewIn("x", true))
	}
	tests := []struct {
		name string
		in   mtree.FsEval
		want mtree.FsEval
	}{
		{"unbound rootless", Rootless, rootlessFs{root: "/srv/tree"}},
		{"bound rootless kept", rootlessFs{root: "/other"}, rootlessFs{root: "/other"}},
		{"default kept", Default, Default},
		{"nil kept", nil, nil},
		{"mtree default kept", mtree.DefaultFsEval{}, mtree.DefaultFsEval{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Bind(tt.in, "/srv/tree"); got != tt.want {
				t.Fatalf("Bind = %#v, want %#v", got, tt.want)
			}
		})
	}
}
