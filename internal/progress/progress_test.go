package progress

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	digestA = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	digestB = "sha256:fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
	digestC = "sha256:aaaaaaaaaaaabbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// ansi matches the escape sequences the bars move the cursor with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`)

// feed reports three blobs: one copied in two steps, one skipped, one
// failed half-way.
func feed(r Reporter) {
	a := r.Start("Copying blob", digestA, 1<<20)
	a.Add(1 << 19)
	a.Add(1 << 19)
	a.Finish(Done)
	b := r.Start("Copying config", digestB, 300)
	b.Finish(Skipped)
	c := r.Start("Copying blob", digestC, 2048)
	c.Add(1024)
	c.Finish(Failed)
}

func TestBarsOnFakeTerminal(t *testing.T) {
	out := &syncBuffer{}
	d := New(out, Options{Mode: Bars, Width: 120})
	if d.Mode() != Bars {
		t.Fatalf("mode %v, want Bars", d.Mode())
	}
	// A blob in flight is drawn as it goes, then redrawn in place.
	first := d.Start("Copying blob", digestB, 4096)
	first.Add(1024)
	waitFor(t, out, "1.0 KiB / 4.0 KiB")
	first.Add(3072)
	first.Finish(Done)
	feed(d)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	raw := out.String()
	if !strings.Contains(raw, "\x1b[") {
		t.Errorf("bars redrawn without cursor movement:\n%q", raw)
	}
	text := ansi.ReplaceAllString(raw, "")
	for _, want := range []string{
		"Copying blob 0123456789ab", "1.0 MiB / 1.0 MiB", "| done",
		"Copying config fedcba987654", "skipped: already exists",
		"Copying blob aaaaaaaaaaaa", "1.0 KiB / 2.0 KiB", "| failed",
		"4 blobs (2 done, 1 skipped, 1 failed): 1.0 MiB in ", "4.0 KiB / 4.0 KiB",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	// The summary is the last line.
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "4 blobs (") || !strings.HasSuffix(last, "/s") {
		t.Errorf("last line %q is not the summary", last)
	}
}

func TestPlainLines(t *testing.T) {
	var out bytes.Buffer
	d := New(&out, Options{Mode: Plain})
	feed(d)
	m := d.Start("Copying blob", digestB, 10)
	m.Finish(Mounted)
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	want := []*regexp.Regexp{
		regexp.MustCompile(`^Copying blob 0123456789ab: done, 1\.0 MiB in [0-9.]+m?s, [0-9.]+ [KMGT]?i?B/s$`),
		regexp.MustCompile(`^Copying config fedcba987654: skipped \(already exists\)$`),
		regexp.MustCompile(`^Copying blob aaaaaaaaaaaa: failed after 1\.0 KiB / 2\.0 KiB$`),
		regexp.MustCompile(`^Copying blob fedcba987654: mounted \(from another repository\)$`),
		regexp.MustCompile(`^4 blobs \(1 done, 1 skipped, 1 mounted, 1 failed\): 1\.0 MiB in [0-9.]+m?s, .*/s$`),
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out.String())
	}
	for i, re := range want {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want match for %s", i, lines[i], re)
		}
	}
	if strings.Contains(out.String(), "\x1b") {
		t.Errorf("plain output has escape sequences: %q", out.String())
	}
}

func TestAutoNotTerminalWritesNothing(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var buf bytes.Buffer
	for _, w := range []io.Writer{&buf, f} {
		d := New(w, Options{})
		if d.Mode() != Quiet {
			t.Errorf("%T: mode %v, want Quiet", w, d.Mode())
		}
		feed(d)
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		if s := d.Summary(); s.Blobs != 3 || s.Bytes != 1<<20+1024 {
			t.Errorf("summary %+v still counts the blobs", s)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q to a buffer", buf.String())
	}
	if fi, _ := f.Stat(); fi.Size() != 0 {
		t.Errorf("wrote %d bytes to a file", fi.Size())
	}
}

func TestQuietWritesNothing(t *testing.T) {
	var buf bytes.Buffer
	d := New(&buf, Options{Mode: Quiet})
	feed(d)
	_ = d.Close()
	if buf.Len() != 0 {
		t.Errorf("quiet wrote %q", buf.String())
	}
}

func TestCloseWithUnfinishedBlob(t *testing.T) {
	var buf bytes.Buffer
	d := New(&buf, Options{Mode: Bars})
	b := d.Start("Copying blob", digestA, 100)
	b.Add(10)
	if err := d.Close(); err != nil { // must not wait for b forever
		t.Fatal(err)
	}
	b.Finish(Done) // late: ignored by the closed display, no panic
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ansi.ReplaceAllString(buf.String(), ""), "10 B / 100 B") {
		t.Errorf("unfinished bar not drawn as it stood:\n%q", buf.String())
	}
}

func TestNoBlobsNoSummary(t *testing.T) {
	for _, m := range []Mode{Bars, Plain} {
		var buf bytes.Buffer
		d := New(&buf, Options{Mode: m})
		_ = d.Close()
		if buf.Len() != 0 {
			t.Errorf("mode %v wrote %q without blobs", m, buf.String())
		}
	}
}

func TestNilReporterAndCounting(t *testing.T) {
	b := Start(nil, "Copying blob", digestA, 5)
	n, err := io.Copy(io.Discard, NewReader(strings.NewReader("hello"), b))
	if err != nil || n != 5 {
		t.Fatalf("copy through nil reporter: %d, %v", n, err)
	}
	b.Finish(Done)

	var buf bytes.Buffer
	d := New(&buf, Options{Mode: Plain})
	bl := d.Start("Repacking layer", "new layer", -1)
	if _, err := io.Copy(NewWriter(io.Discard, bl), strings.NewReader(strings.Repeat("x", 3000))); err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, NewReader(strings.NewReader("12345"), bl)); err != nil {
		t.Fatal(err)
	}
	bl.Finish(Done)
	_ = d.Close()
	if !strings.HasPrefix(buf.String(), "Repacking layer new layer: done, 2.9 KiB in ") {
		t.Errorf("plain line %q", buf.String())
	}
}

func TestParseMode(t *testing.T) {
	for s, want := range map[string]Mode{"auto": Auto, "tty": Bars, "plain": Plain, "quiet": Quiet} {
		if got, err := ParseMode(s); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseMode("fancy"); err == nil {
		t.Error("ParseMode(fancy) succeeded")
	}
}

func TestFormat(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 5 << 30: "5.0 GiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
	if got := ShortID(digestA); got != "0123456789ab" {
		t.Errorf("ShortID = %q", got)
	}
	if got := ShortID("new layer"); got != "new layer" {
		t.Errorf("ShortID(non-digest) = %q", got)
	}
}

// syncBuffer is a bytes.Buffer the bars can write to while a test reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls until the output shows want (the bars are redrawn every
// refreshRate); it gives up after a minute.
func waitFor(t *testing.T, b *syncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(ansi.ReplaceAllString(b.String(), ""), want) {
			return
		}
	}
	t.Fatalf("output never showed %q:\n%q", want, b.String())
}
