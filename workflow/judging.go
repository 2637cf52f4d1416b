package workflow

import (
	"context"
	"time"

	"github.com/awardflow/awardflow/workflow/assign"
)

// StageRef names a judged stage of a programme in a cycle.
type StageRef struct {
	Cycle, Programme, Stage string
}

func (r StageRef) String() string { return r.Cycle + "/" + r.Programme + "/" + r.Stage }

// PanelMember is a judge or the chair of a stage's panel, with optional
// preferences used by automatic assignment.
type PanelMember struct {
	Stage       StageRef
	UserID      int64
	Name        string
	Role        Role // RoleJudge or RoleChair
	Industries  []string
	Prefectures []string
	AddedBy     string
	AddedAt     time.Time
	Version     int // 1 when added; a change names the version it edits
}

// Affiliation is an organisation a judge declares a tie to; nominations of
// a matching organisation (same organisation, corporate number or name)
// are conflicts of interest.
type Affiliation struct {
	ID              int64
	UserID          int64
	OrganisationID  int64
	CorporateNumber string
	Name            string
	DeclaredAt      time.Time
}

// Conflict sources.
const (
	SourceDeclared        = "declared"         // the judge declared a conflict with the organisation
	SourceRecusal         = "recusal"          // the judge recused from an assigned entry
	SourceAffiliation     = "affiliation"      // a declared affiliation names the organisation
	SourceCorporateNumber = "corporate_number" // an affiliation's corporate number is the organisation's
	SourceName            = "name"             // an affiliation's name is the organisation's
)

// SourceLabel names a conflict's source in plain words.
func SourceLabel(source string) Text {
	switch source {
	case SourceDeclared:
		return Text{Ja: "本人の申告", En: "declared"}
	case SourceRecusal:
		return Text{Ja: "審査の辞退", En: "recusal"}
	case SourceAffiliation:
		return Text{Ja: "所属の申告", En: "affiliation"}
	case SourceCorporateNumber:
		return Text{Ja: "所属先の法人番号が一致", En: "same corporate number as an affiliation"}
	case SourceName:
		return Text{Ja: "所属先の名称が一致", En: "same name as an affiliation"}
	}
	return Text{Ja: source, En: source}
}

// DeclaredConflict is an explicit conflict between a judge and an organisation.
type DeclaredConflict struct {
	ID             int64
	UserID         int64
	OrganisationID int64
	Source         string // SourceDeclared or SourceRecusal
	Reason         string
	CreatedBy      string
	CreatedAt      time.Time
}

// ConflictOfInterest is a judge's conflict with an entry, with where it comes from.
type ConflictOfInterest struct {
	UserID         int64
	NominationID   int64
	OrganisationID int64
	Source         string
	Reason         string
}

// Assignment of a judge to an entry at a stage.
type Assignment struct {
	Stage         StageRef
	NominationID  int64
	UserID        int64
	Source        string // "manual" or "proposal"
	CreatedBy     string
	CreatedAt     time.Time
	RecusedAt     *time.Time
	RecusalReason string
}

// Active reports whether the judge has not recused.
func (a Assignment) Active() bool { return a.RecusedAt == nil }

// Proposal statuses.
const (
	ProposalPending   = "pending"
	ProposalApplied   = "applied"
	ProposalDiscarded = "discarded"
)

// Proposal is an automatic assignment awaiting the secretariat's decision.
type Proposal struct {
	ID             int64
	Stage          StageRef
	Seed           uint64
	UsePreferences bool
	BaseVersion    int64 // the stage's assignment version it was computed from
	Pairs          []assign.Pair
	Report         assign.Report
	Status         string
	CreatedBy      string
	CreatedAt      time.Time
	DecidedBy      string
	DecidedAt      *time.Time
}

// Score statuses.
const (
	ScoreDraft     = "draft"
	ScoreSubmitted = "submitted"
)

// Score is one judge's scores for one entry at a stage. Values are exact
// decimal text by criterion key.
type Score struct {
	Stage        StageRef
	NominationID int64
	UserID       int64
	Values       map[string]string
	Comment      string
	Status       string
	Version      int
	SubmittedAt  *time.Time
	UpdatedAt    time.Time
	// A submitted score the judge may no longer change (blind scoring) is
	// reopened by the chair or the secretariat, with a reason, for one
	// change; ReopenedAt is nil again once the judge has resubmitted.
	ReopenedAt   *time.Time
	ReopenedBy   string
	ReopenReason string
}

