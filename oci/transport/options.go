package transport

import (
	"log/slog"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Credentials are a user name and password (or identity token) for a
// registry. Their String and LogValue never show the password.
type Credentials struct {
	Username string
	Password string
}

// String returns the user name and a redacted password.
func (c Credentials) String() string {
	if c.Password == "" {
		return c.Username
	}
	return c.Username + ":<redacted>"
}

// LogValue keeps the password out of slog output.
func (c Credentials) LogValue() slog.Value {
	return slog.StringValue(c.String())
}

// Options are what opening one side of a copy (or an inspect, list-tags,
// delete) needs besides the name. The zero value means skopeo's defaults.
type Options struct {
	// AuthFile is the credentials file to read (--authfile and its
	// --src-/--dest- forms); empty means skopeo's lookup chain
	// (REGISTRY_AUTH_FILE, ${XDG_RUNTIME_DIR}/containers/auth.json, ...,
	// ~/.docker/config.json with its credential helpers).
	AuthFile string
	// Credentials, when set (--creds, --username/--password), are used
	// instead of any file.
	Credentials *Credentials
	// RegistryToken is a bearer token to send as it is (--registry-token).
	RegistryToken string
	// NoCreds accesses the registry anonymously (--no-creds).
	NoCreds bool
	// CertDir holds *.crt CA certificates and *.cert/*.key client pairs
	// (--cert-dir); empty means the certs.d directories for the host.
	CertDir string
	// TLSVerify, when non-nil and false, skips certificate verification
	// and allows plain HTTP (--tls-verify=false).
	TLSVerify *bool
	// RetryTimes is how often a request that failed for a passing reason
	// is retried, taken literally: 0 (skopeo's default) tries once. A
	// transport that retries its own requests marks their last failure
	// with Retried, so that the copy engine does not retry them again.
	RetryTimes int
	// TempDir is where a transport stages data it cannot stage next to its
	// target; empty means os.TempDir().
	TempDir string
	// Platform, when set, is the platform a source picks from a docker
	// archive or a dir: index (--override-os/-arch/-variant).
	Platform *ispec.Platform
	// AdditionalTags are further NAME:TAG references a docker-archive
	// destination records (--additional-tag).
	AdditionalTags []DockerReference
	// AcceptUncompressedLayers makes an oci: or oci-archive: destination
	// store uncompressed layers as they are instead of gzip-compressing
	// them (--dest-oci-accept-uncompressed-layers).
	AcceptUncompressedLayers bool
}

// InsecureSkipTLSVerify reports whether TLSVerify was set to false.
func (o Options) InsecureSkipTLSVerify() bool {
	return o.TLSVerify != nil && !*o.TLSVerify
}
