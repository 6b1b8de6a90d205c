package mtreeutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vbatts/go-mtree"
)

func TestParseKeywords(t *testing.T) {
	got, err := ParseKeywords("sha256,size", "xattrs type  md5", "size")
	if err != nil {
		t.Fatal(err)
	}
	want := []mtree.Keyword{"sha256digest", "size", "xattr", "type", "md5digest"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if _, err := ParseKeywords("size,bogus"); err == nil || !strings.Contains(err.Error(), `"bogus"`) {
		t.Errorf("unknown keyword: %v", err)
	}
}

func TestValidate(t *testing.T) {
	root := variedTree(t)
	dh, err := mtree.Walk(root, nil, Keywords, nil) // a manifest go-mtree wrote
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(t.TempDir(), "m.mtree")
	must(t, WriteManifest(t.Context(), manifest, dh))
	// Changes seen by some keyword sets only.
	must(t, os.Chmod(filepath.Join(root, "hello.txt"), 0o600))
	must(t, os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("ROOT:x:0:0:root:/root:/bin/sh\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "zz"), nil, 0o644))

	tests := []struct {
		name   string
		kw     ValidateKeywords
		wantKw []mtree.Keyword
		want   []string // expected delta paths
	}{
		{name: "manifest keywords", want: []string{".", "etc/passwd", "hello.txt", "usr/hello-link", "zz"}},
		{name: "umoci keywords", kw: ValidateKeywords{Umoci: true}, wantKw: Keywords},
		{name: "use size only adds type", kw: ValidateKeywords{Use: []string{"size"}}, wantKw: []mtree.Keyword{"size", "type"}, want: []string{"zz"}},
		{name: "use sha256 synonym", kw: ValidateKeywords{Use: []string{"sha256"}}, wantKw: []mtree.Keyword{"sha256digest", "type"}, want: []string{"etc/passwd", "zz"}},
		{name: "use plus add", kw: ValidateKeywords{Use: []string{"size"}, Add: []string{"mode"}}, wantKw: []mtree.Keyword{"size", "mode", "type"}, want: []string{"hello.txt", "usr/hello-link", "zz"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kws, err := tc.kw.Keywords(dh)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantKw != nil && !slices.Equal(kws, tc.wantKw) {
				t.Errorf("keywords %v, want %v", kws, tc.wantKw)
			}
			got, err := Validate(t.Context(), root, manifest, tc.kw)
			if err != nil {
				t.Fatal(err)
			}
			check, err := mtree.Check(root, dh, kws, nil)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := deltaStrings(got), deltaStrings(check); !slices.Equal(g, w) {
				t.Errorf("Validate != mtree.Check:\n got %q\nwant %q", g, w)
			}
			if tc.want != nil {
				var paths []string
				for _, d := range got {
					paths = append(paths, d.Path())
				}
				slices.Sort(paths)
				want := slices.Sorted(slices.Values(tc.want))
				if !slices.Equal(paths, want) {
					t.Errorf("delta paths %v, want %v", paths, want)
				}
			}
		})
	}
	if _, err := Validate(t.Context(), root, manifest, ValidateKeywords{Add: []string{"nope"}}); err == nil {
		t.Error("unknown -K keyword accepted")
	}
}

// TestValidateAgreesWithGomtree builds gomtree v0.7.0 from the module
// cache (offline) and compares verdicts with its validate command.
func TestValidateAgreesWithGomtree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds gomtree")
	}
	bin := filepath.Join(t.TempDir(), "gomtree")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, "github.com/vbatts/go-mtree/cmd/gomtree")
	build.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build gomtree offline: %v\n%s", err, out)
	}
	root := variedTree(t)
	rec := NewStatCache()
	dh, err := Walk(t.Context(), root, WalkOptions{Record: rec})
	if err != nil {
		t.Fatal(err)
	}
	manifest := filepath.Join(t.TempDir(), "m.mtree")
	must(t, WriteManifest(t.Context(), manifest, dh))
	gomtree := func(k string) []string {
		cmd := exec.CommandContext(t.Context(), bin, "validate", "-f", manifest, "-p", root, "-k", k, "--strict", "--result-format", "path")
		out, _ := cmd.Output() // exits non-zero on differences
		lines := strings.Fields(string(out))
		slices.Sort(lines)
		return lines
	}
	ours := func(k string) []string {
		deltas, err := Validate(t.Context(), root, manifest, ValidateKeywords{Use: []string{k}})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, d := range deltas {
			paths = append(paths, d.Path())
		}
		slices.Sort(paths)
		return paths
	}
	const k = "size,type,uid,gid,mode,link,nlink,tar_time,sha256digest,xattr"
	if g, o := gomtree(k), ours(k); len(g) != 0 || len(o) != 0 {
		t.Fatalf("unchanged tree: gomtree %v, lade %v", g, o)
	}
	must(t, os.WriteFile(filepath.Join(root, "etc/passwd"), []byte("ROOT:x:0:0:root:/root:/bin/sh\n"), 0o644))
	must(t, os.Chmod(filepath.Join(root, "empty"), 0o640))
	must(t, os.Remove(filepath.Join(root, "usr/passwd-link")))
	for _, kw := range []string{k, "sha256digest", "mode", "size,type"} {
		if g, o := gomtree(kw), ours(kw); !slices.Equal(g, o) {
			t.Errorf("-k %s: gomtree %v, lade %v", kw, g, o)
		}
	}
}
