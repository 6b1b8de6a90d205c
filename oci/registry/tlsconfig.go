package registry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// defaultCertsDirs are the certs.d directories skopeo searches for a
// HOST[:PORT] directory, in its order; the first that exists is used.
func defaultCertsDirs() []string {
	dirs := []string{}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".config/containers/certs.d"))
	}
	return append(dirs, "/etc/containers/certs.d", "/etc/docker/certs.d")
}

// certDir returns the directory whose certificates apply to host:
// certDir (--cert-dir) when set, else the first certs.d/HOST[:PORT] that
// exists, else "".
func certDir(s settings, host, certDir string) string {
	if certDir != "" {
		return certDir
	}
	bases := s.certsDirs
	if bases == nil {
		bases = defaultCertsDirs()
	}
	for _, base := range bases {
		dir := filepath.Join(base, host)
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			return dir
		}
	}
	return ""
}

// tlsConfig builds the TLS configuration for a registry: the system roots
// plus the *.crt files of dir, the client pairs *.cert/*.key of dir, and
// no verification at all when insecure. A directory that does not exist
// adds nothing, as with skopeo.
func tlsConfig(dir string, insecure bool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: insecure} //nolint:gosec // --tls-verify=false asks for it
	if dir == "" {
		return cfg, nil
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read certificate directory: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		path := filepath.Join(dir, name)
		switch {
		case strings.HasSuffix(name, ".crt"):
			if cfg.RootCAs == nil {
				if cfg.RootCAs, err = x509.SystemCertPool(); err != nil {
					cfg.RootCAs = x509.NewCertPool()
				}
			}
			pem, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("read CA certificate: %w", err)
			}
			if !cfg.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("read CA certificate %s: no PEM certificate in it", path)
			}
		case strings.HasSuffix(name, ".cert"):
			key := strings.TrimSuffix(path, ".cert") + ".key"
			if _, err := os.Stat(key); err != nil {
				return nil, fmt.Errorf("missing key %s for client certificate %s (CA certificates must be named *.crt)", key, path)
			}
			pair, err := tls.LoadX509KeyPair(path, key)
			if err != nil {
				return nil, fmt.Errorf("load client certificate %s: %w", path, err)
			}
			cfg.Certificates = append(cfg.Certificates, pair)
		case strings.HasSuffix(name, ".key"):
			cert := strings.TrimSuffix(path, ".key") + ".cert"
			if _, err := os.Stat(cert); err != nil {
				return nil, fmt.Errorf("missing client certificate %s for key %s", cert, path)
			}
		}
	}
	return cfg, nil
}

// TLSError is a failure to verify a registry's certificate, or a plain
// HTTP registry reached over https. Its message is the x509 (or http)
// error and a hint naming --cert-dir and --tls-verify=false; a command
// whose flags are --src-cert-dir or --dest-cert-dir rewrites it with
// [RewriteTLSHint].
type TLSError struct {
	// Host is the registry ("HOST[:PORT]").
	Host string
	// PlainHTTP is set when the registry answered https with plain HTTP.
	PlainHTTP bool
	// Err is the underlying error (an x509 error when !PlainHTTP).
	Err error
}

func (e *TLSError) Error() string { return e.Err.Error() + " (" + e.hint("") + ")" }
func (e *TLSError) Unwrap() error { return e.Err }

func (e *TLSError) hint(prefix string) string {
	if e.PlainHTTP {
		return "the registry speaks plain HTTP: use --" + prefix + "tls-verify=false"
	}
	return "use --" + prefix + "cert-dir DIR with the registry's CA certificate in DIR/*.crt, or --" + prefix + "tls-verify=false"
}

// RewriteTLSHint returns msg (the text of an error that holds a
// *TLSError) with the hint's flags renamed for a side of a copy: prefix
// "src-" gives --src-cert-dir and --src-tls-verify=false. A message
// without the hint is returned unchanged.
func RewriteTLSHint(msg string, err error, prefix string) string {
	var te *TLSError
	if !errors.As(err, &te) {
		return msg
	}
	return strings.Replace(msg, te.hint(""), te.hint(prefix), 1)
}
