package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/lade-oci/lade/oci/inspect"
	"github.com/lade-oci/lade/oci/registry"
	"github.com/lade-oci/lade/oci/transport"
	"github.com/lade-oci/lade/oci/transport/layout"
)

func init() { registerSkopeoCommand(listTagsCommand()) }

func listTagsCommand() *cli.Command {
	flags := append(sharedFlags(false), registryFlags("")...)
	return &cli.Command{
		Name:      "list-tags",
		Usage:     "list the tags of a repository or docker archive",
		Category:  categoryTransport,
		ArgsUsage: "REPOSITORY-NAME",
		Description: `Print the tags of REPOSITORY-NAME as "skopeo list-tags" does: for
docker://HOST[:PORT]/REPO (no tag or digest), a JSON object with the
Repository and its Tags (every page the registry returns, in its order);
for docker-archive:PATH, the Tags (the RepoTags of every image, as the
archive stores them: "busybox:latest" from docker save,
"docker.io/library/busybox:latest" from skopeo). Other transports have no
tag list.` + registryHelp,
		Flags:  flags,
		Action: runListTags,
	}
}

// tagList is skopeo list-tags' output.
type tagList struct {
	Repository string `json:",omitempty"`
	Tags       []string
}

func runListTags(c *cli.Context) error {
	if err := checkArgs(c, 1, c.Command.ArgsUsage); err != nil {
		return err
	}
	arg := c.Args().First()
	kind, rest, _ := strings.Cut(arg, ":")
	var out tagList
	switch transport.Kind(kind) {
	case transport.Docker:
		repo, err := transport.ParseDockerRepository(strings.TrimPrefix(rest, "//"))
		if err != nil || !strings.HasPrefix(rest, "//") {
			return fmt.Errorf("invalid repository %q: expected docker://HOST[:PORT]/REPO with no tag or digest", arg)
		}
		opts, err := registryOptions(c, "")
		if err != nil {
			return err
		}
		tags, err := registry.Tags(c.Context, repo, opts)
		if err != nil {
			return err
		}
		out = tagList{Repository: repo.Name(), Tags: tags}
	case transport.DockerArchive:
		name, err := transport.Parse(arg)
		if err != nil {
			return err
		}
		tags, err := layout.ArchiveTags(c.Context, name)
		if err != nil {
			return err
		}
		out = tagList{Tags: tags}
	default:
		return fmt.Errorf("unsupported transport %q for tag listing: only docker and docker-archive", kind)
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	return inspect.WriteJSON(c.App.Writer, out)
}
