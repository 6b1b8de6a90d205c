package authfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// Path is one file of the lookup chain.
type Path struct {
	// Name is the file's path.
	Name string
	// Legacy marks the ~/.dockercfg format: a top-level map of registry
	// to entry, with no "auths" object.
	Legacy bool
}

// PrimaryPath returns the file login writes and logout edits: authFile
// when set (--authfile), else $REGISTRY_AUTH_FILE, else
// ${XDG_RUNTIME_DIR}/containers/auth.json, else
// /run/containers/UID/auth.json (what skopeo uses when XDG_RUNTIME_DIR is
// unset).
func PrimaryPath(authFile string) string {
	if authFile != "" {
		return authFile
	}
	if env := os.Getenv("REGISTRY_AUTH_FILE"); env != "" {
		return env
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return filepath.Join(dir, "containers", "auth.json")
	}
	return filepath.Join("/run/containers", strconv.Itoa(os.Getuid()), "auth.json")
}

// Paths returns the files searched for credentials, in skopeo's order:
// the primary file (see PrimaryPath), then
// ${XDG_CONFIG_HOME:-$HOME/.config}/containers/auth.json,
// ${DOCKER_CONFIG:-$HOME/.docker}/config.json and $HOME/.dockercfg. As with
// skopeo, naming a file with --authfile does not stop the search there.
func Paths(authFile string) []Path {
	paths := []Path{{Name: PrimaryPath(authFile)}}
	home, _ := os.UserHomeDir()
	configHome := os.Getenv("XDG_CONFIG_HOME")
	if configHome == "" && home != "" {
		configHome = filepath.Join(home, ".config")
	}
	if configHome != "" {
		paths = append(paths, Path{Name: filepath.Join(configHome, "containers", "auth.json")})
	}
	if dc := os.Getenv("DOCKER_CONFIG"); dc != "" {
		paths = append(paths, Path{Name: filepath.Join(dc, "config.json")})
	} else if home != "" {
		paths = append(paths, Path{Name: filepath.Join(home, ".docker", "config.json")})
	}
	if home != "" {
		paths = append(paths, Path{Name: filepath.Join(home, ".dockercfg"), Legacy: true})
	}
	return paths
}

// checkRuntimeDir refuses to write under an XDG_RUNTIME_DIR that does not
// exist, as skopeo does, instead of creating it.
func checkRuntimeDir(authFile string) error {
	if authFile != "" || os.Getenv("REGISTRY_AUTH_FILE") != "" {
		return nil
	}
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return nil
	}
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("XDG_RUNTIME_DIR %q: %w", dir, err)
	}
	return nil
}
