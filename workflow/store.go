package workflow

import (
	"context"
	"time"
)

// Store is persistent storage. Every service method runs in one transaction.
type Store interface {
	// InTx runs fn in a transaction, committing if fn returns nil and
	// rolling back otherwise.
	InTx(ctx context.Context, fn func(Tx) error) error
	// Read runs fn outside a transaction, for a lookup that is one
	// statement and so consistent by itself; it saves BEGIN and COMMIT on
	// the hottest path (the session lookup of every request).
	Read(ctx context.Context, fn func(Tx) error) error
}

// Tx is the storage available inside a transaction. Lookups of a missing
// object return a NotFound error; writes that collide return Conflict.
type Tx interface {
	AccountsTx
	JudgingTx
	PublicationTx
	WindowsTx
	AuditTx

	// CycleKeys lists stored cycles' keys.
	CycleKeys(ctx context.Context) ([]string, error)
	// LatestCycle returns the newest version of a cycle.
	LatestCycle(ctx context.Context, key string) (CycleVersion, error)
	// CycleVersion returns one version of a cycle.
	CycleVersion(ctx context.Context, key string, version int) (CycleVersion, error)
	// InsertCycleVersion stores a new version; Conflict if it exists.
	InsertCycleVersion(ctx context.Context, v *CycleVersion) error

	// Release returns when a programme's results were released, or nil.
	ReleasedAt(ctx context.Context, cycleKey, programmeKey string) (*time.Time, error)
	// Release returns a programme's release record, or nil.
	Release(ctx context.Context, cycleKey, programmeKey string) (*Release, error)
	// InsertRelease records the release; Conflict if already released.
	InsertRelease(ctx context.Context, r Release) error

	// InsertOrganisation stores a new organisation; CorporateNumberTaken if
	// another holds its corporate number.
	InsertOrganisation(ctx context.Context, o *Organisation) error
	// OrganisationWithCorporateNumber returns the id of the organisation
	// holding a corporate number, or 0.
	OrganisationWithCorporateNumber(ctx context.Context, number string) (int64, error)
	Organisation(ctx context.Context, id int64) (Organisation, error)
	// OrganisationsByID returns the organisations with the given ids that exist.
	OrganisationsByID(ctx context.Context, ids []int64) ([]Organisation, error)
	// SearchOrganisations lists organisations matching f by id, up to
	// f.Limit after f.After, and how many match when f.Total.
	SearchOrganisations(ctx context.Context, f OrganisationFilter) ([]Organisation, int, error)
	// UpdateOrganisation stores o if its stored version is expected; o.Version
	// must already be the new version. Conflict otherwise.
	UpdateOrganisation(ctx context.Context, o *Organisation, expected int) error

	// InsertNomination stores a new nomination; Conflict if the organisation
	// already has a nomination (not withdrawn) for the programme in the cycle.
	InsertNomination(ctx context.Context, n *Nomination) error
	Nomination(ctx context.Context, id int64) (Nomination, error)
	// Nominations returns the nominations with the given ids, in the order
	// given; NotFound names the first missing id.
	Nominations(ctx context.Context, ids []int64) ([]Nomination, error)
	// UpdateNominations stores each nomination if its stored version is
	// its Version−1; Conflict if any has moved on.
	UpdateNominations(ctx context.Context, ns []Nomination) error
	// CountNominationsByState counts a programme's nominations by state.
	CountNominationsByState(ctx context.Context, cycleKey, programmeKey string) (map[State]int, error)
	// SearchNominations lists nominations matching f, newest first (by id),
	// up to f.Limit with an id below f.After (when set), and how many match
	// when f.Total. Items carry neither answers nor snapshot.
	SearchNominations(ctx context.Context, f NominationFilter) ([]NominationItem, int, error)
	// SetEligibility stores the Eligibility of each nomination (by ID)
	// and nothing else; versions do not move.
	SetEligibility(ctx context.Context, ns []Nomination) error
	// UnevaluatedNominations returns up to limit ids of nominations whose
	// eligibility was never stored, in id order.
	UnevaluatedNominations(ctx context.Context, limit int) ([]int64, error)
	// AppendHistory stores history entries.
	AppendHistory(ctx context.Context, es []HistoryEntry) error
	// History lists a nomination's history, oldest first.
	History(ctx context.Context, nominationID int64) ([]HistoryEntry, error)
}

// Release records that a programme's results were released to applicants.
type Release struct {
	CycleKey     string
	ProgrammeKey string
	ReleasedAt   time.Time
	ReleasedBy   string
	// ConfirmedUndecided counts, by state, the nominations still undecided
	// that the releaser explicitly confirmed releasing with; nil if none.
	ConfirmedUndecided map[State]int
	ConfirmReason      string // why it was released with them
}

// Create is the action recorded in the first history entry of a nomination.
// It is not a transition.
const Create Action = "create"

// HistoryEntry records one change of a nomination: who did what, when and
// why, and the state, stage, tier and award after it.
type HistoryEntry struct {
	ID           int64
	NominationID int64
	Version      int // the nomination's version after the change
	// ApplicantVersion is the version the applicant saw after the change
	// (Nomination.ApplicantVersion); staff steps leave it unchanged.
	ApplicantVersion int
	ActorID          string
	ActorName        string
	Role             Role
	Action           Action
	From             State // "" for Create
	To               State
	Stage            string
	Tier             string
	Award            string
	Reason           string
	Due              *time.Time
	At               time.Time
}

// OrganisationFilter narrows an organisation list.
type OrganisationFilter struct {
	Q          string // part of the name or its reading, or a corporate number
	Prefecture string
	Industry   string
	Page
}

// NominationFilter narrows a nomination list. Ministries and
// OrganisationID are set by the service from the caller's rights.
type NominationFilter struct {
	Cycle, Programme string
	State            State
	Prefecture       string // of the organisation's current record
	Industry         string
	Q                string // part of the organisation's name or reading
	// MinHeadcount and MaxHeadcount bound the organisation's regular
	// headcount (常時雇用, its current record), inclusive; 0 is no bound.
	MinHeadcount, MaxHeadcount int
	// Verdict is the stored eligibility (Pass, Fail or Unknown; see
	// ParseVerdict); "" is any. Staff only.
	Verdict        Outcome
	Ministries     []string
	OrganisationID int64
	Page
}

// NominationItem is a row of a nomination list.
type NominationItem struct {
	Nomination       Nomination
	OrganisationName string
	Prefecture       string
	Industry         string
}
