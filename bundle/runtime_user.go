package bundle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"syscall"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	rspec "github.com/opencontainers/runtime-spec/specs-go"
)

// maxIDFileSize caps how much of etc/passwd or etc/group is read, so a
// hostile image cannot make the conversion read an endless file.
const maxIDFileSize = 16 << 20

// applyUser resolves the image user (§4 steps 8-9) and sets uid, gid,
// additional gids and, when Env has none, HOME.
func applyUser(ctx context.Context, spec *rspec.Spec, userSpec, rootfs string) error {
	var execUser *user.ExecUser
	if rootfs == "" {
		// No passwd/group to read: numeric ids still resolve.
		u, err := user.GetExecUser(userSpec, nil, nil, nil)
		if err != nil {
			slog.Default().WarnContext(ctx, "cannot resolve image user without a rootfs; using 0:0",
				"user", userSpec, "err", err)
			u = &user.ExecUser{}
		}
		execUser = u
	} else {
		passwd, err := readInRoot(rootfs, "/etc/passwd")
		if err != nil {
			return err
		}
		group, err := readInRoot(rootfs, "/etc/group")
		if err != nil {
			return err
		}
		u, err := user.GetExecUser(userSpec, nil, passwd, group)
		if err != nil {
			return fmt.Errorf("resolve user %q: %w", userSpec, err)
		}
		execUser = u
	}

	spec.Process.User.UID = uint32(execUser.Uid)
	spec.Process.User.GID = uint32(execUser.Gid)
	spec.Process.User.AdditionalGids = nil
	for _, gid := range execUser.Sgids {
		spec.Process.User.AdditionalGids = append(spec.Process.User.AdditionalGids, uint32(gid))
	}
	if execUser.Home != "" && !hasEnv(spec.Process.Env, "HOME") {
		spec.Process.Env = append(spec.Process.Env, "HOME="+execUser.Home)
	}
	return nil
}

// readInRoot reads name resolved inside root (symlinks, even absolute ones,
// stay inside root). A path that names no file (missing, under a parent
// that is not a directory, such as an /etc a layer replaced by a file, or
// through a symlink loop) gives a nil reader, which moby/sys/user treats as
// "no entries", as umoci does.
func readInRoot(root, name string) (io.Reader, error) {
	handle, err := pathrs.OpenInRoot(root, name)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) || errors.Is(err, syscall.ELOOP) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s in rootfs: %w", name, err)
	}
	defer handle.Close()
	f, err := pathrs.Reopen(handle, os.O_RDONLY)
	if err != nil {
		return nil, fmt.Errorf("open %s in rootfs: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s in rootfs: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read %s in rootfs: not a regular file", name)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxIDFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s in rootfs: %w", name, err)
	}
	if len(data) > maxIDFileSize {
		return nil, fmt.Errorf("read %s in rootfs: larger than %d bytes", name, maxIDFileSize)
	}
	return bytes.NewReader(data), nil
}
