package main

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/internal/progress"
	"github.com/lade-oci/lade/oci/compress"
	"github.com/lade-oci/lade/oci/imagecopy"
	"github.com/lade-oci/lade/oci/policy"
	"github.com/lade-oci/lade/oci/registry"
	"github.com/lade-oci/lade/oci/transport"
)

// copyOptionsFromFlags reads copy's flags into the engine's options (all
// but Progress).
func copyOptionsFromFlags(c *cli.Context) (imagecopy.Options, error) {
	var opts imagecopy.Options
	var err error
	if opts.MultiArch, err = imagecopy.ParseMultiArch(c.String("multi-arch")); err != nil {
		return opts, fmt.Errorf("invalid --multi-arch: %w", err)
	}
	if c.Bool("all") {
		if c.IsSet("multi-arch") && opts.MultiArch != imagecopy.MultiArchAll {
			return opts, errors.New("--all and --multi-arch " + c.String("multi-arch") + " contradict each other")
		}
		opts.MultiArch = imagecopy.MultiArchAll
	}
	if f := c.String("format"); f != "" {
		if opts.Format, err = imagecopy.ParseFormat(f); err != nil {
			return opts, fmt.Errorf("invalid --format: %w", err)
		}
	}
	if f := c.String("dest-compress-format"); f != "" {
		alg, err := compress.ByName(f)
		if err != nil || alg == compress.None {
			return opts, fmt.Errorf("invalid --dest-compress-format %q: gzip or zstd", f)
		}
		if alg, err = compress.WithLevel(alg, c.Int("dest-compress-level")); err != nil {
			return opts, fmt.Errorf("invalid --dest-compress-level %d: %w", c.Int("dest-compress-level"), err)
		}
		opts.Compression = alg
	} else if c.IsSet("dest-compress-level") {
		// skopeo applies a level to the default format, gzip.
		alg, err := compress.WithLevel(compress.Gzip, c.Int("dest-compress-level"))
		if err != nil {
			return opts, fmt.Errorf("invalid --dest-compress-level %d: %w", c.Int("dest-compress-level"), err)
		}
		opts.Compression = alg
	}
	switch {
	case c.Bool("dest-compress") && c.Bool("dest-decompress"):
		return opts, errors.New("--dest-compress and --dest-decompress are mutually exclusive")
	case c.Bool("dest-compress"):
		lc := transport.Compress
		opts.LayerCompression = &lc
	case c.Bool("dest-decompress"):
		lc := transport.Decompress
		opts.LayerCompression = &lc
	}
	opts.PreserveDigests = c.Bool("preserve-digests")
	if opts.Parallel = c.Int("image-parallel-copies"); opts.Parallel < 1 {
		return opts, fmt.Errorf("invalid --image-parallel-copies %d: must be at least 1", opts.Parallel)
	}
	if opts.RetryTimes = c.Int("retry-times"); opts.RetryTimes < 0 {
		return opts, fmt.Errorf("invalid --retry-times %d: must not be negative", opts.RetryTimes)
	}
	opts.TempDir = tempDir(c)
	opts.Platform.OS = c.String("override-os")
	opts.Platform.Architecture = c.String("override-arch")
	opts.Platform.Variant = c.String("override-variant")
	return opts, nil
}

// additionalTags parses --additional-tag NAME:TAG values.
func additionalTags(c *cli.Context) ([]transport.DockerReference, error) {
	var refs []transport.DockerReference
	for _, s := range c.StringSlice("additional-tag") {
		ref, err := transport.ParseDockerReference(s)
		if err != nil {
			return nil, fmt.Errorf("invalid --additional-tag %q: %w", s, err)
		}
		if ref.Digest != "" {
			return nil, fmt.Errorf("invalid --additional-tag %q: NAME:TAG, without a digest", s)
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

// checkPolicy applies the signature policy to the source image, unless
// --insecure-policy.
func checkPolicy(c *cli.Context, name transport.Name) error {
	if c.Bool("insecure-policy") {
		return nil
	}
	var pol *policy.Policy
	var err error
	if path := c.String("policy"); path != "" {
		pol, err = policy.Load(path)
	} else {
		pol, err = policy.Default()
	}
	if err != nil {
		return err
	}
	if pol.Path() == "" {
		slog.InfoContext(c.Context, "no signature policy file found: every image is allowed")
	}
	return pol.Check(c.Context, name)
}

// progressHelp is appended to the description of unpack and repack.
const progressHelp = `

--progress shows how far the layers have come on standard error (never
standard output): bars on a terminal and nothing otherwise by default
(auto), bars always (tty), one line per layer for logs (plain), or nothing
(quiet).`

// progressFlag is the --progress flag of copy, unpack, raw unpack and
// repack.
func progressFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "progress",
		Value: "auto",
		Usage: "progress display on standard error: auto (bars on a terminal, else nothing), tty (bars), plain (a line per blob, for logs) or quiet",
	}
}

// progressDisplay builds the progress display of --progress and --quiet,
// on standard error.
func progressDisplay(c *cli.Context) (*progress.Display, error) {
	mode, err := progress.ParseMode(c.String("progress"))
	if err != nil {
		return nil, fmt.Errorf("invalid --progress: %w", err)
	}
	if c.Bool("quiet") {
		mode = progress.Quiet
	}
	return progress.New(c.App.ErrWriter, progress.Options{Mode: mode}), nil
}

// tlsHint renames the flags a TLS error's hint names for one side of a
// copy ("src-" or "dest-").
func tlsHint(err error, prefix string) error {
	var te *registry.TLSError
	if !errors.As(err, &te) {
		return err
	}
	return hintError{msg: registry.RewriteTLSHint(err.Error(), err, prefix), err: err}
}

// copyError names the side of a copy a TLS error came from.
func copyError(err error, src, dst transport.Name) error {
	var te *registry.TLSError
	if !errors.As(err, &te) {
		return err
	}
	if src.Transport == transport.Docker && src.Ref.Registry == te.Host {
		return tlsHint(err, "src-")
	}
	return tlsHint(err, "dest-")
}

// hintError is an error whose message was rewritten; it still matches
// what it wraps.
type hintError struct {
	msg string
	err error
}

func (e hintError) Error() string { return e.msg }
func (e hintError) Unwrap() error { return e.err }
