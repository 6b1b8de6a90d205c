package archive

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/opencontainers/go-digest"
)

// verify scans the new archive (size bytes of r) the way Open does and
// checks it against the engine's state: oci-layout present, index.json
// holding exactly the new index, and the same blobs as the engine serves
// (each readable, or unreadable for the same reason as before, with the
// same size). It catches a member boundary misplaced by extents, or a hard
// link whose target was dropped, before the archive is replaced.
func (e *Engine) verify(ctx context.Context, r io.ReaderAt, size int64) error {
	cat, err := scan(ctx, r, size, "new archive")
	if err != nil {
		return err
	}
	if cat.layout == nil || cat.layout.bad != "" || cat.index == nil || cat.index.bad != "" {
		return fmt.Errorf("oci-layout or index.json missing or unreadable")
	}
	if cat.index.size != int64(len(e.index)) {
		return fmt.Errorf("index.json has %d bytes, want %d", cat.index.size, len(e.index))
	}
	data := make([]byte, cat.index.size)
	if _, err := r.ReadAt(data, cat.index.offset); err != nil || !bytes.Equal(data, e.index) {
		return fmt.Errorf("index.json differs from the new index (%v)", err)
	}
	want := map[digest.Digest]member{}
	for d, m := range e.cat.blobs {
		if !m.dir && !e.w.deleted[d] {
			want[d] = m
		}
	}
	for d, m := range e.w.added {
		want[d] = m
	}
	n := 0
	for d, m := range cat.blobs {
		if m.dir {
			continue
		}
		n++
		w, ok := want[d]
		switch {
		case !ok:
			return fmt.Errorf("unexpected blob %s", d)
		case (m.bad == "") != (w.bad == ""):
			return fmt.Errorf("blob %s: member %s %s", d, m.name, m.bad)
		case m.bad == "" && m.size != w.size:
			return fmt.Errorf("blob %s has %d bytes, want %d", d, m.size, w.size)
		}
	}
	if n != len(want) {
		return fmt.Errorf("%d blobs, want %d", n, len(want))
	}
	return nil
}
