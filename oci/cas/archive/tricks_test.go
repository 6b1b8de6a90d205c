package archive

import (
	"archive/tar"
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/opencontainers/go-digest"
)

// TestTarTricks opens archives whose headers play tricks on a naive reader.
// Names are what archive/tar (and therefore skopeo and podman, which
// extract oci-archives with it) decides after applying PAX and GNU long
// name records; sizes are checked against the file; a member either reads
// back verified or fails with a one-line reason.
func TestTarTricks(t *testing.T) {
	blob, other := "blob content", "other blob"
	long := strings.Repeat("./", 30)
	gnu := func(name, link, body string) entry {
		e := file(name, body)
		if link != "" {
			e = entry{hdr: tar.Header{Name: name, Linkname: link, Typeflag: tar.TypeLink, Mode: 0o644}}
		}
		e.hdr.Format = tar.FormatGNU
		return e
	}
	sparseRecs := []string{"GNU.sparse.major", "0", "GNU.sparse.minor", "1",
		"GNU.sparse.size", strconv.Itoa(len(blob)), "GNU.sparse.numblocks", "1",
		"GNU.sparse.map", "0," + strconv.Itoa(len(blob))}
	paxSize := paxRecords("size", strconv.Itoa(len(blob)))
	idxBlob := `{"schemaVersion":2,"manifests":[],"annotations":{"via":"hardlink"}}`

	tests := []struct {
		name    string
		data    []byte
		openErr string // non-empty: Open must fail with this text
		blobs   map[string]string
		badBlob string // content whose blob must fail with ErrInvalid and this reason
		bad     string
		index   string // an annotation value GetIndex must return under "via"
	}{
		{name: "pax path renames a harmless member to a blob",
			data:  withLayout(t, okIndex, rawMember("harmless.txt", blob, "path", blobName(blob))),
			blobs: map[string]string{blob: blob}},
		{name: "pax path with dotdot",
			data:    withLayout(t, okIndex, rawMember("harmless.txt", "x", "path", "blobs/../../etc/passwd")),
			openErr: `contains ".."`},
		{name: "pax path absolute",
			data:    withLayout(t, okIndex, rawMember("harmless.txt", "x", "path", "/etc/passwd")),
			openErr: "absolute member name"},
		{name: "pax path duplicates index.json",
			data:    withLayout(t, okIndex, rawMember("harmless.txt", okIndex, "path", "./index.json")),
			openErr: `duplicate member "index.json"`},
		{name: "pax size overrides the ustar size",
			data: withLayout(t, okIndex, rawHeader("PaxHeaders/b", 'x', int64(len(paxSize)), false), padded(paxSize),
				rawHeader(blobName(blob), '0', int64(len(blob)+600), false), padded(blob)),
			blobs: map[string]string{blob: blob}},
		{name: "gnu long name and long link",
			data: tarBytes(t, file("oci-layout", okLayout), file("index.json", okIndex),
				gnu(long+blobName(blob), "", blob), gnu("legacy/layer.tar", "", other),
				gnu(long+blobName(other), long+"legacy/layer.tar", "")),
			blobs: map[string]string{blob: blob, other: other}},
		{name: "negative base-256 size",
			data:    withLayout(t, okIndex, rawHeader(blobName(blob), '0', -1, true), padded(blob)),
			openErr: "bad tar header"},
		{name: "huge base-256 size",
			data:    withLayout(t, okIndex, rawHeader(blobName(blob), '0', 1<<62, true), padded(blob)),
			openErr: "is truncated: member"},
		{name: "valid checksum, size past the end",
			data:    withLayout(t, okIndex, rawHeader(blobName(blob), '0', 1<<20, false), padded(blob)),
			openErr: "is truncated: member"},
		{name: "negative size on a symlink",
			data:    withLayout(t, okIndex, rawHeader(blobName(blob), '2', -5, true)),
			openErr: "bad tar header"},
		{name: "sparse blob member",
			data:    withLayout(t, okIndex, rawMember(blobName(blob), blob, sparseRecs...)),
			badBlob: blob, bad: "is a sparse file"},
		{name: "blob as directory then file",
			data: tarBytes(t, file("oci-layout", okLayout), file("index.json", okIndex),
				link(tar.TypeDir, blobName(blob)+"/", ""), file(blobName(blob), blob)),
			openErr: "duplicate member"},
		{name: "index.json hard link to a blob",
			data: tarBytes(t, file("oci-layout", okLayout), file(blobName(idxBlob), idxBlob),
				link(tar.TypeLink, "index.json", blobName(idxBlob))),
			blobs: map[string]string{idxBlob: idxBlob}, index: "hardlink"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, "x.tar", tc.data)
			e, err := Open(t.Context(), p)
			if tc.openErr != "" {
				wantErr(t, "Open", err, cas.ErrInvalid)
				if !strings.Contains(err.Error(), tc.openErr) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("Open error %q, want one line containing %q", err, tc.openErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer e.Close()
			for _, want := range tc.blobs {
				if got, err := readAll(t, e, digest.FromString(want)); err != nil || string(got) != want {
					t.Fatalf("blob %q read as %q, %v", want, got, err)
				}
			}
			if tc.badBlob != "" {
				_, err := e.GetBlob(t.Context(), digest.FromString(tc.badBlob))
				wantErr(t, "GetBlob", err, cas.ErrInvalid)
				if !strings.Contains(err.Error(), tc.bad) {
					t.Fatalf("GetBlob error %q lacks %q", err, tc.bad)
				}
			}
			idx, err := e.GetIndex(context.Background())
			if err != nil || idx.Annotations["via"] != tc.index {
				t.Fatalf("GetIndex = %+v, %v; want annotation via=%q", idx, err, tc.index)
			}
		})
	}
}

// TestEndMarkerAfterZeros cuts the end-of-archive marker off an archive
// whose last member ends with zeros (as an uncompressed layer does: a tar
// stream ends with zero blocks): the archive is still truncated.
func TestEndMarkerAfterZeros(t *testing.T) {
	layer := "layer" + strings.Repeat("\x00", 4096)
	full := tarBytes(t, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName(layer), layer))
	for _, tc := range []struct {
		name string
		cut  int
		ok   bool
	}{
		{"complete", 0, true},
		{"no end marker", 1024, false},
		{"half end marker", 512, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), writeFile(t, "x.tar", full[:len(full)-tc.cut]))
			if tc.ok {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				return
			}
			wantErr(t, "Open", err, cas.ErrInvalid)
			if !strings.Contains(err.Error(), "no end-of-archive marker") {
				t.Fatalf("Open error %q, want the missing end marker", err)
			}
		})
	}
	// Data after the marker (tar pads archives to 10 KiB records) is fine.
	if _, err := Open(t.Context(), writeFile(t, "x.tar", append(bytes.Clone(full), make([]byte, 9*512)...))); err != nil {
		t.Fatalf("Open with record padding: %v", err)
	}
}
