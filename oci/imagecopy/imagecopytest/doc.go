// Package imagecopytest has in-memory transport.Source and
// transport.Destination fakes, and builders of small images and indexes
// in OCI or Docker v2s2 form, for tests of the copy engine and of
// commands built on it.
//
// The fakes keep the contracts of oci/transport: Source.Fetch returns a
// verified reader (digest and size checked while streaming), and
// Destination.PutBlob verifies what it stores and stores nothing that does
// not match. Hooks let a test fail, slow down or count calls.
package imagecopytest
