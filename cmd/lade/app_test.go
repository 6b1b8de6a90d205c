package main

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestVersion(t *testing.T) {
	for _, name := range []string{"lade", "umoci"} {
		t.Run(name, func(t *testing.T) {
			for _, flag := range []string{"--version", "-v"} {
				var out, errb strings.Builder
				if code := run([]string{"/usr/local/bin/" + name, flag}, &out, &errb); code != 0 {
					t.Fatalf("exit %d: %s", code, errb.String())
				}
				lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
				if len(lines) != 4 {
					t.Fatalf("want 4 lines, got %q", out.String())
				}
				wantPrefix := []string{name + " version " + version, "image spec: 1.", "runtime spec: 1.", "go: " + runtime.Version()}
				for i, p := range wantPrefix {
					if !strings.HasPrefix(lines[i], p) {
						t.Errorf("line %d = %q, want prefix %q", i, lines[i], p)
					}
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	r := mustLade(t, "--help")
	for _, want := range []string{"image:", "layout:", "init", "new", "list, ls", "remove, rm", "stat", "gc", "tag", "--log", "--verbose"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "cpu-profile") || strings.Contains(r.stdout, "test-panic") {
		t.Errorf("help shows hidden items:\n%s", r.stdout)
	}
	for _, cmd := range []string{"init", "new", "ls", "tag", "rm", "stat", "gc"} {
		r := mustLade(t, cmd, "--help")
		if !strings.Contains(r.stdout, "DESCRIPTION:") {
			t.Errorf("%s --help has no description:\n%s", cmd, r.stdout)
		}
	}
}

func TestGlobalFlagErrors(t *testing.T) {
	layout := newLayout(t)
	failLade(t, "mutually exclusive", "--log=info", "--verbose", "ls", "--layout", layout)
	failLade(t, `invalid --log value "loud"`, "--log=loud", "ls", "--layout", layout)
	failLade(t, `unknown command "frobnicate"`, "frobnicate")
	failLade(t, "flag provided but not defined", "--frobnicate", "ls")
	failLade(t, "flag provided but not defined", "ls", "--frobnicate")
}

func TestLogLevels(t *testing.T) {
	layout := filepath.Join(t.TempDir(), "layout")
	r := mustLade(t, "init", "--layout", layout)
	if r.stderr != "" {
		t.Errorf("init printed at default level: %q", r.stderr)
	}
	r = mustLade(t, "--verbose", "ls", "--layout", layout)
	r = mustLade(t, "--log=info", "new", "--image", layout+":a")
	if !strings.HasPrefix(r.stderr, "   • created new image") {
		t.Errorf("info log missing: %q", r.stderr)
	}
	r = mustLade(t, "--log=error", "new", "--image", layout+":a")
	if r.stderr != "" {
		t.Errorf("info printed at error level: %q", r.stderr)
	}
}

func TestCPUProfile(t *testing.T) {
	layout := newLayout(t)
	prof := filepath.Join(t.TempDir(), "cpu.pprof")
	mustLade(t, "--cpu-profile", prof, "ls", "--layout", layout)
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("no profile written: %v", err)
	}
}
