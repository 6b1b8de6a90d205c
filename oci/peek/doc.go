// Package peek reads what shell completion shows about an image layout or
// OCI image archive: its tags, and the platforms of a multi-platform tag.
//
// It only reads, never locks and never waits: a layout directory's
// index.json and blobs are read directly (regular files only, size-capped,
// blobs digest-verified), an archive through archive.OpenUnlocked. Whatever
// is missing, corrupt or unreadable is an error, which completion turns
// into no candidates; nothing is ever printed here.
package peek
