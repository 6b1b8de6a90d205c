package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/internal/testimage"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string // substring of output, or of the error when wantErr
		err  bool
	}{
		{"small", []string{"small", dir + "/img:small"}, "(3 layers)", false},
		{"no args", nil, "usage", true},
		{"no tag", []string{"small", dir + "/img"}, "want LAYOUT:TAG", true},
		{"unknown kind", []string{"huge", dir + "/img:x"}, "unknown kind", true},
		{"busybox missing", []string{"busybox", dir + "/img:bb"}, "busybox-static", true},
		{"tree", []string{"tree", dir + "/tree", "10", "1000"}, "10 files, 1000 bytes", false},
		{"tree bad count", []string{"tree", dir + "/tree2", "x", "1"}, "positive", true},
		{"scale bad divisor", []string{"scale", dir + "/img:s", "0"}, "positive integer", true},
		{"scale extra argument", []string{"scale", dir + "/img:s", "2", "3"}, "usage", true},
	}
	t.Setenv("BUSYBOX", filepath.Join(dir, "no-such-busybox"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := run(t.Context(), tc.args, &out)
			got := out.String()
			if err != nil {
				got = err.Error()
			}
			if (err != nil) != tc.err || !strings.Contains(got, tc.want) {
				t.Fatalf("run(%q) = %q, err %v; want %q", tc.args, got, err, tc.want)
			}
		})
	}
}

func TestBenchCacheReuse(t *testing.T) {
	layout := filepath.Join(t.TempDir(), "bench")
	if err := os.MkdirAll(layout, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(layout, "index.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stamp := testimage.BenchVersion + " bench\nrecorded stats\n"
	if err := os.WriteFile(layout+".mkimage", []byte(stamp), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"bench", layout + ":bench"}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "reusing cached") || !strings.Contains(out.String(), "recorded stats") {
		t.Fatalf("cache not reused: %q", out.String())
	}
}