// Score event kinds.
const (
	EventSave       = "save"       // a draft saved, or a first submission
	EventCorrection = "correction" // a submitted score changed by its judge
	EventReopen     = "reopen"     // the chair or the secretariat reopened a submitted score
)

// ScoreEvent is the audit trail of a score: every save, by whom, with the
// score before it (Before is nil for the first save).
type ScoreEvent struct {
	Stage        StageRef
	NominationID int64
	UserID       int64
	ActorID      string
	Kind         string // EventSave, EventCorrection or EventReopen
	Reason       string // of a reopening
	Status       string
	Values       map[string]string
	Comment      string
	Version      int
	At           time.Time
	Before       *ScoreState
}

// ScoreState is what a score said at one time.
type ScoreState struct {
	Status  string
	Values  map[string]string
	Comment string
}

// JudgingTx is the storage of judging inside a transaction.
type JudgingTx interface {
	PanelMembers(ctx context.Context, s StageRef) ([]PanelMember, error)
	// UpsertPanelMember adds a member when m.Version is 0 or 1 (Conflict if
	// it is on the panel) or changes it if its stored version is m.Version-1
	// (Conflict otherwise).
	UpsertPanelMember(ctx context.Context, m PanelMember) error
	DeletePanelMember(ctx context.Context, s StageRef, userID int64) error // NotFound

	InsertAffiliation(ctx context.Context, a *Affiliation) error
	Affiliations(ctx context.Context, userIDs []int64) ([]Affiliation, error)
	InsertConflict(ctx context.Context, c *DeclaredConflict) error
	DeclaredConflicts(ctx context.Context, userIDs []int64) ([]DeclaredConflict, error)

	// StageEntries lists the nominations at a stage (any state there).
	StageEntries(ctx context.Context, s StageRef) ([]Nomination, error)
	Assignments(ctx context.Context, s StageRef) ([]Assignment, error)
	InsertAssignments(ctx context.Context, as []Assignment) error // Conflict on a duplicate
	DeleteAssignment(ctx context.Context, s StageRef, nominationID, userID int64) error
	RecuseAssignment(ctx context.Context, s StageRef, nominationID, userID int64, reason string, at time.Time) error
	// StageVersion counts changes to a stage's panel and assignments; a
	// proposal applies only at the version it was computed from.
	StageVersion(ctx context.Context, s StageRef) (int64, error)
	BumpStageVersion(ctx context.Context, s StageRef) error

	InsertProposal(ctx context.Context, p *Proposal) error
	Proposal(ctx context.Context, id int64) (Proposal, error)
	// DecideProposal moves a pending proposal to status; Conflict if it is not pending.
	DecideProposal(ctx context.Context, id int64, status, by string, at time.Time) error

	Scores(ctx context.Context, s StageRef) ([]Score, error)
	// SaveScore inserts a score (expected 0; Conflict if one exists) or
	// updates it if its stored version is expected (Conflict otherwise),
	// and records e, the event of that change, with its audit entry.
	SaveScore(ctx context.Context, sc *Score, expected int, e ScoreEvent) error
	// ScoreEvents lists the events of an entry's scores at a stage, oldest first.
	ScoreEvents(ctx context.Context, s StageRef, nominationID int64) ([]ScoreEvent, error)

	InsertDecision(ctx context.Context, d *Decision) error

	// What one request about one entry or one judge needs, by index: its
	// cost does not grow with the stage.

	// LatestCycleVersion is the newest version number of a cycle (NotFound
	// as LatestCycle), for the cycle version cache.
	LatestCycleVersion(ctx context.Context, key string) (int, error)
	// PanelMember is one member of a stage's panel; false if not on it.
	PanelMember(ctx context.Context, s StageRef, userID int64) (PanelMember, bool, error)
	// StageEntry is one nomination if StageEntries would list it; false otherwise.
	StageEntry(ctx context.Context, s StageRef, nominationID int64) (Nomination, bool, error)
	// JudgeEntries lists the nominations a judge is actively assigned to at a stage, by id.
	JudgeEntries(ctx context.Context, s StageRef, userID int64) ([]Nomination, error)
	// JudgeEntry is one of them; false if the judge holds no active assignment to it.
	JudgeEntry(ctx context.Context, s StageRef, nominationID, userID int64) (Nomination, bool, error)
	// JudgeTies lists one judge's affiliations and declared conflicts, as
	// Affiliations and DeclaredConflicts would, in one read.
	JudgeTies(ctx context.Context, userID int64) ([]Affiliation, []DeclaredConflict, error)
	// JudgeScoreReads is, in one read, what saving a judge's score reads:
	// the cycle's newest version (NotFound as LatestCycleVersion), the
	// entry as JudgeEntry, whether the judge has any ties (JudgeTies would
	// list some), whether WindowChanges would list any for the programme,
	// and the score as Score.
	JudgeScoreReads(ctx context.Context, s StageRef, nominationID, userID int64) (JudgeScoreRead, error)
	// Score is one judge's score for one entry, nil if there is none.
	Score(ctx context.Context, s StageRef, nominationID, userID int64) (*Score, error)
	// EntryScores lists one entry's scores at a stage; JudgeScores one judge's.
	EntryScores(ctx context.Context, s StageRef, nominationID int64) ([]Score, error)
	JudgeScores(ctx context.Context, s StageRef, userID int64) ([]Score, error)
}

