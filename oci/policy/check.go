package policy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/lade-oci/lade/oci/transport"
)

// ErrRejected matches the error of Check for an image a reject
// requirement refuses.
var ErrRejected = errors.New("rejected by policy")

// ErrUnverifiable matches the error of Check for an image whose policy
// requires signatures, which lade cannot verify.
var ErrUnverifiable = errors.New("signature verification is not supported")

// RejectedError is Check's error for an image a reject requirement
// refuses. Its text is skopeo's.
type RejectedError struct {
	Image string // the image name as skopeo prints it
}

func (e *RejectedError) Error() string {
	return "Source image rejected: Running image " + e.Image + " is rejected by policy."
}

// Is makes errors.Is(err, ErrRejected) hold.
func (e *RejectedError) Is(target error) bool { return target == ErrRejected }

// UnverifiableError is Check's error for an image whose policy requires a
// signature.
type UnverifiableError struct {
	Image       string // the image name as skopeo prints it
	Requirement string // "signedBy", "sigstoreSigned" or "signedBaseLayer"
	Section     string // the policy section that applied, e.g. `transports.docker."docker.io/library"`
}

func (e *UnverifiableError) Error() string {
	return fmt.Sprintf("policy requires a %s signature for %s (%s) but lade cannot verify signatures: "+
		"use --insecure-policy, or a policy with insecureAcceptAnything for this scope", e.Requirement, e.Image, e.Section)
}

// Is makes errors.Is(err, ErrUnverifiable) hold.
func (e *UnverifiableError) Is(target error) bool { return target == ErrUnverifiable }

// Check decides whether the image name may be read: every requirement of
// the most specific policy section that applies to name must accept it. A
// reject requirement fails with a *RejectedError, a signature requirement
// with an *UnverifiableError (lade verifies no signatures). Resolving a
// local path (for oci:, oci-archive: and dir:) can fail too.
func (p *Policy) Check(ctx context.Context, name transport.Name) error {
	if name.Transport == transport.Docker && name.Ref == nil {
		return fmt.Errorf("check policy for %s: docker name without a reference", name.Transport)
	}
	reqs, section, err := p.requirementsFor(name)
	if err != nil {
		return fmt.Errorf("check policy for %s: %w", name, err)
	}
	slog.DebugContext(ctx, "policy section", "image", name.String(), "section", section, "file", p.path)
	for _, r := range reqs {
		switch r.kind {
		case typeInsecureAcceptAnything:
			continue
		case typeReject:
			return &RejectedError{Image: imageName(name)}
		default:
			return &UnverifiableError{Image: imageName(name), Requirement: r.kind, Section: section}
		}
	}
	return nil
}

// requirementsFor returns the requirements of the most specific section
// that applies to name, and a description of that section.
func (p *Policy) requirementsFor(name transport.Name) ([]requirement, string, error) {
	kind := string(name.Transport)
	if scopes, ok := p.transports[kind]; ok {
		candidates, err := scopeCandidates(name)
		if err != nil {
			return nil, "", err
		}
		for _, scope := range append(candidates, "") {
			if reqs, ok := scopes[scope]; ok {
				return reqs, fmt.Sprintf("transports.%s.%q", kind, scope), nil
			}
		}
	}
	return p.def, "default", nil
}

// scopeCandidates lists the scopes that match name, most specific first
// (the transport's "" scope excluded).
func scopeCandidates(name transport.Name) ([]string, error) {
	switch name.Transport {
	case transport.Docker:
		return append([]string{name.Ref.String()}, dockerNamespaces(name.Ref.Name())...), nil
	case transport.OCI, transport.OCIArchive, transport.Dir:
		// The tag is no part of the identity: "DIR:TAG" and "DIR" may be
		// the same image. A "DIR:TAG" scope therefore never matches, as in
		// skopeo.
		resolved, err := resolvePath(name.Path)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", name.Path, err)
		}
		return pathNamespaces(resolved), nil
	case transport.DockerArchive:
		return nil, nil // only the "" scope exists
	}
	return nil, fmt.Errorf("unknown transport %q", name.Transport)
}

// imageName spells name as skopeo does in policy messages: docker
// references in their short ("familiar") form, oci: and oci-archive:
// names always with the ':' before the (possibly empty) tag.
func imageName(name transport.Name) string {
	switch name.Transport {
	case transport.Docker:
		return "docker://" + familiar(*name.Ref)
	case transport.OCI, transport.OCIArchive:
		return string(name.Transport) + ":" + name.Path + ":" + name.Tag
	}
	return name.String()
}

// familiar drops "docker.io/" and a "library/" of a one-component name.
func familiar(ref transport.DockerReference) string {
	if ref.Registry != transport.DockerHub {
		return ref.String()
	}
	repo := ref.Repository
	if rest, ok := strings.CutPrefix(repo, "library/"); ok && !strings.Contains(rest, "/") {
		repo = rest
	}
	s := repo
	if ref.Tag != "" {
		s += ":" + ref.Tag
	}
	if ref.Digest != "" {
		s += "@" + ref.Digest.String()
	}
	return s
}
