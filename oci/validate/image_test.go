package validate

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lade-oci/lade/oci/casext"
)

func TestImage(t *testing.T) {
	f := newFixture(t)
	other := f.image(t, nil, "other layer")
	f.tag(t, "other", other.manifest)
	f.tag(t, "multi", f.index(t, f.good.manifest, other.manifest))
	ctx := t.Context()

	for _, tag := range []string{"good", "other", "multi"} {
		if err := Image(ctx, f.engine, tag); err != nil {
			t.Errorf("Image(%s) = %v", tag, err)
		}
	}
	if err := Image(ctx, f.engine, "absent"); !errors.Is(err, casext.ErrTagNotFound) {
		t.Errorf("Image(absent) = %v, want ErrTagNotFound", err)
	}

	// Break the "other" image only: "good" stays valid, "other" and
	// "multi" (which contains it) are not, and Layout sees it too.
	if err := os.Remove(f.blobPath(other.layers[0].Digest)); err != nil {
		t.Fatal(err)
	}
	if err := Image(ctx, f.engine, "good"); err != nil {
		t.Errorf("Image(good) after breaking other = %v", err)
	}
	for _, tag := range []string{"other", "multi"} {
		err := Image(ctx, f.engine, tag)
		problems := Problems(err)
		if len(problems) != 1 || !strings.Contains(problems[0].Error(), other.layers[0].Digest.String()+" is missing") {
			t.Errorf("Image(%s) problems = %q (err %v)", tag, problems, err)
		}
		if !strings.Contains(problems[0].Error(), fmt.Sprintf("(tag %q)", tag)) {
			t.Errorf("problem does not name the tag %s: %v", tag, problems[0])
		}
	}
	if n := len(Problems(Layout(ctx, f.engine))); n != 1 {
		t.Errorf("Layout found %d problems, want 1 (a blob is checked once)", n)
	}
}

func TestProblems(t *testing.T) {
	a, b := errors.New("a"), errors.New("b")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"plain", errors.New("x"), 0},
		{"joined", fmt.Errorf("validate layout: %w", errors.Join(a, b)), 2},
		{"one", fmt.Errorf("validate layout: %w", errors.Join(a)), 1},
		{"multi-%w is not a list", fmt.Errorf("validate layout: %w", fmt.Errorf("%w: %w", a, b)), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Problems(tc.err); len(got) != tc.want {
				t.Errorf("Problems(%v) = %v, want %d problems", tc.err, got, tc.want)
			}
		})
	}
}
