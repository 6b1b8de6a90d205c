package progress

import (
	"fmt"
	"strings"
	"time"
)

// Size formats n bytes in binary units: "512 B", "12.3 MiB".
func Size(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Speed formats n bytes over d as "12.3 MiB/s".
func Speed(n int64, d time.Duration) string {
	if d <= 0 {
		return "- B/s"
	}
	return Size(int64(float64(n)/d.Seconds())) + "/s"
}

// ShortID shortens a digest to its algorithm-less first 12 hex digits, as
// skopeo shows blobs; anything that is not a digest is kept as it is.
func ShortID(id string) string {
	_, hex, ok := strings.Cut(id, ":")
	if !ok || len(hex) < 12 {
		return id
	}
	return hex[:12]
}

// amount is "done / total" or "done" when the total is not known.
func amount(done, total int64) string {
	if total < 0 {
		return Size(done)
	}
	return Size(done) + " / " + Size(total)
}

// plainLine is the line Plain mode writes for a finished blob.
func plainLine(b *blob, s State, took time.Duration) string {
	head := b.label + " " + ShortID(b.id)
	done := b.done.Load()
	switch s {
	case Skipped:
		return head + ": skipped (already exists)"
	case Mounted:
		return head + ": mounted (from another repository)"
	case Failed:
		return fmt.Sprintf("%s: failed after %s", head, amount(done, b.total))
	}
	return fmt.Sprintf("%s: done, %s in %s, %s", head, Size(done), took.Round(10*time.Millisecond), Speed(done, took))
}
