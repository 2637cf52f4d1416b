// Package docs holds awardflow's documentation. Its only Go is the
// embedding of the example cycle file, which `awardflow serve --demo` loads,
// and of the OpenAPI description, which the API serves.
package docs

import _ "embed" // for go:embed

// ExampleCycle is docs/examples/fy2026-telework.yaml.
//
//go:embed examples/fy2026-telework.yaml
var ExampleCycle []byte

// OpenAPI is docs/openapi.yaml, served at GET /api/v1/openapi.yaml.
//
//go:embed openapi.yaml
var OpenAPI []byte
