package workflow

import (
	"context"
	"fmt"
	"time"
)

// The stored eligibility (Nomination.Eligibility) is Programme.Eligibility
// of what the nomination holds, so that lists can filter on it in SQL. It
// depends on the answers, the organisation it is judged against (live while
// written or corrected, the snapshot once submitted), the rules of its cycle
// version and the step it stands at. Every write of those recomputes it in
// the same transaction:
//
//   - CreateNomination and UpdateAnswers (answers; a draft's rebinding to
//     the newest cycle version);
//   - every transition (applyAt: submit and resubmit take the snapshot,
//     return goes back to the live organisation, advance enters a stage);
//   - UpdateOrganisation (the live organisation of drafts and returned
//     nominations);
//   - LoadCycle (a new version's rules for the cycle's drafts; every other
//     nomination stays on the version it was submitted against).
//
// Public-record corrections and scoring sheets change neither answers nor
// snapshot. Rows stored before the column existed are evaluated by
// EvaluateEligibility.

// evaluateBatch bounds the nominations one recomputing transaction reads.
const evaluateBatch = 500

// judge sets n's eligibility under p (the programme of the cycle version n
// is, or is being, bound to), against the organisation its state is judged
// against.
func judge(ctx context.Context, tx Tx, n *Nomination, p *Programme, cache *contextCache) error {
	org, err := cache.judgedAgainst(ctx, tx, n)
	if err != nil {
		return err
	}
	n.Eligibility = p.EligibilityOf(n, org)
	return nil
}

// reevaluate recomputes the eligibility of the nominations with the given
// ids as their guard contexts judge them now, and stores those that
// changed. It moves no version: the outcome follows from what the
// nomination already holds and is no change anyone made to it.
func (s *Service) reevaluate(ctx context.Context, tx Tx, ids []int64, cache *contextCache, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	ns, err := tx.Nominations(ctx, ids)
	if err != nil {
		return err
	}
	if err := cache.preloadOrganisations(ctx, tx, ns); err != nil {
		return err
	}
	var changed []Nomination
	for i := range ns {
		n := &ns[i]
		c, _, err := s.context(ctx, tx, n, cache, now)
		if err != nil {
			return err
		}
		if e := c.Programme.EligibilityOf(n, c.Organisation); e != n.Eligibility {
			n.Eligibility = e
			changed = append(changed, *n)
		}
	}
	return tx.SetEligibility(ctx, changed)
}

// reevaluateMatching recomputes the eligibility of every nomination that
// f matches and keep selects, a batch of ids at a time, newest first.
func (s *Service) reevaluateMatching(ctx context.Context, tx Tx, f NominationFilter, keep func(*Nomination) bool, cache *contextCache, now time.Time) error {
	f.Page = Page{Limit: evaluateBatch}
	for {
		items, _, err := tx.SearchNominations(ctx, f)
		if err != nil {
			return err
		}
		var ids []int64
		for i := range items {
			if keep(&items[i].Nomination) {
				ids = append(ids, items[i].Nomination.ID)
			}
		}
		if err := s.reevaluate(ctx, tx, ids, cache, now); err != nil {
			return err
		}
		if len(items) < f.Limit {
			return nil
		}
		f.After = items[len(items)-1].Nomination.ID
	}
}

// reevaluateDrafts recomputes the cycle's drafts under cv, the version just
// stored in tx (drafts follow the newest version; the others keep theirs).
func (s *Service) reevaluateDrafts(ctx context.Context, tx Tx, cv *CycleVersion, now time.Time) error {
	cache := &contextCache{latest: map[string]int{cv.Key: cv.Version}, released: map[string]*time.Time{},
		windows: map[string][]WindowChange{}, stored: cv}
	f := NominationFilter{Cycle: cv.Key, State: Draft}
	return s.reevaluateMatching(ctx, tx, f, func(*Nomination) bool { return true }, cache, now)
}

// reevaluateOrganisation recomputes the nominations judged against the
// organisation as it now is: its drafts and returned ones.
func (s *Service) reevaluateOrganisation(ctx context.Context, tx Tx, orgID int64, now time.Time) error {
	f := NominationFilter{OrganisationID: orgID}
	return s.reevaluateMatching(ctx, tx, f, (*Nomination).Editable, &contextCache{}, now)
}

// EvaluateEligibility stores the eligibility of every nomination not yet
// evaluated (those stored before the outcome was), a batch per
// transaction, and returns how many it evaluated. The command line runs it
// after migrating and before serving; with nothing to do it is one indexed
// read.
func (s *Service) EvaluateEligibility(ctx context.Context) (int, error) {
	total := 0
	for {
		n := 0
		err := s.inTx(ctx, func(tx Tx, now time.Time) error {
			ids, err := tx.UnevaluatedNominations(ctx, evaluateBatch)
			if err != nil {
				return err
			}
			n = len(ids)
			return s.reevaluate(ctx, tx, ids, &contextCache{}, now)
		})
		if err != nil {
			return total, fmt.Errorf("workflow.EvaluateEligibility: %w", err)
		}
		if total += n; n < evaluateBatch {
			return total, nil
		}
	}
}

// verdictNames are the words the list's verdict filter takes (in URLs and
// the JSON API) for the stored outcomes.
var verdictNames = map[string]Outcome{"eligible": Pass, "ineligible": Fail, "unknown": Unknown}

// ParseVerdict reads a verdict filter word: eligible, ineligible or unknown
// ("" is any). Errors: Invalid, with the problem at "verdict".
func ParseVerdict(s string) (Outcome, error) {
	if s == "" {
		return "", nil
	}
	if o, ok := verdictNames[s]; ok {
		return o, nil
	}
	e := Refuse(Invalid, "要件判定「%s」はありません（eligible, ineligible, unknown のいずれか）",
		"there is no verdict %q (eligible, ineligible or unknown)", s)
	e.Problems = []Problem{problem("verdict", "invalid", e.Ja, e.Message)}
	return "", e
}

// VerdictName is the filter word of a stored outcome ("" when not evaluated).
func VerdictName(o Outcome) string {
	for k, v := range verdictNames {
		if v == o {
			return k
		}
	}
	return ""
}
