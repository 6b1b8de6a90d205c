package dir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// helperCmd re-executes exe (the test binary) as a helper process.
func helperCmd(t *testing.T, exe, mode, layout, arg string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), exe)
	cmd.Env = append(os.Environ(), envHelper+"="+mode, envLayout+"="+layout, envArg+"="+arg)
	return cmd
}

func testExe(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// tempNames lists the .lade-tmp-* entries of a layout.
func tempNames(t *testing.T, root string) []string {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestConcurrentProcesses runs 20 processes at once, each adding one entry
// through UpdateIndex, while this process keeps checking index.json parses.
func TestConcurrentProcesses(t *testing.T) {
	const procs = 20
	root := newLayout(t)
	exe := testExe(t)

	var done atomic.Bool
	var torn atomic.Value
	var wg sync.WaitGroup
	wg.Go(func() {
		for !done.Load() {
			data, err := os.ReadFile(filepath.Join(root, indexFile))
			if err != nil || !json.Valid(data) {
				torn.Store(fmt.Sprintf("read %q, %v", data, err))
				return
			}
		}
	})
	cmds := make([]*exec.Cmd, procs)
	outs := make([]*bytes.Buffer, procs)
	for i := range cmds {
		cmds[i] = helperCmd(t, exe, "update", root, fmt.Sprintf("proc-%d", i))
		outs[i] = &bytes.Buffer{}
		cmds[i].Stdout, cmds[i].Stderr = outs[i], outs[i]
	}
	for i, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			t.Fatalf("start helper %d: %v", i, err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper %d: %v: %s", i, err, outs[i])
		}
	}
	done.Store(true)
	wg.Wait()
	if v := torn.Load(); v != nil {
		t.Errorf("index.json torn during concurrent updates: %v", v)
	}

	data, err := os.ReadFile(filepath.Join(root, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	var idx ispec.Index
	if err := json.Unmarshal(data, &idx); err != nil {
		t.Fatalf("final index.json invalid: %v", err)
	}
	var names []string
	for _, d := range idx.Manifests {
		names = append(names, d.Annotations[ispec.AnnotationRefName])
	}
	slices.Sort(names)
	for i := range procs {
		if _, found := slices.BinarySearch(names, fmt.Sprintf("proc-%d", i)); !found {
			t.Errorf("entry proc-%d lost", i)
		}
	}
	if len(names) != procs {
		t.Errorf("index has %d entries, want %d: %v", len(names), procs, names)
	}
	if tmp := tempNames(t, root); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

// TestKilledWriter kills a process in the middle of PutBlob: the layout
// must be left with nothing but its temp file, which Clean keeps while the
// writer lives and removes once it is dead and the lock is exclusive.
func TestKilledWriter(t *testing.T) {
	root := newLayout(t)
	indexBefore, err := os.ReadFile(filepath.Join(root, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	cmd := helperCmd(t, testExe(t), "slowput", root, "")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan error, 1)
	go func() {
		line, err := readLine(stdout)
		if err == nil && line != "ready" {
			err = fmt.Errorf("helper said %q", line)
		}
		ready <- err
	}()
	select {
	case err := <-ready:
		if err != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper not ready: %v: %s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("helper not ready after 30s")
	}

	// The writer is alive: Clean from another engine must keep its file.
	a := mustOpen(t, root)
	if err := a.Clean(t.Context()); err != nil {
		t.Fatalf("Clean: %v", err)
	}
	if tmp := tempNames(t, root); len(tmp) != 1 {
		t.Fatalf("temp files while writer alive: %v, want 1", tmp)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	tmp := tempNames(t, root)
	if len(tmp) != 1 {
		t.Fatalf("temp files after kill: %v, want 1", tmp)
	}
	if fi, err := os.Stat(filepath.Join(root, tmp[0])); err != nil || fi.Size() == 0 {
		t.Fatalf("temp file of killed writer: %v, %v", fi, err)
	}
	if blobs, err := os.ReadDir(blobDir(root)); err != nil || len(blobs) != 0 {
		t.Fatalf("blobs after kill: %v, %v", blobs, err)
	}
	if got, _ := os.ReadFile(filepath.Join(root, indexFile)); !bytes.Equal(got, indexBefore) {
		t.Fatalf("index.json changed: %s", got)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 4 {
		t.Fatalf("layout has %d entries, want oci-layout, index.json, blobs and one temp file", len(entries))
	}

	// With another engine open, Clean still removes nothing...
	b := mustOpen(t, root)
	if err := a.Clean(t.Context()); err != nil {
		t.Fatalf("Clean: %v", err)
	}
	if tmp := tempNames(t, root); len(tmp) != 1 {
		t.Fatalf("Clean with another engine open removed temp files: %v", tmp)
	}
	// ...and once it is closed and the lock is exclusive, it cleans.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.LockExclusive(t.Context()); err != nil {
		t.Fatalf("LockExclusive: %v", err)
	}
	if err := a.Clean(t.Context()); err != nil {
		t.Fatalf("Clean: %v", err)
	}
	if tmp := tempNames(t, root); len(tmp) != 0 {
		t.Fatalf("temp files after Clean: %v", tmp)
	}
}
