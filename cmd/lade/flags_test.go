package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lade-oci/lade/oci/compress"
	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

// withFlags runs fn inside a one-command cli app given flags and args, and
// returns fn's error (or the parse error).
func withFlags(t *testing.T, flags []cli.Flag, args []string, fn func(c *cli.Context) error) error {
	t.Helper()
	app := &cli.App{
		Name:                      "t",
		Flags:                     flags,
		DisableSliceFlagSeparator: true,
		Action:                    fn,
		OnUsageError:              usageError,
		ExitErrHandler:            func(*cli.Context, error) {},
	}
	return app.RunContext(t.Context(), append([]string{"t"}, args...))
}

func TestParseImageRef(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    imageRef
		wantErr string
	}{
		{in: "img", want: imageRef{"img", "latest"}},
		{in: "img:v1", want: imageRef{"img", "v1"}},
		{in: "/a/b:a:b", want: imageRef{"/a/b", "a:b"}},
		{in: "img:docker.io/library/x:1", want: imageRef{"img", "docker.io/library/x:1"}},
		{in: "", wantErr: "path is empty"},
		{in: ":v1", wantErr: "path is empty"},
		{in: "img:", wantErr: `invalid tag ""`},
		{in: "img:a b", wantErr: `invalid tag "a b"`},
		{in: "img:-a", wantErr: `invalid tag "-a"`},
		{in: "img:a..b", wantErr: `invalid tag "a..b"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseImageRef(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestParseLayout(t *testing.T) {
	for in, ok := range map[string]bool{"a": true, "/x/y": true, "": false, "a:b": false} {
		if _, err := parseLayout(in); (err == nil) != ok {
			t.Errorf("parseLayout(%q) err = %v", in, err)
		}
	}
}

func TestSourceDateEpoch(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	if got, err := sourceDateEpoch(); got != nil || err != nil {
		t.Errorf("empty: got %v, %v", got, err)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	got, err := sourceDateEpoch()
	if err != nil || !got.Equal(time.Unix(1700000000, 0)) || got.Location() != time.UTC {
		t.Errorf("got %v, %v", got, err)
	}
	for _, bad := range []string{"soon", "1.5", "99999999999999999999"} {
		t.Setenv("SOURCE_DATE_EPOCH", bad)
		if _, err := sourceDateEpoch(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestHistoryFromFlags(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	sde := time.Unix(1700000000, 0).UTC()
	for _, tc := range []struct {
		name    string
		args    []string
		want    *ispec.History
		wantErr string
	}{
		{name: "defaults", want: &ispec.History{Created: &sde, CreatedBy: "lade insert", Author: "img author"}},
		{name: "no-history", args: []string{"--no-history"}},
		{name: "all flags", args: []string{
			"--history.author", "me", "--history.comment", "c", "--history.created", "2020-01-02T03:04:05.5+01:00",
			"--history.created_by", "hand",
		}, want: &ispec.History{
			Created: timePtr(time.Date(2020, 1, 2, 3, 4, 5, 5e8, time.FixedZone("", 3600))), CreatedBy: "hand", Author: "me", Comment: "c",
		}},
		{name: "empty author", args: []string{"--history.author", ""}, want: &ispec.History{Created: &sde, CreatedBy: "lade insert"}},
		{name: "conflict", args: []string{"--no-history", "--history.comment", "x"}, wantErr: "mutually exclusive"},
		{name: "bad created", args: []string{"--history.created", "yesterday"}, wantErr: "parse --history.created"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got *ispec.History
			err := withFlags(t, historyFlags(), tc.args, func(c *cli.Context) error {
				var err error
				got, err = historyFromFlags(c, "lade insert", "img author")
				return err
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (tc.want == nil) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			if got == nil {
				return
			}
			// The stored text, offset included, is what umoci writes.
			if got.Created.Format(time.RFC3339Nano) != tc.want.Created.Format(time.RFC3339Nano) ||
				got.CreatedBy != tc.want.CreatedBy || got.Author != tc.want.Author || got.Comment != tc.want.Comment {
				t.Errorf("got %+v (created %v), want %+v (created %v)", got, got.Created, tc.want, tc.want.Created)
			}
		})
	}
}

func timePtr(t time.Time) *time.Time { return &t }

func TestCompressFromFlag(t *testing.T) {
	layer := func(mt string) ispec.Descriptor { return ispec.Descriptor{MediaType: mt} }
	gz := layer(ispec.MediaTypeImageLayerGzip)
	zst := layer(ispec.MediaTypeImageLayerZstd)
	plain := layer(ispec.MediaTypeImageLayer)
	for _, tc := range []struct {
		name    string
		args    []string
		layers  []ispec.Descriptor
		want    compress.Algorithm
		level   int
		wantErr bool
	}{
		{name: "auto empty image", want: compress.Gzip},
		{name: "auto last zstd", layers: []ispec.Descriptor{gz, zst}, want: compress.Zstd},
		{name: "auto skips uncompressed", layers: []ispec.Descriptor{zst, plain}, want: compress.Zstd},
		{name: "auto only uncompressed", layers: []ispec.Descriptor{plain}, want: compress.Gzip},
		{name: "auto skips unknown", layers: []ispec.Descriptor{gz, layer("application/x.weird")}, want: compress.Gzip},
		{name: "explicit none", args: []string{"--compress", "none"}, layers: []ispec.Descriptor{zst}, want: compress.None},
		{name: "explicit auto", args: []string{"--compress", "auto"}, layers: []ispec.Descriptor{zst}, want: compress.Zstd},
		{name: "explicit zstd", args: []string{"--compress=zstd"}, want: compress.Zstd},
		{name: "unknown", args: []string{"--compress", "lz4"}, wantErr: true},
		{name: "gzip level", args: []string{"--compress=gzip", "--compress-level=1"}, want: compress.Gzip, level: 1},
		{name: "auto zstd level", args: []string{"--compress-level", "19"}, layers: []ispec.Descriptor{zst}, want: compress.Zstd, level: 19},
		{name: "level zero is default", args: []string{"--compress-level=0"}, want: compress.Gzip},
		{name: "gzip level too high", args: []string{"--compress-level=12"}, wantErr: true},
		{name: "negative level", args: []string{"--compress=zstd", "--compress-level=-3"}, wantErr: true},
		{name: "none takes no level", args: []string{"--compress=none", "--compress-level=5"}, wantErr: true},
		{name: "level not a number", args: []string{"--compress-level=fast"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got compress.Algorithm
			err := withFlags(t, []cli.Flag{compressFlag(), compressLevelFlag()}, tc.args, func(c *cli.Context) error {
				var err error
				got, err = compressFromFlag(c, tc.layers)
				return err
			})
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error, got %v", got)
				}
				return
			}
			if err != nil || got.Name() != tc.want.Name() {
				t.Fatalf("got %v, %v; want %s", got, err, tc.want.Name())
			}
			level := 0
			if l, ok := got.(compress.Leveled); ok {
				level = l.Level()
			}
			if level != tc.level {
				t.Fatalf("level %d, want %d", level, tc.level)
			}
		})
	}
}

func TestCheckArgsMessages(t *testing.T) {
	for _, tc := range []struct {
		args []string
		n    int
		want string
	}{
		{nil, 0, ""},
		{[]string{"a"}, 1, ""},
		{[]string{"a", "-"}, 2, ""},
		{[]string{"a"}, 0, "expected 0, got 1"},
		{nil, 1, "expected <x>, got 0"},
		{[]string{"a", "--rootless"}, 1, `unexpected argument "--rootless": flags must come before positional arguments`},
		{[]string{"a", "-"}, 1, "expected <x>, got 2"},
	} {
		err := withFlags(t, nil, append([]string{"--"}, tc.args...), func(c *cli.Context) error {
			return checkArgs(c, tc.n, "<x>")
		})
		if tc.want == "" {
			if err != nil {
				t.Errorf("%q n=%d: %v", tc.args, tc.n, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q n=%d: err %v, want %q", tc.args, tc.n, err, tc.want)
		}
	}
}

func TestUsageErrorNaming(t *testing.T) {
	err := usageError(nil, errors.New("flag provided but not defined: -foo"), false)
	if err.Error() != "flag provided but not defined: --foo" {
		t.Errorf("got %q", err)
	}
}
