package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// TestOpenRefuses covers archives Open must refuse as a whole, each with a
// clear reason.
func TestOpenRefuses(t *testing.T) {
	blob := "blob"
	base := []entry{file("oci-layout", okLayout), file("index.json", okIndex)}
	with := func(extra ...entry) []byte { return tarBytes(t, append(append([]entry{}, base...), extra...)...) }
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(with())
	zw.Close()
	full := with(file(blobName(blob), strings.Repeat("x", 5000)))

	tests := []struct {
		name string
		data []byte
		want error
		msg  string
	}{
		{"empty file", nil, cas.ErrInvalid, "is not a tar archive"},
		{"empty tar", make([]byte, 1024), cas.ErrInvalid, "missing oci-layout member"},
		{"not tar", []byte(strings.Repeat("hello world\n", 100)), cas.ErrInvalid, "is not a tar archive"},
		{"short text", []byte("not an archive\n"), cas.ErrInvalid, "is not a tar archive"},
		{"gzip", gz.Bytes(), cas.ErrInvalid, "is gzip-compressed; decompress it first"},
		{"zstd", append([]byte{0x28, 0xb5, 0x2f, 0xfd}, make([]byte, 100)...), cas.ErrInvalid, "zstd-compressed"},
		{"xz", append([]byte{0xfd, '7', 'z', 'X', 'Z', 0}, make([]byte, 100)...), cas.ErrInvalid, "xz-compressed"},
		{"missing oci-layout", tarBytes(t, file("index.json", okIndex)), cas.ErrInvalid, "missing oci-layout member"},
		{"missing index", tarBytes(t, file("oci-layout", okLayout)), cas.ErrInvalid, "missing index.json member"},
		{"bad version", tarBytes(t, file("oci-layout", `{"imageLayoutVersion":"2.0.0"}`), file("index.json", okIndex)),
			cas.ErrInvalid, `unsupported imageLayoutVersion "2.0.0"`},
		{"bad oci-layout JSON", tarBytes(t, file("oci-layout", `{`), file("index.json", okIndex)), cas.ErrInvalid, "oci-layout: invalid JSON"},
		{"bad index JSON", tarBytes(t, file("oci-layout", okLayout), file("index.json", `[`)), cas.ErrInvalid, "index.json: invalid JSON"},
		{"oci-layout symlink", tarBytes(t, link(tar.TypeSymlink, "oci-layout", "/etc/passwd"), file("index.json", okIndex)),
			cas.ErrInvalid, "is a symbolic link"},
		{"index is dir", tarBytes(t, file("oci-layout", okLayout), link(tar.TypeDir, "index.json/", "")), cas.ErrInvalid, "is a directory"},
		{"dotdot name", with(file("blobs/../../etc/passwd", "x")), cas.ErrInvalid, `contains ".."`},
		{"absolute name", with(file("/etc/passwd", "x")), cas.ErrInvalid, "absolute member name"},
		{"dotdot hardlink", with(link(tar.TypeLink, blobName(blob), "../outside")), cas.ErrInvalid, `contains ".."`},
		{"duplicate index", with(file("./index.json", okIndex)), cas.ErrInvalid, `duplicate member "index.json"`},
		{"duplicate blob", with(file(blobName(blob), blob), file("./"+blobName(blob), blob)), cas.ErrInvalid, "duplicate member"},
		{"truncated content", full[:len(full)-1024-120-100], cas.ErrInvalid, "is truncated: member"},
		{"truncated padding", full[:len(full)-1024-100], cas.ErrInvalid, "no end-of-archive marker"},
		{"no end marker", full[:len(full)-1024], cas.ErrInvalid, "no end-of-archive marker"},
		{"half end marker", full[:len(full)-512], cas.ErrInvalid, "no end-of-archive marker"},
		{"truncated header", full[:len(full)-1024-5120-200], cas.ErrInvalid, "is truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), writeFile(t, "x.tar", tc.data))
			wantErr(t, "Open", err, tc.want)
			if !strings.HasPrefix(err.Error(), "open archive: ") || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q, want it to contain %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
		})
	}
}

func TestOpenPath(t *testing.T) {
	dirPath := t.TempDir()
	tests := []struct {
		name, path string
		want       error
	}{
		{"empty", "", cas.ErrInvalid},
		{"missing", filepath.Join(dirPath, "nope.tar"), cas.ErrNotExist},
		{"directory", dirPath, cas.ErrInvalid},
		{"dev null", os.DevNull, cas.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), tc.path)
			wantErr(t, "Open", err, tc.want)
		})
	}
}

// TestBadBlobMembers covers blob members that exist but cannot be read:
// they fail with ErrInvalid naming the reason, while the rest of the
// archive reads fine.
func TestBadBlobMembers(t *testing.T) {
	good := "good blob"
	tests := []struct {
		name string
		ent  entry
		msg  string
	}{
		{"symlink", link(tar.TypeSymlink, blobName("s"), "../../etc/passwd"), "is a symbolic link"},
		{"dangling hardlink", link(tar.TypeLink, blobName("s"), "nowhere"), "not an earlier regular member"},
		{"fifo", link(tar.TypeFifo, blobName("s"), ""), "is not a regular file"},
		{"char device", link(tar.TypeChar, blobName("s"), ""), "is not a regular file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := mustOpen(t, writeTar(t, file("oci-layout", okLayout), file("index.json", okIndex),
				file(blobName(good), good), tc.ent))
			d := digest.FromString("s")
			_, err := e.GetBlob(t.Context(), d)
			wantErr(t, "GetBlob", err, cas.ErrInvalid)
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q lacks %q", err, tc.msg)
			}
			_, err = e.StatBlob(t.Context(), d)
			wantErr(t, "StatBlob", err, cas.ErrInvalid)
			if got, err := readAll(t, e, digest.FromString(good)); err != nil || string(got) != good {
				t.Fatalf("good blob = %q, %v", got, err)
			}
			if l, _ := e.ListBlobs(t.Context()); len(l) != 2 {
				t.Fatalf("ListBlobs = %v, want both blobs", l)
			}
		})
	}
}

// TestIgnoredAndLinkedMembers reads a docker-save-like archive: extra
// members (manifest.json, repositories, directories, a legacy symlink, a
// blob name that is not a digest) are ignored and a blob stored as a hard
// link to an earlier member is read through it.
func TestIgnoredAndLinkedMembers(t *testing.T) {
	a, b := "layer content A", "layer content B"
	e := mustOpen(t, writeTar(t,
		link(tar.TypeDir, "blobs/", ""),
		link(tar.TypeDir, "blobs/sha256/", ""),
		file(blobName(a), a),
		file("legacy/layer.tar", b),
		link(tar.TypeLink, blobName(b), "./legacy/layer.tar"),
		link(tar.TypeSymlink, "old/layer.tar", "../"+blobName(a)),
		file("blobs/sha256/not-a-digest", "x"),
		file("blobs/sha512/"+strings.Repeat("a", 128), "x"),
		file("manifest.json", `[{"Config":"x"}]`),
		file("repositories", `{}`),
		file("index.json", okIndex),
		file("oci-layout", okLayout)))
	for _, s := range []string{a, b} {
		if got, err := readAll(t, e, digest.FromString(s)); err != nil || string(got) != s {
			t.Fatalf("GetBlob(%q) = %q, %v", s, got, err)
		}
	}
	if l, err := e.ListBlobs(t.Context()); err != nil || len(l) != 2 {
		t.Fatalf("ListBlobs = %v, %v", l, err)
	}
}
