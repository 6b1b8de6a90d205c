package registry

import (
	"context"
	"fmt"
)

// listTags returns every tag of repo, following pagination (at most
// settings.tagListMaxPages pages, each at most MaxManifestSize bytes, and
// settings.tagListMaxBytes of tag names in all).
func listTags(ctx context.Context, repo *repository) ([]string, error) {
	limit := current.tagListMaxBytes
	var total int64
	tags := []string{}
	err := repo.remote.Tags(ctx, "", func(page []string) error {
		for _, t := range page {
			total += int64(len(t))
			if total > limit {
				return fmt.Errorf("tag list is over the limit of %d bytes", limit)
			}
		}
		tags = append(tags, page...)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags of %s: %w", repo.ref.Name(), mapError(err))
	}
	return tags, nil
}
