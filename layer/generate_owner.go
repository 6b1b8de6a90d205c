package layer

import (
	"archive/tar"
	"fmt"
	"slices"

	"github.com/lade-oci/lade/internal/idmap"
	"github.com/lade-oci/lade/internal/rootlesscontainers"
	"github.com/lade-oci/lade/internal/system"
)

// xattrs stores the packable xattrs of hostPath in hdr as PAX records and
// returns the raw user.rootlesscontainers value (nil when absent), which is
// never packed: it describes the owner instead.
func (g *generateWriter) xattrs(hdr *tar.Header, hostPath string) ([]byte, error) {
	names, err := g.opts.FsEval.Llistxattr(hostPath)
	if err != nil {
		if system.IsXattrUnsupported(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("list xattrs of %s: %w", hdr.Name, err)
	}
	slices.Sort(names)
	var owner []byte
	for _, name := range names {
		if XattrNeverApplied(name) {
			continue
		}
		value, err := g.opts.FsEval.Lgetxattr(hostPath, name)
		if err != nil {
			if system.IsXattrMissing(err) {
				continue // removed since it was listed
			}
			return nil, fmt.Errorf("read xattr %s of %s: %w", name, hdr.Name, err)
		}
		if name == rootlesscontainers.Xattr {
			owner = value
			continue
		}
		if len(value) == 0 {
			g.log.Warn("skipping empty xattr: tar cannot represent it", "path", hdr.Name, "xattr", name)
			continue
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = make(map[string]string)
		}
		hdr.PAXRecords[paxXattrPrefix+name] = string(value)
	}
	return owner, nil
}

// owners sets the header owner from the host owner: mapped host→container
// normally; in rootless mode 0:0 unless the user.rootlesscontainers value
// names another owner (an id of rootlesscontainers.NoopID keeps 0).
func (g *generateWriter) owners(hdr *tar.Header, uid, gid uint32, rootlessOwner []byte) error {
	mo := g.opts.MapOptions
	if !mo.Rootless {
		var err error
		if uid, err = idmap.ToContainer(uid, mo.UIDMappings); err != nil {
			return fmt.Errorf("map owner of %s: %w", hdr.Name, err)
		}
		if gid, err = idmap.ToContainer(gid, mo.GIDMappings); err != nil {
			return fmt.Errorf("map group of %s: %w", hdr.Name, err)
		}
		if rootlessOwner != nil {
			g.log.Warn("ignoring rootless owner xattr outside rootless mode", "path", hdr.Name, "xattr", rootlesscontainers.Xattr)
		}
	} else {
		uid, gid = 0, 0
		if rootlessOwner != nil {
			res, err := rootlesscontainers.Decode(rootlessOwner)
			if err != nil {
				return fmt.Errorf("read rootless owner of %s: %w", hdr.Name, err)
			}
			if res.UID != rootlesscontainers.NoopID {
				uid = res.UID
			}
			if res.GID != rootlesscontainers.NoopID {
				gid = res.GID
			}
		}
	}
	hdr.Uid, hdr.Gid = int(uid), int(gid)
	return nil
}
