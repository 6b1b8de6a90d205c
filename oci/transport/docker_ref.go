package transport

import (
	"errors"
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
)

// DockerHub is the registry an unqualified docker reference names, and
// DockerHubAPI the host that serves it.
const (
	DockerHub    = "docker.io"
	DockerHubAPI = "registry-1.docker.io"
)

// maxRepositoryLength is the distribution spec's limit on a registry host
// plus repository name.
const maxRepositoryLength = 255

// DockerReference is a normalized docker image reference:
// Registry/Repository[:Tag][@Digest].
type DockerReference struct {
	// Registry is "HOST[:PORT]"; DockerHub when the reference named none.
	Registry string
	// Repository is the path in the registry, "library/busybox" for a
	// one-component name on Docker Hub.
	Repository string
	Tag        string
	Digest     digest.Digest
}

// ParseDockerReference parses "[HOST[:PORT]/]REPO[:TAG][@DIGEST]" as skopeo's
// docker:// transport does: an unqualified name is on docker.io, a
// one-component name there gets "library/", "index.docker.io" is
// docker.io, and a reference with neither tag nor digest gets tag "latest".
// A reference with both a tag and a digest is refused, as by skopeo.
func ParseDockerReference(s string) (DockerReference, error) {
	ref, err := parseDockerReference(s, true)
	if err != nil {
		return DockerReference{}, err
	}
	if ref.Tag != "" && ref.Digest != "" {
		return DockerReference{}, fmt.Errorf("docker reference %q has both a tag and a digest, which is not supported", s)
	}
	return ref, nil
}

// ParseDockerRepository parses "[HOST[:PORT]/]REPO" with no tag or digest
// (list-tags, login scopes), normalized like ParseDockerReference.
func ParseDockerRepository(s string) (DockerReference, error) {
	ref, err := parseDockerReference(s, false)
	if err != nil {
		return DockerReference{}, err
	}
	if ref.Tag != "" || ref.Digest != "" {
		return DockerReference{}, fmt.Errorf("repository name %q must not have a tag or digest", s)
	}
	return ref, nil
}

// parseDockerReference parses and normalizes s; defaultTag adds "latest"
// when s has neither tag nor digest.
func parseDockerReference(s string, defaultTag bool) (DockerReference, error) {
	if s == "" {
		return DockerReference{}, errors.New("empty docker reference")
	}
	var ref DockerReference
	rest := s
	if name, dgst, ok := strings.Cut(rest, "@"); ok {
		d, err := digest.Parse(dgst)
		if err != nil {
			return DockerReference{}, fmt.Errorf("invalid digest in %q: %w", s, err)
		}
		ref.Digest, rest = d, name
	}
	// A tag follows the last ':' that comes after the last '/' (a ':' before
	// it is a port).
	if i := strings.LastIndexByte(rest, ':'); i > strings.LastIndexByte(rest, '/') {
		ref.Tag, rest = rest[i+1:], rest[:i]
		if !validTag(ref.Tag) {
			return DockerReference{}, fmt.Errorf("invalid tag %q in %q", ref.Tag, s)
		}
	}
	ref.Registry, ref.Repository = splitRegistry(rest)
	if ref.Registry == "index.docker.io" {
		ref.Registry = DockerHub
	}
	if ref.Registry == DockerHub && !strings.Contains(ref.Repository, "/") {
		ref.Repository = "library/" + ref.Repository
	}
	if err := checkRegistry(ref.Registry); err != nil {
		return DockerReference{}, fmt.Errorf("invalid registry in %q: %w", s, err)
	}
	if err := checkRepository(ref.Repository); err != nil {
		return DockerReference{}, fmt.Errorf("invalid repository in %q: %w", s, err)
	}
	if len(ref.Registry)+1+len(ref.Repository) > maxRepositoryLength {
		return DockerReference{}, fmt.Errorf("repository name %q is longer than %d characters", s, maxRepositoryLength)
	}
	if defaultTag && ref.Tag == "" && ref.Digest == "" {
		ref.Tag = "latest"
	}
	return ref, nil
}

// splitRegistry splits "host/repo" where the first component is a host
// only if it contains '.' or ':', is "localhost", or has an upper-case
// letter (repositories are lower case), as docker does.
func splitRegistry(s string) (registry, repo string) {
	first, rest, ok := strings.Cut(s, "/")
	if !ok || !(strings.ContainsAny(first, ".:") || first == "localhost" || strings.ToLower(first) != first) {
		return DockerHub, s
	}
	return first, rest
}

// Name returns "Registry/Repository", the form skopeo prints as an image's
// Name and Repository.
func (r DockerReference) Name() string {
	return r.Registry + "/" + r.Repository
}

// String returns the normalized reference: Name, then ":Tag" and
// "@Digest" when set.
func (r DockerReference) String() string {
	s := r.Name()
	if r.Tag != "" {
		s += ":" + r.Tag
	}
	if r.Digest != "" {
		s += "@" + r.Digest.String()
	}
	return s
}

// Reference returns the tag, or the digest when there is no tag: what
// a registry's /manifests/<reference> endpoint takes.
func (r DockerReference) Reference() string {
	if r.Digest != "" {
		return r.Digest.String()
	}
	return r.Tag
}
