package casext

import (
	"errors"
	"testing"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestResolvePlatform(t *testing.T) {
	e := newTestEngine(t)
	ctx := t.Context()
	amd := ispec.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := ispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	armv6 := ispec.Platform{OS: "linux", Architecture: "arm", Variant: "v6"}
	armv7 := ispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	mAmd := putPlatformImage(t, e, amd)
	mArm64 := putPlatformImage(t, e, arm64)
	mV6 := putPlatformImage(t, e, armv6)
	mV7 := putPlatformImage(t, e, armv7)

	refs := map[string]ispec.Descriptor{
		// Platforms on the index entries.
		"multi": putIndex(t, e, withPlatform(mAmd, amd), withPlatform(mArm64, arm64)),
		// No platforms on the entries: taken from the configs.
		"bare": putIndex(t, e, mAmd, mArm64),
		"arm":  putIndex(t, e, withPlatform(mV6, armv6), withPlatform(mV7, armv7)),
		"one":  mArm64,
	}
	for name, d := range refs {
		if err := e.UpdateReference(ctx, name, d); err != nil {
			t.Fatal(err)
		}
	}
	p := func(s string) *ispec.Platform {
		pl, err := ParsePlatform(s)
		if err != nil {
			t.Fatal(err)
		}
		return &pl
	}

	tests := []struct {
		name    string
		tag     string
		want    *ispec.Platform
		target  ispec.Descriptor
		wantErr error
		msg     string
	}{
		{name: "single without platform", tag: "one", target: mArm64},
		{name: "single with its platform", tag: "one", want: p("linux/arm64"), target: mArm64},
		{name: "single with another platform", tag: "one", want: p("linux/amd64"), wantErr: ErrPlatformNotFound,
			msg: "no image for platform linux/amd64: tag one has linux/arm64/v8"},
		{name: "index without platform", tag: "multi", wantErr: ErrTagAmbiguous,
			msg: "tag is ambiguous: multi (platforms: linux/amd64, linux/arm64/v8)"},
		{name: "index amd64", tag: "multi", want: p("linux/amd64"), target: mAmd},
		{name: "index arm64 default variant", tag: "multi", want: p("linux/arm64"), target: mArm64},
		{name: "index arm64/v8", tag: "multi", want: p("linux/arm64/v8"), target: mArm64},
		{name: "index s390x", tag: "multi", want: p("linux/s390x"), wantErr: ErrPlatformNotFound,
			msg: "no image for platform linux/s390x: tag multi has linux/amd64, linux/arm64/v8"},
		{name: "bare index from configs", tag: "bare", want: p("linux/arm64"), target: mArm64},
		{name: "bare index ambiguous", tag: "bare", wantErr: ErrTagAmbiguous,
			msg: "tag is ambiguous: bare (platforms: linux/amd64, linux/arm64/v8)"},
		{name: "variants ambiguous", tag: "arm", want: p("linux/arm"), wantErr: ErrTagAmbiguous,
			msg: "tag is ambiguous: arm: 2 images match platform linux/arm (linux/arm/v6, linux/arm/v7)"},
		{name: "variant picked", tag: "arm", want: p("linux/arm/v7"), target: mV7},
		{name: "unknown tag", tag: "nope", wantErr: ErrTagNotFound, msg: "tag not found: nope"},
		{name: "unknown tag with platform", tag: "nope", want: p("linux/amd64"), wantErr: ErrTagNotFound, msg: "tag not found: nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path, err := e.ResolvePlatform(ctx, tc.tag, tc.want)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || err.Error() != tc.msg {
					t.Fatalf("err = %v, want %q", err, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := path.Descriptor().Digest; got != tc.target.Digest {
				t.Errorf("resolved to %s, want %s", got, tc.target.Digest)
			}
			if path.Root().Annotations[RefNameAnnotation] != tc.tag {
				t.Errorf("path root is not the tagged entry: %+v", path.Root())
			}
		})
	}
}

func TestResolvePlatformBrokenChild(t *testing.T) {
	e := newTestEngine(t)
	ctx := t.Context()
	amd := putPlatformImage(t, e, ispec.Platform{OS: "linux", Architecture: "amd64"})
	// A child without a platform field whose config is missing: its
	// platform cannot be known, so filtering fails rather than guesses.
	broken := putPlatformImage(t, e, ispec.Platform{OS: "linux", Architecture: "arm64"})
	blob, err := e.FromDescriptor(ctx, broken)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.DeleteBlob(ctx, blob.Data.(*ispec.Manifest).Config.Digest); err != nil {
		t.Fatal(err)
	}
	if err := e.UpdateReference(ctx, "x", putIndex(t, e, amd, broken)); err != nil {
		t.Fatal(err)
	}
	want := ispec.Platform{OS: "linux", Architecture: "amd64"}
	if _, err := e.ResolvePlatform(ctx, "x", &want); err == nil {
		t.Error("resolved despite an unreadable child")
	}
	// Without --platform the error still says ambiguous, naming the
	// unreadable platform "unknown".
	_, err = e.ResolvePlatform(ctx, "x", nil)
	if !errors.Is(err, ErrTagAmbiguous) || err.Error() != "tag is ambiguous: x (platforms: linux/amd64, unknown)" {
		t.Errorf("err = %v", err)
	}
}
