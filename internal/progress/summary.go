package progress

import (
	"fmt"
	"strings"
	"time"
)

// Summary counts the blobs a Display was told about.
type Summary struct {
	Blobs                          int // finished blobs
	Done, Skipped, Mounted, Failed int
	Bytes                          int64 // bytes moved, all blobs together
	Elapsed                        time.Duration
}

func (s *Summary) add(st State, n int64) {
	s.Blobs++
	s.Bytes += n
	switch st {
	case Done:
		s.Done++
	case Skipped:
		s.Skipped++
	case Mounted:
		s.Mounted++
	case Failed:
		s.Failed++
	}
}

// String is the summary line: "5 blobs (3 done, 2 skipped): 12.5 MiB in
// 2.1s, 6.0 MiB/s".
func (s Summary) String() string {
	var parts []string
	for _, c := range []struct {
		n    int
		name string
	}{{s.Done, "done"}, {s.Skipped, "skipped"}, {s.Mounted, "mounted"}, {s.Failed, "failed"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.name))
		}
	}
	noun := "blobs"
	if s.Blobs == 1 {
		noun = "blob"
	}
	return fmt.Sprintf("%d %s (%s): %s in %s, %s", s.Blobs, noun, strings.Join(parts, ", "),
		Size(s.Bytes), s.Elapsed.Round(100*time.Millisecond), Speed(s.Bytes, s.Elapsed))
}
