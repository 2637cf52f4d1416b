package workflow

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/awardflow/awardflow/workflow/password"
)

// Service applies awardflow's rules. Each method runs in one transaction,
// reads the clock once, and checks the facts about the data (who owns a
// nomination, which ministry runs a programme) inside that transaction.
// Whether a role may call a method at all is the policy package's answer.
type Service struct {
	store          Store
	now            func() time.Time
	cycles         sync.Map // "key@version" → *CycleVersion; versions are immutable once stored
	passwordParams password.Params
	authz          Authorizer // who may do what; refuseAll unless WithAuthorizer
	dummyOnce      sync.Once
	dummy          string
	sheetKey       []byte // signs offline scoring sheets
}

// ServiceOption configures a Service.
type ServiceOption func(*Service)

// WithPasswordParams sets argon2id's cost (tests use a cheap one).
func WithPasswordParams(p password.Params) ServiceOption {
	return func(s *Service) { s.passwordParams = p }
}

// NewService returns a service over store with the given clock.
func NewService(store Store, now func() time.Time, opts ...ServiceOption) *Service {
	s := &Service{store: store, now: now, passwordParams: password.Default, authz: refuseAll{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// inTx runs fn in one transaction with that transaction's now: the clock
// read once, in UTC, when the transaction starts (again if the store
// retries it). Every method reads the clock through it or read, so that
// one transaction decides and stamps at one instant; see
// TestServicesReadTheClockOnlyInTx.
func (s *Service) inTx(ctx context.Context, fn func(tx Tx, now time.Time) error) error {
	return s.store.InTx(ctx, func(tx Tx) error { return fn(tx, s.now().UTC()) })
}

// read is inTx for work that is one statement (Store.Read).
func (s *Service) read(ctx context.Context, fn func(tx Tx, now time.Time) error) error {
	return s.store.Read(ctx, func(tx Tx) error { return fn(tx, s.now().UTC()) })
}

// cycleVersion returns a stored cycle version, from memory when it was
// read before: versions never change once stored.
func (s *Service) cycleVersion(ctx context.Context, tx Tx, key string, version int) (*CycleVersion, error) {
	k := fmt.Sprintf("%s@%d", key, version)
	if v, ok := s.cycles.Load(k); ok {
		return v.(*CycleVersion), nil
	}
	cv, err := tx.CycleVersion(ctx, key, version)
	if err != nil {
		return nil, err
	}
	v, _ := s.cycles.LoadOrStore(k, &cv)
	return v.(*CycleVersion), nil
}

// contextCache keeps what a bulk transition reads once for many nominations.
type contextCache struct {
	latest   map[string]int
	released map[string]*time.Time     // "cycle/programme"
	windows  map[string][]WindowChange // "cycle/programme"
	orgs     map[int64]Organisation
	// stored is a cycle version stored in this transaction, kept out of
	// s.cycles until it commits.
	stored *CycleVersion
}

// judgedAgainst is the organisation n is judged against: the live one
// while it is written or corrected (read once per transaction), else its
// snapshot.
func (c *contextCache) judgedAgainst(ctx context.Context, tx Tx, n *Nomination) (Organisation, error) {
	if !usesLiveOrganisation(n) {
		return *n.Snapshot, nil
	}
	if o, ok := c.orgs[n.OrganisationID]; ok {
		return o, nil
	}
	if c.orgs == nil {
		c.orgs = map[int64]Organisation{}
	}
	o, err := tx.Organisation(ctx, n.OrganisationID)
	if err == nil {
		c.orgs[n.OrganisationID] = o
	}
	return o, err
}

// visible loads a nomination with its guard context, or NotFound if actor
// may not know of it.
func (s *Service) visible(ctx context.Context, tx Tx, actor Actor, id int64, now time.Time) (*Context, int, error) {
	n, err := tx.Nomination(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	c, rebind, err := s.context(ctx, tx, &n, &contextCache{}, now)
	if err != nil {
		return nil, 0, err
	}
	if err := canSee(s.authz, actor, &n, c.Programme); err != nil {
		return nil, 0, err
	}
	return c, rebind, nil
}

// context builds the guard context for n. A draft is judged against the
// newest cycle version, since submitting binds it to that version: rebind
// is that version when it differs from the draft's, and 0 otherwise.
func (s *Service) context(ctx context.Context, tx Tx, n *Nomination, cache *contextCache, now time.Time) (c *Context, rebind int, err error) {
	if cache.latest == nil {
		cache.latest, cache.released, cache.windows = map[string]int{}, map[string]*time.Time{}, map[string][]WindowChange{}
	}
	version := n.CycleVersion
	latest := 0
	if n.State == Draft {
		v, ok := cache.latest[n.CycleKey]
		if !ok {
			cv, err := tx.LatestCycle(ctx, n.CycleKey)
			if err != nil {
				return nil, 0, err
			}
			v = cv.Version
			cache.latest[n.CycleKey] = v
			s.cycles.LoadOrStore(fmt.Sprintf("%s@%d", n.CycleKey, v), &cv)
		}
		if v != version {
			version, latest = v, v
		}
	}
	cv := cache.stored
	if cv == nil || cv.Key != n.CycleKey || cv.Version != version {
		cv, err = s.cycleVersion(ctx, tx, n.CycleKey, version)
	}
	if err != nil {
		return nil, 0, err
	}
	p, err := programmeOf(cv, n)
	if err != nil {
		return nil, 0, err
	}
	rk := n.CycleKey + "/" + n.ProgrammeKey
	chs, ok := cache.windows[rk]
	if !ok {
		if chs, err = tx.WindowChanges(ctx, n.CycleKey, n.ProgrammeKey); err != nil {
			return nil, 0, err
		}
		cache.windows[rk] = chs
	}
	p = EffectiveWindows(p, chs) // the call window in force (deadline extensions)
	rel, ok := cache.released[rk]
	if !ok {
		if rel, err = tx.ReleasedAt(ctx, n.CycleKey, n.ProgrammeKey); err != nil {
			return nil, 0, err
		}
		cache.released[rk] = rel
	}
	org, err := cache.judgedAgainst(ctx, tx, n)
	if err != nil {
		return nil, 0, err
	}
	return &Context{Nomination: n, Programme: p, Organisation: org, Now: now, ReleasedAt: rel}, latest, nil
}

// preloadOrganisations reads in one query the live organisations that the
// guard contexts of ns will need (those of drafts and returned nominations)
// and that c does not hold yet.
func (c *contextCache) preloadOrganisations(ctx context.Context, tx Tx, ns []Nomination) error {
	if len(ns) < 2 {
		return nil
	}
	var ids []int64
	for i := range ns {
		if _, ok := c.orgs[ns[i].OrganisationID]; !ok && usesLiveOrganisation(&ns[i]) {
			ids = append(ids, ns[i].OrganisationID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	orgs, err := tx.OrganisationsByID(ctx, ids)
	if err != nil {
		return err
	}
	if c.orgs == nil {
		c.orgs = make(map[int64]Organisation, len(orgs))
	}
	for _, o := range orgs {
		c.orgs[o.ID] = o
	}
	return nil
}

// usesLiveOrganisation: a nomination being written or corrected is judged
// against its organisation as it is now; a submitted one against its snapshot.
func usesLiveOrganisation(n *Nomination) bool {
	return n.Snapshot == nil || n.State == Draft || n.State == Returned
}

func programmeOf(cv *CycleVersion, n *Nomination) (*Programme, error) {
	p, ok := cv.Cycle.Programme(n.ProgrammeKey)
	if !ok {
		return nil, &Error{Code: Internal, Message: fmt.Sprintf("cycle %s@%d has no programme %q", cv.Key, cv.Version, n.ProgrammeKey)}
	}
	return p, nil
}

// canSee reports NotFound unless actor may know of the nomination: an
// applicant only its organisation's, staff only their ministry's
// programmes', administrators all. Judges and chairs see entries through
// their panel assignments, not here.
func canSee(az Authorizer, actor Actor, n *Nomination, p *Programme) error {
	if !az.Permits(actor, PermReadNomination, p.Ministry, ownFacts(actor, n)) {
		return Refuse(NotFound, "応募 %d は見つかりません", "no such nomination %d", n.ID)
	}
	return nil
}

func staffOf(az Authorizer, actor Actor, p *Programme) bool {
	return az.Permits(actor, PermOversee, p.Ministry, 0)
}

// ownFacts are the facts of an actor about a nomination: whether it acts
// for the nomination's organisation.
func ownFacts(actor Actor, n *Nomination) Facts {
	return Facts(0).With(ActsForOrganisation, actor.OrganisationID == n.OrganisationID)
}

// applicantView reports whether actor reads the nomination of c as its
// applicant: its own versions, and no staff step before release.
func (s *Service) applicantView(actor Actor, c *Context) bool {
	return s.authz.Permits(actor, PermApplicantView, c.Programme.Ministry, ownFacts(actor, c.Nomination))
}

// staffProgramme looks up a programme of the newest version of a cycle for
// its own ministry's staff (and administrators); anyone else learns nothing
// of it (NotFound).
func staffProgramme(ctx context.Context, tx Tx, az Authorizer, actor Actor, cycleKey, programmeKey string) (CycleVersion, *Programme, error) {
	cv, err := tx.LatestCycle(ctx, cycleKey)
	if err != nil {
		return cv, nil, err
	}
	p, ok := cv.Cycle.Programme(programmeKey)
	if !ok || !staffOf(az, actor, p) {
		return cv, nil, Refuse(NotFound, "%[2]s に部門「%[1]s」はありません", "no programme %[1]q in %[2]s", programmeKey, cycleKey)
	}
	return cv, p, nil
}
