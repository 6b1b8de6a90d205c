package layer

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/system"
	"github.com/lade-oci/lade/layer/layertest"
)

// hostileCase is one attack: layers applied in order to root, next to a
// sentinel tree. wantErr nil means the attack must be neutralised (unpack
// succeeds), errAny any error, otherwise errors.Is.
type hostileCase struct {
	name    string
	root    bool // needs euid 0 (devices, foreign owners, trusted xattrs)
	layers  func(e breakoutEnv) [][]layertest.Entry
	raw     func(t *testing.T) [][]byte // instead of layers: hand-made streams
	wantErr error
	check   func(t *testing.T, e breakoutEnv) // extra checks after unpack
}

// runHostile applies tc (with and without KeepDirlinks) and checks the
// error, that it is one line, that nothing outside root changed, and that
// unpacking never blocks.
func runHostile(t *testing.T, tc hostileCase) {
	t.Helper()
	for _, keep := range []bool{false, true} {
		name := tc.name
		if keep {
			name += "/keepdirlinks"
		}
		t.Run(name, func(t *testing.T) {
			if tc.root {
				requireRoot(t)
			}
			e := newBreakoutEnv(t, t.TempDir())
			xattrs := outsideXattrs(t, e.outside)
			var streams [][]byte
			if tc.raw != nil {
				streams = tc.raw(t)
			} else {
				for _, l := range tc.layers(e) {
					streams = append(streams, layertest.Tar(t, l...))
				}
			}
			done := make(chan error, 1)
			go func() {
				for _, s := range streams {
					if err := UnpackLayer(t.Context(), e.root, bytes.NewReader(s), &UnpackOptions{KeepDirlinks: keep}); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("unpack blocked for 20s")
			}
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("unpack: %v", err)
			case tc.wantErr == errAny && err == nil,
				tc.wantErr != nil && tc.wantErr != errAny && !errors.Is(err, tc.wantErr):
				t.Fatalf("unpack error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				msg := err.Error()
				if strings.ContainsAny(msg, "\n\r\x00") || len(msg) > 1024 {
					t.Fatalf("error is not one short line (%d bytes): %q", len(msg), msg)
				}
			}
			e.check(t)
			if got := outsideXattrs(t, e.outside); got != xattrs {
				t.Fatalf("xattrs outside changed:\n got %s\nwant %s", got, xattrs)
			}
			if tc.check != nil && err == nil {
				tc.check(t, e)
			}
			// Whatever happened, the half-written root can be removed so a
			// retry starts clean.
			if err := os.RemoveAll(e.root); err != nil {
				t.Fatalf("remove root for retry: %v", err)
			}
		})
	}
}

// outsideXattrs lists every xattr (name=value) on every path under dir, not
// following symlinks.
func outsideXattrs(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		names, err := llistxattr(p)
		if err != nil {
			return nil // unsupported here: nothing to compare
		}
		for _, n := range names {
			v, _ := lgetxattr(p, n)
			b.WriteString(p + " " + n + "=" + v + "\n")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// wantRegular asserts in-root path p is a regular file holding content.
func wantRegular(p, content string) func(t *testing.T, e breakoutEnv) {
	return func(t *testing.T, e breakoutEnv) {
		t.Helper()
		fi, _ := lstat(t, filepath.Join(e.root, p))
		if !fi.Mode().IsRegular() {
			t.Fatalf("%s is %v, want a regular file", p, fi.Mode())
		}
		if got := readFile(t, filepath.Join(e.root, p)); got != content {
			t.Fatalf("%s = %q, want %q", p, got, content)
		}
	}
}

func llistxattr(p string) ([]string, error) { return system.Llistxattr(p) }
