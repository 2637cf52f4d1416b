// Package docs holds awardflow's documentation. Its only Go is the
// embedding of the example cycle file, which `awardflow serve --demo` loads.
package docs

import _ "embed" // for go:embed

// ExampleCycle is docs/examples/fy2026-telework.yaml.
//
//go:embed examples/fy2026-telework.yaml
var ExampleCycle []byte
