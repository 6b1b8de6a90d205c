package layer

import "github.com/lade-oci/lade/internal/system"

func lgetxattr(p, name string) (string, error) {
	b, err := system.Lgetxattr(p, name)
	return string(b), err
}
