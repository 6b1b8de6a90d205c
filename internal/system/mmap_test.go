package system

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// residentBytes is the process's resident set size, from /proc/self/statm.
func residentBytes(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		t.Skipf("no /proc/self/statm: %v", err)
	}
	fields := strings.Fields(string(b))
	pages, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatalf("parse statm %q: %v", b, err)
	}
	return pages * os.Getpagesize()
}

func TestMapFile(t *testing.T) {
	const size = 64 << 20
	content := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, content, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := MapFile(f, size+1); !errors.Is(err, ErrNotMappable) {
		t.Fatalf("map with the wrong size: %v, want ErrNotMappable", err)
	}
	m, err := MapFile(f, size)
	if err != nil {
		t.Fatal(err)
	}
	before := residentBytes(t)
	if !bytes.Equal(m.Bytes(), content) { // touches every page
		t.Fatal("mapping differs from the file")
	}
	touched := residentBytes(t)
	if touched-before < size/2 {
		t.Skipf("reading the mapping grew RSS by %d bytes only; cannot observe Release", touched-before)
	}
	m.Release(size/2 + 123)
	half := residentBytes(t)
	m.Release(size / 4) // behind what was released: nothing to do
	m.Release(size + 4096)
	after := residentBytes(t)
	if touched-half < size/4 || touched-after < size*3/4 {
		t.Fatalf("RSS %d after reading, %d after releasing half, %d after releasing all: Release dropped too little", touched, half, after)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
}

func TestMapFileRefuses(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		size int64
	}{
		{empty, 0},
		{dir, 4096},
	} {
		f, err := os.Open(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := MapFile(f, tc.size); !errors.Is(err, ErrNotMappable) {
			t.Errorf("map %s: %v, want ErrNotMappable", tc.name, err)
		}
		f.Close()
	}
}
