package archive

import (
	"bytes"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/cas"
	"github.com/lade-oci/lade/oci/cas/dir"
	"github.com/opencontainers/go-digest"
)

// readAll reads blob d from e to the end and closes it.
func readAll(t *testing.T, e cas.Engine, d digest.Digest) ([]byte, error) {
	t.Helper()
	rc, err := e.GetBlob(t.Context(), d)
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	return data, err
}

// TestSameAsDir opens a layout directory and a tar of it and checks that
// every read method of the archive engine answers like the dir backend.
func TestSameAsDir(t *testing.T) {
	root := smallLayout(t)
	dirEngine, err := dir.Open(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dirEngine.Close() })
	arc := mustOpen(t, layoutTar(t, root))

	wantIdx, err := dirEngine.GetIndex(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	gotIdx, err := arc.GetIndex(t.Context())
	if err != nil {
		t.Fatalf("GetIndex: %v", err)
	}
	if !reflect.DeepEqual(gotIdx, wantIdx) || len(gotIdx.Manifests) != 2 {
		t.Fatalf("GetIndex = %+v, want %+v", gotIdx, wantIdx)
	}

	want, _ := dirEngine.ListBlobs(t.Context())
	got, err := arc.ListBlobs(t.Context())
	slices.Sort(want)
	if err != nil || !slices.Equal(got, want) || len(got) < 7 {
		t.Fatalf("ListBlobs = %v, %v; want %v", got, err, want)
	}
	for _, d := range want {
		t.Run(d.Encoded()[:12], func(t *testing.T) {
			wantN, _ := dirEngine.StatBlob(t.Context(), d)
			if n, err := arc.StatBlob(t.Context(), d); err != nil || n != wantN {
				t.Fatalf("StatBlob = %d, %v; want %d", n, err, wantN)
			}
			wantData, _ := readAll(t, dirEngine, d)
			data, err := readAll(t, arc, d)
			if err != nil || !bytes.Equal(data, wantData) {
				t.Fatalf("GetBlob: %v (%d bytes, want %d)", err, len(data), len(wantData))
			}
		})
	}
}

func TestLookupErrors(t *testing.T) {
	root := smallLayout(t)
	dirEngine, err := dir.Open(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dirEngine.Close() })
	arc := mustOpen(t, layoutTar(t, root))
	good := digest.FromString("never stored")
	tests := []struct {
		name string
		d    digest.Digest
		want error
	}{
		{"missing", good, cas.ErrNotExist},
		{"empty", "", cas.ErrInvalid},
		{"traversal", "sha256:../../index.json", cas.ErrInvalid},
		{"uppercase", digest.Digest(strings.ToUpper(string(good))), cas.ErrInvalid},
		{"sha512", digest.SHA512.FromString("x"), cas.ErrInvalid},
		{"short", good[:len(good)-1], cas.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, e := range []cas.Engine{dirEngine, arc} {
				_, err := e.GetBlob(t.Context(), tc.d)
				wantErr(t, "GetBlob", err, tc.want)
				_, err = e.StatBlob(t.Context(), tc.d)
				wantErr(t, "StatBlob", err, tc.want)
			}
		})
	}
}

// TestDigestMismatch corrupts one blob inside the tar (same size) and checks
// that reading it fails like the dir backend does.
func TestDigestMismatch(t *testing.T) {
	content := "original blob content"
	p := writeTar(t, file("oci-layout", okLayout), file("index.json", okIndex), file(blobName(content), content))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte(content), []byte(strings.ToUpper(content)), 1)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	e := mustOpen(t, p)
	d := digest.FromString(content)
	_, err = readAll(t, e, d)
	wantErr(t, "full read", err, cas.ErrDigestMismatch)
	if !strings.Contains(err.Error(), d.String()) {
		t.Errorf("error %q does not name the digest", err)
	}
	rc, err := e.GetBlob(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Read(make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Close after partial read", rc.Close(), cas.ErrDigestMismatch)
}

// TestDotSlashNames reads an archive whose members start with "./" (what
// `tar -C DIR -cf x.tar .` writes).
func TestDotSlashNames(t *testing.T) {
	content := "blob"
	e := mustOpen(t, writeTar(t,
		link('5', "./", ""),
		file("./oci-layout", okLayout),
		file("./index.json", okIndex),
		file("./"+blobName(content), content)))
	if got, err := readAll(t, e, digest.FromString(content)); err != nil || string(got) != content {
		t.Fatalf("GetBlob = %q, %v", got, err)
	}
}
