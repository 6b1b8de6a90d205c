package testimage

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// WriteTree writes a deterministic directory of n files totalling about
// total bytes under dir (created; it must not exist yet): 100 files per
// subdirectory, sizes varying ±50% around the mean, odd-numbered files
// text and even-numbered ones binary (so a one-file tree is binary).
// It is the source tree of the insert benchmark.
func WriteTree(ctx context.Context, dir string, n int, total int64) error {
	if n <= 0 || total < 0 {
		return fmt.Errorf("write tree: want n > 0 and total >= 0, got %d and %d", n, total)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("write tree: %w", err)
	}
	g := newGen(7)
	r := rand.New(rand.NewPCG(7, 9))
	mean := total / int64(n)
	var written int64
	for i := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		size := mean/2 + r.Int64N(mean+1)
		if i == n-1 {
			size = max(total-written, 0)
		}
		size = min(size, max(total-written, 0))
		written += size
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i/100))
		if i%100 == 0 {
			if err := os.Mkdir(sub, 0o755); err != nil {
				return fmt.Errorf("write tree: %w", err)
			}
		}
		if err := writeTreeFile(filepath.Join(sub, fmt.Sprintf("f%05d", i)), g, uint64(i), size); err != nil {
			return err
		}
	}
	return nil
}

func writeTreeFile(p string, g *gen, seed uint64, size int64) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create tree file: %w", err)
	}
	var src io.Reader = g.binary(seed, size)
	if seed%2 == 1 {
		_, err = f.Write(g.text(seed, size))
	} else {
		_, err = io.Copy(f, src)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write tree file: %w", err)
	}
	return nil
}
