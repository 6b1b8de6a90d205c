package policy

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/transport"
)

// withSystemPolicy points Default's system-wide path at path for one test.
func withSystemPolicy(t *testing.T, path string) {
	t.Helper()
	old := systemPolicyPath
	systemPolicyPath = path
	t.Cleanup(func() { systemPolicyPath = old })
}

func TestDefault(t *testing.T) {
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	userFile := filepath.Join(home, ".config/containers/policy.json")
	systemFile := filepath.Join(dir, "etc/containers/policy.json")
	busybox, err := transport.Parse("docker://busybox")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	withSystemPolicy(t, systemFile)

	// Neither file: everything is accepted, and Path says no file was read.
	p, err := Default()
	if err != nil || p.Path() != "" {
		t.Fatalf("Default() without files = %v, %v; want the accept-anything policy", p, err)
	}
	if err := p.Check(context.Background(), busybox); err != nil {
		t.Fatalf("accept-anything policy: %v", err)
	}

	// The system file alone.
	writeFile(t, systemFile, `{"default":`+reject+`}`)
	p, err = Default()
	if err != nil || p.Path() != systemFile {
		t.Fatalf("Default() with the system file = %v, %v", p, err)
	}
	if err := p.Check(context.Background(), busybox); !errors.Is(err, ErrRejected) {
		t.Fatalf("system policy: Check = %v, want a rejection", err)
	}

	// The user's file wins over the system one.
	writeFile(t, userFile, `{"default":`+accept+`}`)
	p, err = Default()
	if err != nil || p.Path() != userFile {
		t.Fatalf("Default() with both files = %v, %v", p, err)
	}
	if err := p.Check(context.Background(), busybox); err != nil {
		t.Fatalf("user policy: Check = %v", err)
	}

	// An invalid file found is an error, never a fallback to another file
	// or to accepting anything.
	writeFile(t, userFile, `{"default":[]}`)
	if _, err := Default(); err == nil || !strings.Contains(err.Error(), userFile) {
		t.Fatalf("Default() with an invalid user file = %v", err)
	}
	if err := os.Remove(userFile); err != nil {
		t.Fatal(err)
	}
	writeFile(t, systemFile, `{"default":`)
	if _, err := Default(); err == nil || !strings.Contains(err.Error(), systemFile) {
		t.Fatalf("Default() with an invalid system file = %v", err)
	}

	// A system path that exists but cannot be read as a file is an error too.
	if err := os.Remove(systemFile); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(systemFile, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Default(); err == nil {
		t.Fatal("Default() with a directory as the system file succeeded")
	}
}

func TestAcceptAnything(t *testing.T) {
	p := AcceptAnything()
	for _, name := range []string{"docker://busybox", "docker-archive:/x.tar", "oci:/nonexistent/dir/at/all:t"} {
		n, err := transport.Parse(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Check(context.Background(), n); err != nil {
			t.Errorf("AcceptAnything().Check(%s) = %v", name, err)
		}
	}
	if p.Path() != "" {
		t.Errorf("AcceptAnything().Path() = %q", p.Path())
	}
}