// JudgeScoreRead is what JudgeScoreReads returns.
type JudgeScoreRead struct {
	CycleVersion int
	Entry        *Nomination // nil unless Assigned
	Assigned     bool
	HasTies      bool
	// HasWindowChanges: the programme's windows were changed (read them).
	HasWindowChanges bool
	Score            *Score
}

// stageOf resolves a stage reference against the newest cycle version and
// checks that the actor may see it (entry:read in the programme's
// ministry: administrators, the ministry's secretariat, chairs and judges).
// It returns the actor's questions to the Authorizer in that ministry.
func (s *Service) stageOf(ctx context.Context, tx Tx, actor Actor, ref StageRef) (*Programme, *Stage, mayFunc, error) {
	version, err := tx.LatestCycleVersion(ctx, ref.Cycle)
	if err != nil {
		return nil, nil, nil, err
	}
	return s.stageAt(ctx, tx, actor, ref, version, true)
}

// stageAt is stageOf given the cycle's newest version; the window changes
// are read only if windowChanges (the caller knows there are none otherwise).
func (s *Service) stageAt(ctx context.Context, tx Tx, actor Actor, ref StageRef, version int, windowChanges bool) (*Programme, *Stage, mayFunc, error) {
	// The version is decoded and checked once per service (the cache is
	// shared and immutable: EffectiveWindows copies before changing).
	cv, err := s.cycleVersion(ctx, tx, ref.Cycle, version)
	if err != nil {
		return nil, nil, nil, err
	}
	p, ok := cv.Cycle.Programme(ref.Programme)
	if !ok {
		return nil, nil, nil, Refuse(NotFound, "%[2]s に部門「%[1]s」はありません", "no programme %[1]q in %[2]s", ref.Programme, ref.Cycle)
	}
	if windowChanges {
		if p, err = s.effective(ctx, tx, ref.Cycle, p); err != nil { // the judging windows in force
			return nil, nil, nil, err
		}
	}
	may := func(perm Permission, facts Facts) bool { return s.authz.Permits(actor, perm, p.Ministry, facts) }
	if !may(PermReadEntries, 0) {
		return nil, nil, nil, Refuse(NotFound, "%[2]s に部門「%[1]s」はありません", "no programme %[1]q in %[2]s", ref.Programme, ref.Cycle)
	}
	st, ok := p.Stage(ref.Stage)
	if !ok || st.Judging == nil {
		return nil, nil, nil, Refuse(NotFound, "部門「%[2]s」に審査段階「%[1]s」はありません", "no judged stage %[1]q in %[2]s", ref.Stage, ref.Programme)
	}
	return p, st, may, nil
}

// mayFunc asks the Authorizer whether the actor may, in the programme's
// ministry, given facts.
type mayFunc func(perm Permission, facts Facts) bool

// conflictIndex is every conflict between panel judges and stage entries.
type conflictIndex map[[2]int64]ConflictOfInterest // (user, nomination) → first conflict found

