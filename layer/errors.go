package layer

import "github.com/lade-oci/lade/internal/pathsafe"

// ErrBreakout is wrapped by errors for entries that tried to reach outside
// the root in a way that is refused rather than neutralised: whiteouts named
// ".wh.." or ".wh...", a root entry that is not a directory, or a resolution
// that ended outside the root. Names with ".." or a leading "/" are instead
// neutralised by rooting them (like umoci), and symlinks resolve inside the
// root. It is the same value as pathsafe.ErrBreakout, so errors.Is matches
// errors from either package.
var ErrBreakout = pathsafe.ErrBreakout
