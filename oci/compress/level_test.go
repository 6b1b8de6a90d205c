package compress

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// compressAll compresses data with a and returns the stream.
func compressAll(t *testing.T, a Algorithm, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := a.Compress(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWithLevelRoundTripAndEffort(t *testing.T) {
	data := testData(4 << 20)
	for _, tc := range []struct {
		alg         Algorithm
		fast, small int
	}{
		{Gzip, 1, 9},
		{Zstd, 1, 19},
	} {
		t.Run(tc.alg.Name(), func(t *testing.T) {
			sizes := map[int]int{}
			for _, level := range []int{0, tc.fast, tc.small} {
				a, err := WithLevel(tc.alg, level)
				if err != nil {
					t.Fatalf("level %d: %v", level, err)
				}
				if a.Name() != tc.alg.Name() || a.MediaTypeSuffix() != tc.alg.MediaTypeSuffix() {
					t.Fatalf("level %d: got %s/%s", level, a.Name(), a.MediaTypeSuffix())
				}
				if got := a.(Leveled).Level(); got != level {
					t.Fatalf("Level() = %d, want %d", got, level)
				}
				z := compressAll(t, a, data)
				sizes[level] = len(z)
				// Any level decompresses with the plain algorithm.
				r, err := tc.alg.Decompress(bytes.NewReader(z))
				if err != nil {
					t.Fatal(err)
				}
				back, err := io.ReadAll(r)
				if err != nil {
					t.Fatalf("level %d: %v", level, err)
				}
				if !bytes.Equal(back, data) {
					t.Fatalf("level %d: round trip differs", level)
				}
			}
			if sizes[tc.fast] <= sizes[tc.small] {
				t.Errorf("level %d gave %d bytes, level %d gave %d: want the fast level larger", tc.fast, sizes[tc.fast], tc.small, sizes[tc.small])
			}
			if sizes[0] == sizes[tc.fast] {
				t.Errorf("default and level %d gave the same size %d: level ignored?", tc.fast, sizes[0])
			}
		})
	}
}

func TestWithLevelDefaultIsUnchanged(t *testing.T) {
	data := testData(1 << 20)
	for _, a := range []Algorithm{None, Gzip, Zstd} {
		got, err := WithLevel(a, 0)
		if err != nil {
			t.Fatalf("%s: %v", a.Name(), err)
		}
		if !bytes.Equal(compressAll(t, got, data), compressAll(t, a, data)) {
			t.Errorf("%s: level 0 output differs from the default", a.Name())
		}
	}
}

func TestWithLevelRefused(t *testing.T) {
	for _, tc := range []struct {
		alg   Algorithm
		level int
	}{
		{Gzip, -1}, {Gzip, 10}, {Gzip, -2},
		{Zstd, -1}, {Zstd, 23},
		{None, 1},
	} {
		if a, err := WithLevel(tc.alg, tc.level); err == nil {
			t.Errorf("%s level %d: accepted as %v", tc.alg.Name(), tc.level, a)
		}
	}
	if _, err := WithLevel(None, 3); !errors.Is(err, ErrUnsupported) {
		t.Errorf("none with a level: %v, want ErrUnsupported", err)
	}
}
