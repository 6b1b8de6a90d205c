package progress

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPty returns both ends of a new pseudo-terminal.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlock pty: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("pty number: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pty slave: %v", err)
	}
	ws := &unix.Winsize{Row: 24, Col: 120}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		t.Logf("set window size: %v", err)
	}
	return m, s
}

// TestAutoOnTerminal checks the real detection: Auto draws bars on a tty.
func TestAutoOnTerminal(t *testing.T) {
	master, slave := openPty(t)
	defer master.Close()
	if !IsTerminal(slave) {
		t.Fatal("IsTerminal(pty) = false")
	}
	var got bytes.Buffer
	read := make(chan struct{})
	go func() {
		defer close(read)
		_, _ = io.Copy(&got, master) // ends with EIO once the slave is closed
	}()
	d := New(slave, Options{})
	if d.Mode() != Bars {
		t.Fatalf("Auto on a terminal chose %v", d.Mode())
	}
	feed(d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	<-read
	text := ansi.ReplaceAllString(got.String(), "")
	for _, want := range []string{"Copying blob 0123456789ab", "1.0 MiB / 1.0 MiB", "3 blobs (1 done, 1 skipped, 1 failed)"} {
		if !strings.Contains(text, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, got.String())
		}
	}
}

func TestIsTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if IsTerminal(w) || IsTerminal(&bytes.Buffer{}) || IsTerminal((*os.File)(nil)) {
		t.Error("a pipe, a buffer or a nil file is taken for a terminal")
	}
}
