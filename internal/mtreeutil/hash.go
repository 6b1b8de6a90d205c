package mtreeutil

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"

	"github.com/opencontainers/go-digest"
	"github.com/vbatts/go-mtree"
)

// hashJob is one regular file whose sha256 Walk needs.
type hashJob struct {
	entry  int // index in DirectoryHierarchy.Entries
	rel    string
	path   string
	fi     os.FileInfo
	digest digest.Digest // preset when known; filled by hashAll otherwise
}

// hashAll computes the missing digests with one worker per CPU.
func hashAll(ctx context.Context, fsEval mtree.FsEval, jobs []hashJob) error {
	todo := make(chan int)
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			for i := range todo {
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				d, err := hashFile(fsEval, jobs[i].path)
				jobs[i].digest, errs[i] = d, err
			}
		})
	}
	for i := range jobs {
		if jobs[i].digest == "" {
			todo <- i
		}
	}
	close(todo)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func hashFile(fsEval mtree.FsEval, path string) (digest.Digest, error) {
	f, err := fsEval.Open(path)
	if err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return digest.NewDigest(digest.SHA256, h), nil
}

// validSHA256 is d.Algorithm() == SHA256 && d.Validate() == nil without
// the regular expression Validate runs (a measurable cost per file).
func validSHA256(d digest.Digest) bool {
	hex, ok := strings.CutPrefix(string(d), "sha256:")
	if !ok || len(hex) != 64 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		if c := hex[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
