package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	ispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

// historyFlagNames are the --history.* flags that --no-history excludes.
var historyFlagNames = []string{"history.author", "history.comment", "history.created", "history.created_by"}

// historyFlags are the flags controlling the history entry that config,
// repack, insert and raw add-layer append.
func historyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "no-history", Usage: "do not create a history entry"},
		&cli.StringFlag{Name: "history.author", Usage: "author of the history entry (default: the image's author)"},
		&cli.StringFlag{Name: "history.comment", Usage: "comment of the history entry"},
		&cli.StringFlag{Name: "history.created", Usage: "creation time of the history entry, RFC 3339 (default: SOURCE_DATE_EPOCH or now)"},
		&cli.StringFlag{Name: "history.created_by", Usage: "created_by of the history entry (default: umoci <command>, as umoci writes it)"},
	}
}

// historyFromFlags builds the history entry described by the history flags.
// createdBy and author are the defaults for the fields whose flag is unset.
// It returns nil (and no error) for --no-history. Created is, in order,
// --history.created exactly as given (offset and fraction kept, as umoci
// writes it), SOURCE_DATE_EPOCH or the current time (both in UTC).
func historyFromFlags(c *cli.Context, createdBy, author string) (*ispec.History, error) {
	if c.Bool("no-history") {
		for _, name := range historyFlagNames {
			if c.IsSet(name) {
				return nil, fmt.Errorf("--no-history and --%s are mutually exclusive", name)
			}
		}
		return nil, nil
	}
	h := &ispec.History{
		CreatedBy: createdBy,
		Author:    author,
		Comment:   c.String("history.comment"),
	}
	if c.IsSet("history.created_by") {
		h.CreatedBy = c.String("history.created_by")
	}
	if c.IsSet("history.author") {
		h.Author = c.String("history.author")
	}
	created, err := historyCreated(c)
	if err != nil {
		return nil, err
	}
	h.Created = &created
	return h, nil
}

func historyCreated(c *cli.Context) (time.Time, error) {
	if c.IsSet("history.created") {
		t, err := time.Parse(time.RFC3339Nano, c.String("history.created"))
		if err != nil {
			return time.Time{}, fmt.Errorf("parse --history.created: %w", err)
		}
		return t, nil
	}
	return defaultCreated()
}

// defaultCreated is SOURCE_DATE_EPOCH when set, else now, in UTC.
func defaultCreated() (time.Time, error) {
	sde, err := sourceDateEpoch()
	if err != nil {
		return time.Time{}, err
	}
	if sde != nil {
		return *sde, nil
	}
	return time.Now().UTC(), nil
}

// sourceDateEpoch reads SOURCE_DATE_EPOCH (integer seconds since the epoch).
// It returns nil when the variable is unset or empty and an error when it
// cannot be parsed.
func sourceDateEpoch() (*time.Time, error) {
	s, ok := os.LookupEnv("SOURCE_DATE_EPOCH")
	if !ok || s == "" {
		return nil, nil
	}
	secs, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		var numErr *strconv.NumError
		if errors.As(err, &numErr) {
			err = numErr.Err
		}
		return nil, fmt.Errorf("parse SOURCE_DATE_EPOCH %q: %w", s, err)
	}
	t := time.Unix(secs, 0).UTC()
	return &t, nil
}
