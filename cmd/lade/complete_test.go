package main

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/compress"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// completeOut runs "lade __complete words..." and returns the directive's
// action and prefix and the candidate words (descriptions dropped). It
// fails the test unless lade exits 0 with nothing on stderr.
func completeOut(t *testing.T, words ...string) (action, prefix string, cands []string) {
	t.Helper()
	r := lade(t, append([]string{"__complete"}, words...)...)
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("__complete %q: exit %d, stderr %q", words, r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
	directive, ok := strings.CutPrefix(lines[0], ":")
	if !ok {
		t.Fatalf("__complete %q: no directive line: %q", words, r.stdout)
	}
	action, prefix, _ = strings.Cut(directive, "\t")
	for _, l := range lines[1:] {
		w, _, _ := strings.Cut(l, "\t")
		cands = append(cands, w)
	}
	return action, prefix, cands
}

// platformLayout is a layout with images tagged amd64 and arm64v8 and an index
// of both tagged multi.
func platformLayout(t *testing.T) string {
	t.Helper()
	path := indexLayout(t, [2]string{"amd64", ""}, [2]string{"arm64", "v8"})
	mustLade(t, "index", "create", "--image", path+":multi", "amd64", "arm64v8")
	return path
}

func TestComplete(t *testing.T) {
	l := platformLayout(t)
	arc := filepath.Join(t.TempDir(), "img.tar")
	mustLade(t, "tag", "--image", l+":amd64", "x")
	tarLayout(t, l, arc)
	for _, c := range []struct {
		words  []string
		action string
		prefix string
		want   []string
	}{
		{[]string{"unp"}, "none", "", []string{"unpack"}},
		{[]string{"r"}, "none", "", []string{"raw", "remove", "repack"}},
		{[]string{"raw", "u"}, "none", "", []string{"unpack"}},
		{[]string{"index", ""}, "none", "", []string{"add", "create", "ls", "remove"}},
		{[]string{"--log", "debug", "unpack", "--im"}, "none", "", []string{"--image"}},
		{[]string{"--l"}, "none", "", []string{"--log"}},
		{[]string{"gc", "-"}, "none", "", []string{"--layout", "--dry-run", "--help", "-h"}},
		{[]string{"gc", ""}, "none", "", []string{"--layout", "--dry-run", "--help"}},
		{[]string{"gc", "--layout", "x", "--dry-run", ""}, "none", "", []string{"--help"}},
		{[]string{"config", "--clear", "a", "--cl"}, "none", "", []string{"--clear"}}, // repeatable
		{[]string{"--log", ""}, "none", "", logLevelNames},
		{[]string{"--log=w"}, "none", "", []string{"--log=warn"}},
		{[]string{"insert", "--compress", ""}, "none", "", []string{"none", "gzip", "zstd", "auto"}},
		{[]string{"export", "--compress", ""}, "none", "", []string{"none", "gzip", "zstd"}},
		{[]string{"config", "--clear", "config.e"}, "none", "", []string{"config.entrypoint", "config.env", "config.exposedports"}},
		{[]string{"unpack", "--image", l + ":"}, "none", "", []string{l + ":amd64", l + ":arm64v8", l + ":multi", l + ":x"}},
		{[]string{"unpack", "--image=" + l + ":a"}, "none", "", []string{"--image=" + l + ":amd64", "--image=" + l + ":arm64v8"}},
		{[]string{"stat", "--image", arc + ":m"}, "none", "", []string{arc + ":multi"}},
		{[]string{"unpack", "--image", "im"}, "layouts", "", nil},
		{[]string{"ls", "--layout", ""}, "layouts", "", nil},
		{[]string{"ls", "--layout=im"}, "layouts", "--layout=", nil},
		{[]string{"unpack", "--image", l + ":multi", "--platform", ""}, "none", "", []string{"linux/amd64", "linux/arm64/v8"}},
		{[]string{"index", "rm", "--image", arc + ":multi", "--platform=linux/arm"}, "none", "", []string{"--platform=linux/arm64/v8"}},
		{[]string{"diff", l + ":multi", l + ":x", "--platform", ""}, "none", "", []string{"linux/amd64", "linux/arm64/v8"}},
		{[]string{"stat", "--image", l + ":x", "--platform", ""}, "none", "", nil},
		{[]string{"index", "create", "--image", l + ":new", "amd64", "a"}, "none", "", []string{"amd64", "arm64v8"}},
		{[]string{"diff", l + ":x", l + ":m"}, "none", "", []string{l + ":multi"}},
		{[]string{"unpack", "--image", l + ":x", ""}, "dirs", "", nil},
		{[]string{"unpack", "--image", l + ":x", "bundle", ""}, "none", "", nil},
		{[]string{"raw", "runtime-config", "--rootfs", ""}, "dirs", "", nil},
		{[]string{"raw", "add-layer", "--image", l, ""}, "files", "", nil},
		{[]string{"insert", "--image", l, "src", ""}, "none", "", nil},
		{[]string{"insert", "--image", l, "src", "/dst", ""}, "files", "", nil},
		{[]string{"repack", "--mask-path", ""}, "none", "", nil},
		{[]string{"tag", "--image", l + ":x", ""}, "none", "", nil},
		{[]string{"completion", ""}, "none", "", []string{"bash", "zsh", "fish"}},
		{[]string{"help", "st"}, "none", "", []string{"stat"}},
		{[]string{"frobnicate", ""}, "none", "", nil},
		{[]string{"unpack", "--", "-"}, "dirs", "", nil},
	} {
		action, prefix, got := completeOut(t, c.words...)
		if action != c.action || prefix != c.prefix || !slices.Equal(got, c.want) {
			t.Errorf("complete %q = %s %q %q; want %s %q %q", c.words, action, prefix, got, c.action, c.prefix, c.want)
		}
	}
}

// tarLayout writes the layout directory src as an OCI archive at dst.
func tarLayout(t *testing.T, src, dst string) {
	t.Helper()
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	if err := tw.AddFS(os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestCompleteEveryCommand walks the command tree: every visible command
// completes from its parent, and every flag of its --help completes.
func TestCompleteEveryCommand(t *testing.T) {
	app := newApp("lade", io.Discard, io.Discard)
	app.Setup()
	for _, n := range commandTree(app.Commands, nil) {
		parent := n.path[:len(n.path)-1]
		name := n.cmd.Name
		if _, _, got := completeOut(t, append(slices.Clone(parent), name[:1])...); !slices.Contains(got, name) {
			t.Errorf("%q does not complete from %q: %q", n.key(), name[:1], got)
		}
		for _, f := range commandFlags(n.cmd) {
			for _, fname := range f.Names() {
				d := dashed(fname)
				if _, _, got := completeOut(t, append(slices.Clone(n.path), d[:len(d)-1])...); !slices.Contains(got, d) {
					t.Errorf("%s: %s does not complete: %q", n.key(), d, got)
				}
			}
		}
	}
}

// TestCompleteValuesAreAccepted: the fixed value sets offered are the
// values the commands accept.
func TestCompleteValuesAreAccepted(t *testing.T) {
	for _, l := range logLevelNames {
		if _, err := parseLogLevel(l); err != nil {
			t.Errorf("--log %s: %v", l, err)
		}
	}
	keys := clearKeyNames()
	for k, canon := range clearKeys {
		if !slices.Contains(keys, canon) {
			t.Errorf("--clear %s: canonical %s not offered", k, canon)
		}
	}
	for _, k := range keys {
		if clearKeys[k] != k {
			t.Errorf("--clear %s offered but not a canonical key", k)
		}
	}
	app := newApp("lade", io.Discard, io.Discard)
	app.Setup()
	seen := 0
	for _, n := range commandTree(app.Commands, nil) {
		f := findFlag(n.cmd.Flags, "compress")
		if f == nil {
			continue
		}
		seen++
		_, _, got := completeOut(t, append(slices.Clone(n.path), "--compress", "")...)
		for _, v := range got {
			if _, err := compress.ByName(v); err != nil && v != compressAuto {
				t.Errorf("%s --compress %s: %v", n.key(), v, err)
			}
		}
		if len(got) < 3 {
			t.Errorf("%s --compress: %q", n.key(), got)
		}
	}
	if seen < 5 {
		t.Errorf("only %d commands with --compress", seen)
	}
}

// TestCompleteBadLayouts: a missing, corrupt or unreadable layout completes
// nothing and prints nothing (completeOut checks stderr and the exit
// status), a FIFO does not hang, and completion neither writes to a layout
// nor waits for its lock.
func TestCompleteBadLayouts(t *testing.T) {
	tmp := t.TempDir()
	corrupt := newLayout(t)
	if err := os.WriteFile(filepath.Join(corrupt, "index.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(tmp, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, layout := range []string{filepath.Join(tmp, "missing"), corrupt, fifo, tmp, "/dev/null", ""} {
		for _, words := range [][]string{
			{"unpack", "--image", layout + ":"},
			{"unpack", "--image", layout + ":multi", "--platform", ""},
			{"index", "add", "--image", layout + ":multi", ""},
		} {
			if _, _, got := completeOut(t, words...); len(got) != 0 {
				t.Errorf("complete %q = %q, want nothing", words, got)
			}
		}
	}

	l := platformLayout(t)
	before := treeState(t, l)
	e, err := dir.Open(t.Context(), l)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if err := e.LockExclusive(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, _, got := completeOut(t, "unpack", "--image", l+":multi", "--platform", ""); len(got) != 2 {
		t.Errorf("platforms under gc's lock: %q", got)
	}
	if _, _, got := completeOut(t, "unpack", "--image", l+":"); len(got) != 3 {
		t.Errorf("tags under gc's lock: %q", got)
	}
	if after := treeState(t, l); after != before {
		t.Errorf("completion changed the layout:\n%s\nwas:\n%s", after, before)
	}
}

// treeState lists every file under root with its size, mode and mtime.
func treeState(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v %d\n", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCompleteManyTags: every one of 200 tags is offered, in index order.
func TestCompleteManyTags(t *testing.T) {
	l := indexLayout(t, [2]string{"amd64", ""})
	e, err := dir.Open(t.Context(), l)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := e.GetIndex(t.Context())
	e.Close()
	if err != nil {
		t.Fatal(err)
	}
	entry := idx.Manifests[0]
	idx.Manifests = nil
	var want []string
	for i := range 200 {
		tag := fmt.Sprintf("t%03d", i)
		entry.Annotations = map[string]string{ispec.AnnotationRefName: tag}
		idx.Manifests = append(idx.Manifests, entry)
		want = append(want, l+":"+tag)
	}
	writeIndex(t, l, idx)
	_, _, got := completeOut(t, "stat", "--image", l+":t")
	if !slices.Equal(got, want) {
		t.Errorf("got %d tags, want %d", len(got), len(want))
	}
}

func TestCompletionScripts(t *testing.T) {
	for _, sh := range completionShells() {
		r := mustLade(t, "completion", sh)
		if strings.Contains(r.stdout, "@NAME@") || strings.Contains(r.stdout, "@FUNC@") || !strings.Contains(r.stdout, "_lade") || !strings.Contains(r.stdout, "__complete") {
			t.Errorf("completion %s: placeholders left or names missing:\n%s", sh, r.stdout)
		}
		var out, errOut strings.Builder
		if code := run([]string{"/usr/bin/umoci", "completion", sh}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "_umoci") || strings.Contains(out.String(), "_lade") {
			t.Errorf("completion %s as umoci: exit %d, %s", sh, code, out.String())
		}
	}
	failLade(t, `invalid shell "tcsh"`, "completion", "tcsh")
	failLade(t, "invalid number of positional arguments", "completion")
}
