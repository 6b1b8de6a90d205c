package dockerarchive

import (
	"archive/tar"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/lade-oci/lade/oci/transport/internal/tarout"
)

// Member names of the legacy format.
const (
	manifestMember     = "manifest.json"
	repositoriesMember = "repositories"
	legacyVersion      = "1.0"
)

// manifestItem is one entry of manifest.json.
type manifestItem struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// epoch is every member's modification time.
var epoch = time.Unix(0, 0)

func fileHeader(name string, size int64) *tar.Header {
	return &tar.Header{Typeflag: tar.TypeReg, Name: name, Size: size, Mode: 0o444, ModTime: epoch}
}

// write writes the archive of img to f: layers, config, legacy layer
// directories, manifest.json, repositories.
func (d *dest) write(ctx context.Context, f *os.File, img image) error {
	w := tarout.New(f)
	item := manifestItem{Config: img.config.Digest.Encoded() + ".json", RepoTags: []string{}, Layers: []string{}}
	sent := map[string]bool{}
	for _, l := range img.layers {
		name := l.Digest.Encoded() + ".tar"
		item.Layers = append(item.Layers, name)
		if sent[name] {
			continue
		}
		sent[name] = true
		if err := d.addStaged(ctx, w, name, l.Digest.Encoded()); err != nil {
			return err
		}
	}
	if err := d.addStaged(ctx, w, item.Config, img.config.Digest.Encoded()); err != nil {
		return err
	}
	for _, l := range img.legacy {
		if sent[l.id] {
			continue
		}
		sent[l.id] = true
		link := &tar.Header{Typeflag: tar.TypeSymlink, Name: l.id + "/layer.tar", Linkname: "../" + l.diffID.Encoded() + ".tar", ModTime: epoch}
		if err := w.Add(ctx, link, nil); err != nil {
			return err
		}
		if err := w.AddBytes(ctx, fileHeader(l.id+"/VERSION", 0), []byte(legacyVersion)); err != nil {
			return err
		}
		if err := w.AddBytes(ctx, fileHeader(l.id+"/json", 0), l.json); err != nil {
			return err
		}
	}
	repos := map[string]map[string]string{}
	for _, r := range d.repoTags {
		tag := r.Name() + ":" + r.Tag
		if !slices.Contains(item.RepoTags, tag) {
			item.RepoTags = append(item.RepoTags, tag)
		}
		if len(img.legacy) == 0 {
			continue
		}
		if repos[r.Name()] == nil {
			repos[r.Name()] = map[string]string{}
		}
		repos[r.Name()][r.Tag] = img.legacy[len(img.legacy)-1].id
	}
	manifest, err := json.Marshal([]manifestItem{item})
	if err != nil {
		return fmt.Errorf("encode %s: %w", manifestMember, err)
	}
	if err := w.AddBytes(ctx, fileHeader(manifestMember, 0), manifest); err != nil {
		return err
	}
	repositories, err := json.Marshal(repos)
	if err != nil {
		return fmt.Errorf("encode %s: %w", repositoriesMember, err)
	}
	if err := w.AddBytes(ctx, fileHeader(repositoriesMember, 0), repositories); err != nil {
		return err
	}
	return w.Close()
}

// addStaged writes the staged blob file as member name.
func (d *dest) addStaged(ctx context.Context, w *tarout.Writer, name, file string) error {
	f, err := d.stage.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return w.Add(ctx, fileHeader(name, fi.Size()), f)
}
