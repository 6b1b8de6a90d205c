package mtreeutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// fuzzSeedManifest is a real manifest (as WriteManifest writes) of the tree
// fuzzTree builds, so the fuzzer starts from text that parses.
const fuzzSeedManifest = `#mtree v0.5
# .
/set type=file nlink=1 mode=0644 uid=0 gid=0
. size=4096 type=dir mode=0755 nlink=3 time=1.0
    file size=3 mode=0600 time=1.0 sha256digest=98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4
    link type=link mode=0777 link=file size=4 time=1.0

# ./sub
sub size=4096 type=dir mode=0755 nlink=2 time=1.0 xattr.user.x=eA==
    a\040b size=0 mode=0644 time=1.0
..

..
`

// fuzzTree builds root/{file, link -> file, sub/a b}.
func fuzzTree(tb testing.TB) string {
	tb.Helper()
	root := filepath.Join(tb.TempDir(), "rootfs")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "file"), []byte("hi\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "sub", "a b"), nil, 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink("file", filepath.Join(root, "link")); err != nil {
		tb.Fatal(err)
	}
	_ = unix.Lsetxattr(filepath.Join(root, "sub"), "user.x", []byte("x"), 0) // not every fs has user xattrs
	return root
}

// FuzzManifest writes arbitrary text as a bundle's mtree manifest (which a
// user can edit) and runs what repack and mtree-validate run on it:
// ReadManifest, then Diff and Validate of a small real tree. None of them
// may panic; a manifest either fails to parse or gives deltas or an error.
func FuzzManifest(f *testing.F) {
	f.Add(fuzzSeedManifest)
	for _, s := range []string{
		"", "#mtree\n", ".\n", "..\n", "..\n..\n..\n", "/set\n", "/unset all\n", "/set type=dir\nfoo\n",
		". type=dir\n    x type=file sha256digest=zz\n..\n", ". type=dir\n/x/y type=file\n",
		". type=dir\n    x type=file size=-1 uid=-1 mode=999999 time=x.y\n", ". type=link link=\n",
		". type=dir\n    file type=file\n..\n..\n..\n    file type=dir\n", "./a/../../b type=file\n",
		". type=dir\n    x type=file xattr.=\n", ". type=dir tar_time=1.0 nlink=99999999999999999999\n",
		". type=dir\n    x\\ type=file\n", ". type=dir\n    \\777 type=file\n", ". unknownkw=1\n",
	} {
		f.Add(s)
	}
	root := fuzzTree(f)
	manifestPath := filepath.Join(f.TempDir(), "m.mtree")
	f.Fuzz(func(t *testing.T, text string) {
		if err := os.WriteFile(manifestPath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		dh, err := ReadManifest(t.Context(), manifestPath)
		if err != nil {
			return
		}
		if dh == nil {
			t.Fatal("ReadManifest: nil hierarchy without error")
		}
		_, _ = Diff(t.Context(), root, dh, DiffOptions{})
		_, _ = Validate(t.Context(), root, manifestPath, ValidateKeywords{})
		_, _ = Validate(t.Context(), root, manifestPath, ValidateKeywords{Umoci: true})
	})
}

// TestFuzzSeedManifest checks the main seed really reaches Diff and
// Validate: it parses, and both compare it with the tree without error.
func TestFuzzSeedManifest(t *testing.T) {
	root := fuzzTree(t)
	path := filepath.Join(t.TempDir(), "m.mtree")
	if err := os.WriteFile(path, []byte(fuzzSeedManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	dh, err := ReadManifest(t.Context(), path)
	if err != nil {
		t.Fatalf("ReadManifest: %v", err)
	}
	deltas, err := Diff(t.Context(), root, dh, DiffOptions{})
	if err != nil {
		t.Fatalf("Diff: %v", err)
	}
	if len(deltas) == 0 {
		t.Error("Diff: no deltas, want time and owner changes")
	}
	if _, err := Validate(t.Context(), root, path, ValidateKeywords{}); err != nil {
		t.Fatalf("Validate: %v", err)
	}
}

// TestReadManifestContinuationToBlank checks the go-mtree v0.7.0 panic on a
// '\' continuation that leaves a blank line is a clean parse error.
func TestReadManifestContinuationToBlank(t *testing.T) {
	for name, text := range map[string]string{
		"backslash alone":          `\`,
		"joined to blank line":     ". type=dir\n  \\\n\t\n",
		"backslash at end of file": "#mtree v0.5\n. type=dir\n   \\",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.mtree")
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			dh, err := ReadManifest(t.Context(), path)
			if err == nil || dh != nil || !strings.Contains(err.Error(), "malformed manifest") {
				t.Fatalf("ReadManifest = %v, %v; want a malformed manifest error", dh, err)
			}
		})
	}
}