// judgeTies are one judge's declarations: its declared and recusal
// conflicts and its affiliations, with the affiliations' name keys.
type judgeTies struct {
	userID   int64
	declared []DeclaredConflict
	affs     []Affiliation
	keys     []string // NameKey(affs[i].Name); empty for a bare legal form: matches nothing
}

// tiesOf collects userID's declarations from affs and declared (which may
// hold other judges' too), in their order.
func tiesOf(userID int64, affs []Affiliation, declared []DeclaredConflict) judgeTies {
	t := judgeTies{userID: userID}
	for _, d := range declared {
		if d.UserID == userID {
			t.declared = append(t.declared, d)
		}
	}
	for _, a := range affs {
		if a.UserID == userID {
			t.affs = append(t.affs, a)
			t.keys = append(t.keys, NameKey(a.Name))
		}
	}
	return t
}

func (t judgeTies) none() bool { return len(t.declared) == 0 && len(t.affs) == 0 }

// entryOrg is what the conflict rule reads of an entry: its organisation
// and, when it has one, its snapshot with the snapshot's name key.
type entryOrg struct {
	nominationID, organisationID int64
	snapshot                     *Organisation
	key                          string
}

func orgOf(n *Nomination) entryOrg {
	return entryOrg{nominationID: n.ID, organisationID: n.OrganisationID, snapshot: n.Snapshot, key: snapshotKey(n.Snapshot)}
}

func snapshotKey(o *Organisation) string {
	if o == nil {
		return ""
	}
	return NameKey(o.Name)
}

// entryOrgOf is orgOf for a judge's checks: the name key only when the
// judge has affiliations to compare it with.
func (t judgeTies) entryOrgOf(n *Nomination) entryOrg {
	e := entryOrg{nominationID: n.ID, organisationID: n.OrganisationID, snapshot: n.Snapshot}
	if len(t.affs) > 0 {
		e.key = snapshotKey(n.Snapshot)
	}
	return e
}

// conflictWith is THE conflict rule, for one judge and one entry; the
// whole-stage index and the one-entry checks both use it. The first
// conflict found: a declared or recusal conflict with the entry's
// organisation (in declaration order), else an affiliation naming the
// organisation of the entry's snapshot by id, corporate number or name
// (names compared by NameKey).
func (t judgeTies) conflictWith(e entryOrg) (ConflictOfInterest, bool) {
	if t.none() {
		return ConflictOfInterest{}, false
	}
	c := ConflictOfInterest{UserID: t.userID, NominationID: e.nominationID, OrganisationID: e.organisationID}
	for _, d := range t.declared {
		if d.OrganisationID == e.organisationID {
			c.Source, c.Reason = d.Source, d.Reason
			return c, true
		}
	}
	if e.snapshot == nil {
		return ConflictOfInterest{}, false
	}
	for i, a := range t.affs {
		switch {
		case a.OrganisationID != 0 && a.OrganisationID == e.organisationID:
			c.Source, c.Reason = SourceAffiliation, a.Name
		case a.CorporateNumber != "" && a.CorporateNumber == e.snapshot.CorporateNumber:
			c.Source, c.Reason = SourceCorporateNumber, a.CorporateNumber
		case t.keys[i] != "" && t.keys[i] == e.key:
			c.Source, c.Reason = SourceName, a.Name
		default:
			continue
		}
		return c, true
	}
	return ConflictOfInterest{}, false
}

// conflicts computes the conflicts of the judges users with the entries
// of a stage still under review there (tiesApply), by the rule of
// judgeTies.conflictWith.
func conflicts(stage string, entries []Nomination, users []int64, affs []Affiliation, declared []DeclaredConflict) conflictIndex {
	idx := conflictIndex{}
	var orgs []entryOrg
	for _, u := range users {
		t := tiesOf(u, affs, declared)
		if t.none() {
			continue
		}
		if orgs == nil {
			orgs = make([]entryOrg, 0, len(entries))
			for i := range entries {
				if tiesApply(entries[i], stage) {
					orgs = append(orgs, orgOf(&entries[i]))
				}
			}
		}
		for _, e := range orgs {
			if c, ok := t.conflictWith(e); ok {
				idx[[2]int64{u, e.nominationID}] = c
			}
		}
	}
	return idx
}
