package layout

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lade-oci/lade/internal/testimage"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/lade-oci/lade/oci/casext"
	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
	ct "github.com/lade-oci/lade/oci/transport/internal/copytest"
	"github.com/lade-oci/lade/oci/validate"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Environment of the helper process TestKilledCopy runs.
const (
	envKillSrc  = "LADE_TEST_KILL_SRC"
	envKillDst  = "LADE_TEST_KILL_DST"
	envKillMark = "LADE_TEST_KILL_MARK"
)

// TestMain runs the killed-copy helper when the test binary is started as
// one.
func TestMain(m *testing.M) {
	if src := os.Getenv(envKillSrc); src != "" {
		killHelper(src, os.Getenv(envKillDst), os.Getenv(envKillMark))
		os.Exit(3) // the helper never returns: it is killed
	}
	os.Exit(m.Run())
}

// stallingSource hands out half of each layer, then marks the file mark
// and blocks forever.
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
	select {}
}

func killHelper(src, dst, mark string) {
	ctx := context.Background()
	s, err := OpenSource(ctx, transport.Name{Transport: transport.OCI, Path: src, Tag: "latest", Index: -1}, transport.Options{})
	if err != nil {
		panic(err)
	}
	d, err := OpenDestination(ctx, transport.Name{Transport: transport.OCI, Path: dst, Tag: "t", Index: -1}, transport.Options{})
	if err != nil {
		panic(err)
	}
	ct.Copy(ctx, stallingSource{s, mark}, d)
}

// TestKilledCopy kills a copy into a layout while a layer is being
// written: the layout stays valid (other tags intact, the new tag absent,
// at most unreferenced blobs and temporary files that gc removes), and the
// next copy works.
func TestKilledCopy(t *testing.T) {
	tmp := t.TempDir()
	src := filepath.Join(tmp, "src")
	ct.Small(t, src, "latest")
	for _, dst := range []string{filepath.Join(tmp, "existing"), filepath.Join(tmp, "new")} {
		if strings.HasSuffix(dst, "existing") {
			other := testimage.New().AddLayer(testimage.Gzip, "other", testimage.File("a", "b", 0o644))
			if _, err := other.Write(context.Background(), dst, "old"); err != nil {
				t.Fatal(err)
			}
		}
		exe, err := os.Executable()
		if err != nil {
			t.Fatal(err)
		}
		mark := filepath.Join(tmp, "mark")
		os.Remove(mark)
		cmd := exec.Command(exe)
		cmd.Env = append(os.Environ(), envKillSrc+"="+src, envKillDst+"="+dst, envKillMark+"="+mark)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if _, err := os.Stat(mark); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("the helper never reached a layer")
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		ctx := context.Background()
		engine, err := dir.Open(ctx, dst)
		if err != nil {
			t.Fatalf("%s after the kill: %v", dst, err)
		}
		e := casext.NewEngine(engine)
		if err := validate.Layout(ctx, e); err != nil {
			t.Fatalf("%s after the kill: %v", dst, err)
		}
		tags, _ := e.ListReferences(ctx)
		if strings.Join(tags, ",") != map[bool]string{true: "old", false: ""}[strings.HasSuffix(dst, "existing")] {
			t.Fatalf("%s tags after the kill: %v", dst, tags)
		}
		blobs, _ := e.ListBlobs(ctx)
		t.Logf("%s: %d blobs after the kill", dst, len(blobs))
		if _, err := e.GC(ctx); err != nil {
			t.Fatal(err)
		}
		engine.Close()
		if names, _ := filepath.Glob(filepath.Join(dst, ".lade-tmp-*")); len(names) != 0 {
			t.Fatalf("gc left temporary files: %v", names)
		}
		copyNames(t, "oci:"+src+":latest", "oci:"+dst+":t")
	}
}
