package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every lade command, however small, pays for the package initialisation
// of everything the binary links, before main runs: lade's own packages
// must keep it to nothing (no tables built, no regular expressions
// compiled, no reflection at init; build them on first use). These budgets
// are allocation counts reported by GODEBUG=inittrace=1, which do not
// depend on the machine: an eager regexp.MustCompile alone takes dozens.
const (
	libraryInitAllocs = 16      // each of lade's library packages
	libraryInitBytes  = 4 << 10 //
	// cmd/lade registers its commands (urfave/cli structs) at init.
	mainInitAllocs = 1024
	mainInitBytes  = 256 << 10
)

var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs`)

// TestInitWork runs this test binary with no test and GODEBUG=inittrace=1
// and checks what each lade package's initialisation allocated.
func TestInitWork(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run %s: %v\n%s", os.Args[0], err, out)
	}
	seen := 0
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := initLine.FindStringSubmatch(sc.Text())
		if m == nil || !strings.HasPrefix(m[1], "github.com/lade-oci/lade/") {
			continue
		}
		seen++
		bytes, _ := strconv.Atoi(m[2])
		allocs, _ := strconv.Atoi(m[3])
		maxAllocs, maxBytes := libraryInitAllocs, libraryInitBytes
		if m[1] == "github.com/lade-oci/lade/cmd/lade" {
			maxAllocs, maxBytes = mainInitAllocs, mainInitBytes
		}
		if allocs > maxAllocs || bytes > maxBytes {
			t.Errorf("package %s allocates %d times (%d bytes) at init, budget %d (%d bytes): "+
				"build tables and regexps on first use (sync.OnceValue), not in package variables",
				m[1], allocs, bytes, maxAllocs, maxBytes)
		}
	}
	if seen == 0 {
		t.Fatalf("no lade package in the init trace:\n%s", out)
	}
}
