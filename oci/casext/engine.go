package casext

import "github.com/lade-oci/lade/oci/cas"

// Engine wraps a cas.Engine with the generic operations of this package.
// It is a small value type: copy it freely. Close the wrapped engine through
// Engine.Close as usual.
type Engine struct {
	cas.Engine
}

// NewEngine wraps e.
func NewEngine(e cas.Engine) Engine {
	return Engine{Engine: e}
}
