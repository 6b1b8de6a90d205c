package copytest_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/lade-oci/lade/oci/transport/layout"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Environment of the helper process TestKilledCopyLeftovers runs.
const (
	envKillSrc  = "LADE_TEST_KILL_SRC"
	envKillDst  = "LADE_TEST_KILL_DST"
	envKillTmp  = "LADE_TEST_KILL_TMP"
	envKillMark = "LADE_TEST_KILL_MARK"
)

// TestMain runs the killed-copy helper when the test binary is started as
// one.
func TestMain(m *testing.M) {
	if src := os.Getenv(envKillSrc); src != "" {
		killHelper(src, os.Getenv(envKillDst), os.Getenv(envKillTmp), os.Getenv(envKillMark))
		os.Exit(3) // the helper never returns: it is killed
	}
	os.Exit(m.Run())
}

// stallingSource hands out half of the first layer fetched, then creates
// the file mark and blocks forever.
type stallingSource struct {
	transport.Source
	mark string
}

func (s stallingSource) Fetch(ctx context.Context, d ispec.Descriptor) (io.ReadCloser, error) {
	rc, err := s.Source.Fetch(ctx, d)
	if err != nil || !mediatype.IsLayer(d.MediaType) {
		return rc, err
	}
	return io.NopCloser(io.MultiReader(io.LimitReader(rc, d.Size/2), stall{s.mark})), nil
}

type stall struct{ mark string }

func (s stall) Read([]byte) (int, error) {
	os.WriteFile(s.mark, nil, 0o644)
	for {
		time.Sleep(time.Hour)
	}
}

func killHelper(src, dst, tmp, mark string) {
	ctx := context.Background()
	s, err := layout.OpenSource(ctx, transport.Name{Transport: transport.OCI, Path: src, Tag: "latest", Index: -1}, transport.Options{})
	if err != nil {
		panic(err)
	}
	name, err := transport.Parse(dst)
	if err != nil {
		panic(err)
	}
	d, err := openDest(ctx, name, transport.Options{TempDir: tmp})
	if err != nil {
		panic(err)
	}
	ct.Copy(ctx, stallingSource{s, mark}, d)
}

// killCopy runs a copy of src to dst in a helper process and kills it
// (SIGKILL: nothing is cleaned up) while it writes a layer.
func killCopy(t *testing.T, src, dst, tmp string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mark := filepath.Join(t.TempDir(), "mark")
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), envKillSrc+"="+src, envKillDst+"="+dst, envKillTmp+"="+tmp, envKillMark+"="+mark)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(30 * time.Second)
	for {
		if _, err := os.Stat(mark); err == nil {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the helper ended before it reached a layer: %v", err)
		case <-deadline:
			cmd.Process.Kill()
			<-exited
			t.Fatal("the helper never reached a layer")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
}

// leftovers returns the temporary entries in dirs.
func leftovers(dirs ...string) []string {
	var all []string
	for _, d := range dirs {
		names, _ := filepath.Glob(filepath.Join(d, ".lade-tmp-*"))
		all = append(all, names...)
	}
	return all
}

// TestKilledCopyLeftovers kills copies to every local destination (a
// missing one, an existing one, an existing one in a directory that may
// not be written) half way and checks that they leave temporary entries
// behind (else the test tests nothing), the destination as it was, and
// that opening the same destination again removes every leftover.
func TestKilledCopyLeftovers(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	ct.Small(t, src, "latest")
	// The image already at an existing destination: no blob in common.
	old := filepath.Join(tmp, "old")
	oldRes, err := testimage.New().AddLayer(testimage.Gzip, "old", testimage.File("a", "b", 0o644)).Write(context.Background(), old, "latest")
	if err != nil {
		t.Fatal(err)
	}
	tempDir := filepath.Join(tmp, "tmpdir")
	os.Mkdir(tempDir, 0o755)
	i := 0
	for _, tg := range existingTargets {
		for _, kind := range []string{"missing", "existing", "unwritable"} {
			i++
			t.Run(tg.transport+"/"+kind, func(t *testing.T) {
				parent := filepath.Join(tmp, "p"+string(rune('a'+i)))
				os.Mkdir(parent, 0o755)
				target := filepath.Join(parent, "target")
				if kind != "missing" {
					makeTarget(t, parent, tg)
				}
				name := tg.transport + ":" + target + tg.suffix
				if kind != "missing" && tg.transport != "docker-archive" {
					// Something to keep: an image already there.
					copyWith(t, "oci:"+old+":latest", name, transport.Options{})
				}
				var before attrs
				if kind != "missing" {
					before = attrsOf(t, target)
				}
				if kind == "unwritable" {
					ct.UnwritableDir(t, parent)
				}
				killCopy(t, src, name, tempDir)
				dirs := []string{parent, tempDir}
				if tg.dir {
					dirs = append(dirs, target)
				}
				if len(leftovers(dirs...)) == 0 {
					t.Fatal("the killed copy left nothing to clean up: the test misses its point")
				}
				switch {
				case kind == "missing" && tg.transport != "oci":
					if _, err := os.Lstat(target); !os.IsNotExist(err) {
						t.Fatalf("the killed copy created %s: %v", target, err)
					}
				case kind != "missing" && tg.transport != "docker-archive":
					checkCopiedInto(t, name, target, before, oldRes.Config.Digest)
				}
				d, err := openDest(context.Background(), ct.MustParse(t, name), transport.Options{TempDir: tempDir})
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
				if names := leftovers(dirs...); len(names) > 0 {
					t.Fatalf("left after the next open: %v", names)
				}
			})
		}
	}
}
