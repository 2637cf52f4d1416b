package workflow

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/awardflow/awardflow/workflow/aggregate"
)

// DecisionSpec is how the secretariat builds a stage decision.
type DecisionSpec struct {
	Measure   aggregate.Measure // default mean; normalised always normalises
	Normalise bool              // only with measure normalised (where it is implied)
	TopN      int               // tier stages: the best N candidates advance
	Threshold *float64          // tier stages: those at or above advance
	Ties      string            // tier stages: how a tie at the top_n cut is resolved (TiesIncludeAll, TiesExcludeAll)
	Awards    []AwardRule       // award stages: allocated down the ranking in order
	Picks     []Override        // selected (or given Award) whatever the rule says
	Excludes  []Override        // not selected whatever the rule says
	// EligibilityOverrides name entries failing (or not evaluable under)
	// the stage's eligibility rules that may still be selected, with why.
	EligibilityOverrides []Override
	Reason               string // recorded for entries not selected
}

// How a tie at the top_n cut is resolved. Without either, and without picks
// and excludes that settle every tied entry, the tie is unresolved and the
// decision cannot be applied.
const (
	TiesIncludeAll = "include_all" // every tied entry advances: more than top_n
	TiesExcludeAll = "exclude_all" // no tied entry advances: fewer than top_n
)

// AwardRule gives an award to the next TopN entries of the ranking.
type AwardRule struct {
	Award string
	TopN  int
}

// Override is a manual pick or exclusion, with its reason.
type Override struct {
	NominationID int64
	Award        string
	Reason       string
}

// DecisionOutcome is one entry's outcome in a decision.
type DecisionOutcome struct {
	NominationID     int64
	OrganisationName string
	Rank             int
	Tie              bool
	Value            float64
	Count            int
	Action           Action // select, award or not_select
	Award            string
	Why              string // "rule", "pick", "exclude", "ineligible" or "tie"
	Reason           string
	// Eligibility is the entry's verdict under the stage's own rules
	// (omitted when the stage has none); an entry that does not pass is
	// never selected unless EligibilityOverride gives the reason it may be.
	Eligibility         Outcome
	EligibilityOverride string
	TieAtCut            bool // tied at the top_n cut
	UnresolvedTie       bool // tied at the cut with no choice made: apply is refused
}

// DecisionPreview is what applying a spec would do now.
type DecisionPreview struct {
	Outcomes    []DecisionOutcome
	Warnings    []Problem
	Fingerprint string // apply with it, so what is applied is what was previewed
}

// Decision is an applied decision, kept for the audit trail.
type Decision struct {
	ID        int64
	Stage     StageRef
	Spec      DecisionSpec
	Outcomes  []DecisionOutcome
	AppliedBy string
	AppliedAt time.Time
}

// PreviewDecision shows who would advance or win under spec, with quota,
// tie, eligibility and completeness warnings. Staff and the chair.
func (s *Service) PreviewDecision(ctx context.Context, actor Actor, ref StageRef, spec DecisionSpec) (DecisionPreview, error) {
	var pv DecisionPreview
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !d.may(PermPreviewDecision, 0) {
			return Refuse(Forbidden, "決定は事務局と審査委員長が行います", "decisions are for the secretariat and the chair")
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		verdicts, err := s.stageVerdicts(ctx, tx, d)
		if err != nil {
			return err
		}
		pv, err = preview(d, scores, verdicts, spec)
		return err
	})
	return pv, withOp("workflow.PreviewDecision", err)
}

// ApplyDecision recomputes the preview in the transaction and, if its
// fingerprint is the one previewed, applies every outcome as one atomic
// bulk transition through the state machine. Applicants see nothing until
// the results are released. Errors: Conflict if anything changed since the
// preview; Invalid while a tie at the cut is unresolved; IllegalTransition
// if an entry cannot take its outcome.
func (s *Service) ApplyDecision(ctx context.Context, actor Actor, ref StageRef, spec DecisionSpec, fingerprint string) (Decision, error) {
	var dec Decision
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermApplyDecision)
		if err != nil {
			return err
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		verdicts, err := s.stageVerdicts(ctx, tx, d)
		if err != nil {
			return err
		}
		pv, err := preview(d, scores, verdicts, spec)
		if err != nil {
			return err
		}
		if pv.Fingerprint != fingerprint {
			return Refuse(Conflict, "プレビュー後に採点または応募が変わりました。もう一度プレビューしてください",
				"scores or entries changed since the preview; preview again")
		}
		var unresolved []string
		for _, o := range pv.Outcomes {
			if o.UnresolvedTie {
				unresolved = append(unresolved, strconv.FormatInt(o.NominationID, 10))
			}
		}
		if len(unresolved) > 0 {
			e := Refuse(Invalid, "上位%d件の境界で同点です（応募 %s）。ties（include_all または exclude_all）か、選出・除外で決めてください",
				"tie at the top %d cut (entries %s): choose ties (include_all or exclude_all), or pick and exclude the tied entries",
				spec.TopN, strings.Join(unresolved, ", "))
			e.Problems = []Problem{problem("ties", "unresolved_tie", e.Ja, e.Message)}
			return e
		}
		type group struct {
			action Action
			award  string
			reason string
		}
		groups := map[group][]int64{}
		var order []group
		for _, o := range pv.Outcomes {
			g := group{o.Action, o.Award, o.Reason}
			if _, ok := groups[g]; !ok {
				order = append(order, g)
			}
			groups[g] = append(groups[g], o.NominationID)
		}
		cache := contextCache{}
		for _, g := range order {
			ns, err := tx.Nominations(ctx, groups[g])
			if err != nil {
				return err
			}
			if err := cache.preloadOrganisations(ctx, tx, ns); err != nil {
				return err
			}
			if _, err := s.applyAt(ctx, tx, actor, ns, g.action, Input{Reason: g.reason, Award: g.award}, now, nil); err != nil {
				return err
			}
		}
		dec = Decision{Stage: ref, Spec: spec, Outcomes: pv.Outcomes, AppliedBy: actor.ID, AppliedAt: now}
		return tx.InsertDecision(ctx, &dec)
	})
	return dec, withOp("workflow.ApplyDecision", err)
}

// stageVerdicts evaluates, for every entry under review at the stage, the
// eligibility rules of that stage (those whose applies_to is its key): the
// rules of the tier or award the entry would receive. Each entry is judged
// under the cycle version it was submitted against and its organisation
// snapshot, as the nomination page shows it. Entries of a stage without
// rules have no verdict.
func (s *Service) stageVerdicts(ctx context.Context, tx Tx, d *stageData) (map[int64]Verdict, error) {
	out := map[int64]Verdict{}
	for i := range d.entries {
		n := &d.entries[i]
		if !underReview(*n, d.stage.Key) {
			continue
		}
		cv, err := s.cycleVersion(ctx, tx, n.CycleKey, n.CycleVersion)
		if err != nil {
			return nil, err
		}
		p, err := programmeOf(cv, n)
		if err != nil {
			return nil, err
		}
		org := Organisation{}
		if n.Snapshot != nil {
			org = *n.Snapshot
		}
		for _, v := range p.Verdicts(n.Answers, org) {
			if v.AppliesTo == d.stage.Key {
				out[n.ID] = v
			}
		}
	}
	return out, nil
}
