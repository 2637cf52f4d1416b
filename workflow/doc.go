// Package workflow is awardflow's domain: programme configuration (cycles,
// programmes, stages, tiers, forms and eligibility rules), organisations,
// nominations, the lifecycle state machine as a typed transition table, and
// the Service that applies it through a transactional Store.
//
// It imports only the standard library and small pure helpers; database,
// HTTP and authorization adapters live in their own packages (db, api,
// policy) and depend on this one, never the other way round.
package workflow
