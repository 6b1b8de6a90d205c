package tarout

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// TestSameAsArchiveTar checks that members written one by one are the
// bytes archive/tar writes for the same headers.
func TestSameAsArchiveTar(t *testing.T) {
	ctx := context.Background()
	hdrs := []*tar.Header{
		{Typeflag: tar.TypeDir, Name: "d/", Mode: 0o755, ModTime: time.Unix(0, 0)},
		{Typeflag: tar.TypeReg, Name: "d/a", Mode: 0o444, ModTime: time.Unix(0, 0), Size: 5},
		{Typeflag: tar.TypeSymlink, Name: "l", Linkname: "../d/a", ModTime: time.Unix(0, 0)},
		{Typeflag: tar.TypeReg, Name: "empty", Mode: 0o644, Uname: "root", Gname: "root"},
		{Typeflag: tar.TypeReg, Name: strings.Repeat("n", 120), Mode: 0o644, Size: 512},
	}
	data := map[string]string{"d/a": "hello", strings.Repeat("n", 120): strings.Repeat("x", 512)}
	var want, got bytes.Buffer
	tw := tar.NewWriter(&want)
	w := New(&got)
	for _, h := range hdrs {
		h2 := *h
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, data[h.Name])
		if err := w.Add(ctx, &h2, strings.NewReader(data[h.Name])); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	w.Close()
	if !bytes.Equal(got.Bytes(), want.Bytes()) || w.Len() != int64(got.Len()) {
		t.Fatalf("tarout wrote %d bytes, archive/tar %d, and they differ", got.Len(), want.Len())
	}
	// Content shorter than the header says fails.
	if err := New(io.Discard).Add(ctx, &tar.Header{Typeflag: tar.TypeReg, Name: "x", Size: 10}, strings.NewReader("short")); err == nil {
		t.Fatal("short content accepted")
	}
}
