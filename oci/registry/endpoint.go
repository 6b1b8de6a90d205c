package registry

import (
	"context"
	"net/http"

	"oras.land/oras-go/v2/registry"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"

	"github.com/lade-oci/lade/oci/casext/mediatype"
	"github.com/lade-oci/lade/oci/transport"
)

// userAgent is sent with every request.
const userAgent = "lade"

// manifestTypes are the media types lade asks for and accepts as
// manifests and indexes (the Accept header of a manifest GET by tag).
var manifestTypes = [...]string{mediatype.Manifest, mediatype.Index, mediatype.DockerManifest, mediatype.DockerManifestList}

// isManifestType reports whether mt is one of manifestTypes.
func isManifestType(mt string) bool {
	for _, t := range manifestTypes {
		if t == mt {
			return true
		}
	}
	return false
}

// apiHost is the host serving registry's API ("registry-1.docker.io" for
// docker.io).
func apiHost(registry string) string {
	if registry == transport.DockerHub {
		return transport.DockerHubAPI
	}
	return registry
}

// repository is an oras repository client set up from a reference and
// Options.
type repository struct {
	ref    transport.DockerReference
	remote *remote.Repository
}

// openRepository resolves the credential, the TLS setup and (with
// --tls-verify=false) the scheme for ref's registry, and returns a client
// for ref's repository. It sends no request unless the scheme has to be
// probed.
func openRepository(ctx context.Context, ref transport.DockerReference, opts transport.Options) (*repository, error) {
	host := apiHost(ref.Registry)
	hc, err := httpClient(host, opts)
	if err != nil {
		return nil, err
	}
	plain, err := usePlainHTTP(ctx, host, opts)
	if err != nil {
		return nil, err
	}
	cred, err := resolveCredential(ctx, ref.Registry, ref.Repository, opts)
	if err != nil {
		return nil, err
	}
	client := &auth.Client{
		Client:     hc,
		Header:     http.Header{"User-Agent": {userAgent}},
		Credential: credentialFunc(host, cred),
		Cache:      credentialCache(tokenCache(host, cred), host, cred),
	}
	r := &remote.Repository{
		Client:             client,
		Reference:          registry.Reference{Registry: ref.Registry, Repository: ref.Repository},
		PlainHTTP:          plain,
		ManifestMediaTypes: manifestTypes[:],
		TagListMaxPages:    current.tagListMaxPages,
		MaxMetadataBytes:   transport.MaxManifestSize,
	}
	// lade copies images, not artifacts: claiming the referrers API keeps
	// oras from maintaining referrers tag indexes on push and delete.
	_ = r.SetReferrersCapability(true)
	return &repository{ref: ref, remote: r}, nil
}
