package layer

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lade-oci/lade/internal/pathsafe"
)

// ErrBreakout is wrapped by errors for entries that tried to reach outside
// the root in a way that is refused rather than neutralised: whiteouts named
// ".wh.." or ".wh...", a root entry that is not a directory, or a resolution
// that ended outside the root. Names with ".." or a leading "/" are instead
// neutralised by rooting them (like umoci), and symlinks resolve inside the
// root. It is the same value as pathsafe.ErrBreakout, so errors.Is matches
// errors from either package.
var ErrBreakout = pathsafe.ErrBreakout

// maxErrorLen bounds the length of an UnpackLayer error message: entry names
// and host paths come from the layer and may be kilobytes long.
const maxErrorLen = 512

// lineError presents an error built from hostile names on one bounded line:
// control characters are escaped and an overlong message loses its middle.
// errors.Is and errors.As see the wrapped error unchanged.
type lineError struct{ err error }

func (e lineError) Error() string { return oneLine(e.err.Error()) }
func (e lineError) Unwrap() error { return e.err }

func oneLine(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == '\u2028', r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	s = b.String()
	if len(s) <= maxErrorLen {
		return s
	}
	const keep = maxErrorLen/2 - 2
	return strings.ToValidUTF8(s[:keep], "") + "..." + strings.ToValidUTF8(s[len(s)-keep:], "")
}
