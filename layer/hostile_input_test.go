package layer

import (
	"archive/tar"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/layer/layertest"
)

// rawTar writes one entry with tar.Writer (USTAR when possible so the
// header is one block), then lets patch rewrite bytes of the stream; the
// header checksum of block 0 is recomputed.
func rawTar(t *testing.T, hdr *tar.Header, content string, patch func(b []byte) []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := patch(buf.Bytes())
	fixChecksum(b[:512])
	return b
}

func fixChecksum(blk []byte) {
	copy(blk[148:156], "        ")
	sum := 0
	for _, c := range blk {
		sum += int(c)
	}
	copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

// replaceOnce replaces old (which must be present) with new of equal length.
func replaceOnce(t *testing.T, old, new string) func([]byte) []byte {
	return func(b []byte) []byte {
		if len(old) != len(new) || !bytes.Contains(b, []byte(old)) {
			t.Fatalf("cannot patch %q", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
}

// paxStream is a tar whose first entry is a hand-written PAX extended
// header (records "key=value", any bytes allowed) applying to next.
func paxStream(t *testing.T, next *tar.Header, content string, records ...string) []byte {
	t.Helper()
	var rec strings.Builder
	for _, r := range records {
		n := len(r) + 3
		for len(fmt.Sprintf("%d %s\n", n, r)) != n {
			n++
		}
		fmt.Fprintf(&rec, "%d %s\n", n, r)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range []struct {
		hdr *tar.Header
		c   string
	}{{&tar.Header{Typeflag: tar.TypeReg, Name: "pax", Size: int64(rec.Len()), Format: tar.FormatUSTAR}, rec.String()}, {next, content}} {
		if err := tw.WriteHeader(e.hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	b[156] = tar.TypeXHeader
	fixChecksum(b[:512])
	return b
}

// TestHostileInput: malformed or absurd headers give a clear error (or are
// neutralised), never a panic, a hang or a write outside root.
func TestHostileInput(t *testing.T) {
	type L = []layertest.Entry
	F, D, S := layertest.File, layertest.Dir, layertest.Symlink
	reg := func(name string) *tar.Header {
		return &tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Format: tar.FormatUSTAR}
	}
	deep := strings.Repeat("a/", 10_000) + "f"
	long := strings.Repeat("n", 300)
	for _, tc := range []hostileCase{
		{name: "NUL in ustar name", raw: func(t *testing.T) [][]byte {
			h := &tar.Header{Typeflag: tar.TypeReg, Name: "abcd/../../outside/x", Mode: 0o644, Format: tar.FormatUSTAR}
			return [][]byte{rawTar(t, h, "", replaceOnce(t, "abcd/", "ab\x00d/"))}
		}, check: wantRegular("ab", "")},
		{name: "NUL in pax path", raw: func(t *testing.T) [][]byte {
			return [][]byte{paxStream(t, reg("x"), "", "path=ok\x00/../../outside/passwd")}
		}, wantErr: errAny},
		{name: "NUL in pax linkpath", raw: func(t *testing.T) [][]byte {
			return [][]byte{paxStream(t, &tar.Header{Typeflag: tar.TypeSymlink, Name: "l", Format: tar.FormatUSTAR}, "", "linkpath=../outside\x00/x")}
		}, wantErr: errAny},
		{name: "NUL in xattr name", raw: func(t *testing.T) [][]byte {
			return [][]byte{paxStream(t, reg("x"), "", "SCHILY.xattr.user.o\x00k=v")}
		}, wantErr: errAny},
		{name: "pax path escaping", raw: func(t *testing.T) [][]byte {
			return [][]byte{paxStream(t, &tar.Header{Typeflag: tar.TypeReg, Name: "x", Size: 3, Format: tar.FormatUSTAR}, "pwn", "path=../../outside/x")}
		}, check: wantRegular("outside/x", "pwn")},
		{name: "newline in names", layers: func(breakoutEnv) []L {
			return []L{{F("a\nb", "x"), D("c\n\rd"), F("c\n\rd/e", "y")}, {{Type: tar.TypeLink, Name: "z", Link: "missing\nfile"}}}
		}, wantErr: errAny},
		{name: "very long component", layers: func(breakoutEnv) []L { return []L{{F(long, "x")}} }, wantErr: errAny},
		{name: "very long name through symlink", layers: func(breakoutEnv) []L {
			return []L{{S("l", strings.Repeat("../", 3000)+"outside"), F("l/"+long, "x")}}
		}, wantErr: errAny},
		{name: "deep nesting one entry", layers: func(breakoutEnv) []L { return []L{{F(deep, "x")}} }, wantErr: errAny},
		{name: "deep nesting of directories", raw: func(t *testing.T) [][]byte {
			var ents L
			for p := "a"; len(p) < 4200; p += "/a" {
				ents = append(ents, D(p))
			}
			return [][]byte{layertest.Tar(t, ents...)}
		}, wantErr: errAny},
		{name: "huge size short data", layers: func(breakoutEnv) []L {
			return []L{{{Type: tar.TypeReg, Name: "big", Content: "abc", Size: 1 << 40}}}
		}, wantErr: errAny},
		{name: "negative size", raw: func(t *testing.T) [][]byte {
			h := &tar.Header{Typeflag: tar.TypeReg, Name: "neg", Mode: 0o644, Size: 0, Format: tar.FormatUSTAR}
			return [][]byte{rawTar(t, h, "", func(b []byte) []byte {
				copy(b[124:136], "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff")
				return b
			})}
		}, wantErr: errAny},
		{name: "negative pax size", raw: func(t *testing.T) [][]byte {
			return [][]byte{paxStream(t, reg("neg"), "", "size=-7")}
		}, wantErr: errAny},
		{name: "negative pax mtime", raw: func(t *testing.T) [][]byte {
			return [][]byte{paxStream(t, reg("old"), "", "mtime=-86400.5")}
		}, check: func(t *testing.T, e breakoutEnv) {
			if fi, _ := lstat(t, filepath.Join(e.root, "old")); !fi.ModTime().Equal(time.Unix(-86401, 5e8)) {
				t.Fatalf("mtime = %v", fi.ModTime())
			}
		}},
		{name: "huge pax mtime", raw: func(t *testing.T) [][]byte {
			return [][]byte{paxStream(t, reg("new"), "", "mtime=99999999999999999999", "atime=-99999999999999999999")}
		}, wantErr: errAny},
		{name: "negative and absurd times", layers: func(breakoutEnv) []L {
			return []L{{
				{Type: tar.TypeReg, Name: "old", ModTime: time.Unix(-1_000_000_000, 5)},
				{Type: tar.TypeDir, Name: "d", ModTime: time.Unix(1<<40, 0), AccessTime: time.Unix(-(1 << 40), 0)},
				{Type: tar.TypeSymlink, Name: "d/l", Link: "../../outside/passwd", ModTime: time.Unix(-(1 << 36), 0)},
			}}
		}, check: func(t *testing.T, e breakoutEnv) {
			fi, _ := lstat(t, filepath.Join(e.root, "old"))
			if want := time.Unix(-1_000_000_000, 5); !fi.ModTime().Equal(want) {
				t.Fatalf("old mtime = %v, want %v", fi.ModTime(), want)
			}
			// The filesystem may clamp far-future times, never wrap them.
			if fi, _ = lstat(t, filepath.Join(e.root, "d")); fi.ModTime().Year() < 2038 {
				t.Fatalf("d mtime = %v, want far future", fi.ModTime())
			}
		}},
		{name: "absurd uid", layers: func(breakoutEnv) []L { return []L{{{Type: tar.TypeReg, Name: "u", UID: 1 << 40}}} }, wantErr: errAny},
		{name: "uid minus one", raw: func(t *testing.T) [][]byte { return [][]byte{paxStream(t, reg("u"), "", "uid=-1")} }, wantErr: errAny},
		{name: "uid 2^32-1", raw: func(t *testing.T) [][]byte { return [][]byte{paxStream(t, reg("u"), "", "uid=4294967295")} }, wantErr: errAny},
		{name: "gid 2^32-1", layers: func(breakoutEnv) []L { return []L{{{Type: tar.TypeReg, Name: "g", GID: 1<<32 - 1}}} }, wantErr: errAny},
		{name: "device numbers out of range", root: true, layers: func(breakoutEnv) []L {
			return []L{{{Type: tar.TypeChar, Name: "c", Major: 1 << 20, Minor: 1}}}
		}, wantErr: errAny},
		{name: "xattr with path-like names", layers: func(breakoutEnv) []L {
			return []L{{{Type: tar.TypeReg, Name: "x", Xattrs: map[string]string{"user.../../outside/passwd": "v", "user./": "w"}}}}
		}},
		{name: "xattr with no namespace", layers: func(breakoutEnv) []L {
			return []L{{{Type: tar.TypeReg, Name: "x", Xattrs: map[string]string{"../../outside": "v", "user.": "v"}}}}
		}, check: wantRegular("x", "")},
		{name: "bogus security.capability", root: true, layers: func(breakoutEnv) []L {
			return []L{{{Type: tar.TypeReg, Name: "x", Xattrs: map[string]string{"security.capability": "junk"}}}}
		}, wantErr: errAny},
		{name: "metadata never through symlink", root: true, layers: func(e breakoutEnv) []L {
			meta := map[string]string{"trusted.pwn": "1", "user.pwn": "1"}
			out := filepath.Join(e.outside, "passwd")
			return []L{{S("l", out), S("d", e.outside), S("r", "../outside")},
				{{Type: tar.TypeSymlink, Name: "l", Link: out, Mode: 0o7777, UID: 4242, GID: 4242, Xattrs: meta, ModTime: time.Unix(7, 0)},
					{Type: tar.TypeDir, Name: "d", Mode: 0o7777, UID: 4242, GID: 4242, Xattrs: meta, ModTime: time.Unix(7, 0)},
					{Type: tar.TypeDir, Name: "r", Mode: 0o7777, UID: 4242, GID: 4242, Xattrs: meta, ModTime: time.Unix(7, 0)},
					{Type: tar.TypeDir, Name: ".", Mode: 0o755, Xattrs: meta, ModTime: time.Unix(7, 0)}}}
		}},
		{name: "unsupported type", layers: func(breakoutEnv) []L { return []L{{{Type: 'X', Name: "x"}}} }, wantErr: errAny},
		{name: "garbage stream", raw: func(*testing.T) [][]byte { return [][]byte{bytes.Repeat([]byte("\xffjunk"), 300)} }, wantErr: errAny},
	} {
		runHostile(t, tc)
	}
}
