package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/awardflow/awardflow/workflow/aggregate"
)

func entryPath(id int64) string { return fmt.Sprintf("nominations[%d]", id) }

func preview(d *stageData, scores []Score, verdicts map[int64]Verdict, spec DecisionSpec) (DecisionPreview, error) {
	var pv DecisionPreview
	st := d.stage
	if ps := checkSpec(d, verdicts, spec); len(ps) > 0 {
		return pv, &Error{Code: Invalid, Message: "invalid decision", Ja: "決定の指定に誤りがあります", Problems: ps}
	}
	measure := spec.Measure
	if measure == "" {
		measure = aggregate.ByMean
	}
	ranked := rankStage(d, scores, measure == aggregate.ByNormalised, measure)
	picks, excludes, overrides := map[int64]Override{}, map[int64]Override{}, map[int64]Override{}
	for _, o := range spec.Picks {
		picks[o.NominationID] = o
	}
	for _, o := range spec.Excludes {
		excludes[o.NominationID] = o
	}
	for _, o := range spec.EligibilityOverrides {
		overrides[o.NominationID] = o
	}
	notSelected := strings.TrimSpace(spec.Reason)
	if notSelected == "" {
		notSelected = "not selected at " + st.Key
	}

	// The entries under review, in ranking order, and which are candidates:
	// scored, not excluded, eligible (or let through), over the threshold.
	// Only candidates take places.
	var entries []*RankedEntry
	var cands []int // indexes into entries
	for i := range ranked {
		r := &ranked[i]
		if !underReview(r.Nomination, st.Key) {
			continue
		}
		v, hasVerdict := verdicts[r.Entry.Entry]
		eligible := !hasVerdict || v.Outcome == Pass
		if _, ok := overrides[r.Entry.Entry]; ok {
			eligible = true
		}
		_, excluded := excludes[r.Entry.Entry]
		if r.Count > 0 && !excluded && eligible && (spec.Threshold == nil || r.Entry.Value(measure) >= *spec.Threshold) {
			cands = append(cands, len(entries))
		}
		entries = append(entries, r)
	}
	value := func(i int) float64 { return entries[i].Entry.Value(measure) }
	byRule := map[int]string{}   // entry index → award ("" for a tier)
	tied := map[int]bool{}       // tied at the cut and not settled by a pick
	unresolved := map[int]bool{} // tied with no choice made
	var tieIDs []string
	if st.Grants != "" && (spec.TopN > 0 || spec.Threshold != nil) {
		in := cands
		if spec.TopN > 0 && len(cands) > spec.TopN && aggregate.Same(value(cands[spec.TopN-1]), value(cands[spec.TopN])) {
			cut := value(cands[spec.TopN-1])
			in = nil
			for _, c := range cands {
				switch {
				case !aggregate.Same(value(c), cut):
					if value(c) > cut {
						in = append(in, c)
					}
				default:
					tieIDs = append(tieIDs, strconv.FormatInt(entries[c].Entry.Entry, 10))
					if _, picked := picks[entries[c].Entry.Entry]; picked {
						continue
					}
					tied[c] = true
					switch spec.Ties {
					case TiesIncludeAll:
						in = append(in, c)
					case TiesExcludeAll:
					default:
						unresolved[c] = true
					}
				}
			}
		} else if spec.TopN > 0 && len(cands) > spec.TopN {
			in = cands[:spec.TopN]
		}
		for _, c := range in {
			byRule[c] = ""
		}
	}
	var lastIn, firstOut *RankedEntry // award stages: the tie warning at the last award's cut
	if st.Grants == "" {
		slots := slices.Clone(spec.Awards)
		for _, c := range cands {
			for k := range slots {
				if slots[k].TopN > 0 {
					byRule[c] = slots[k].Award
					slots[k].TopN--
					lastIn = entries[c]
					break
				}
			}
			if _, ok := byRule[c]; !ok && firstOut == nil {
				firstOut = entries[c]
			}
		}
	}

	for i, r := range entries {
		id := r.Entry.Entry
		o := DecisionOutcome{NominationID: id, OrganisationName: r.OrganisationName, Rank: r.Rank, Tie: r.Tie,
			Value: r.Entry.Value(measure), Count: r.Count, Action: NotSelect, Why: "rule", Reason: notSelected,
			TieAtCut: tied[i], UnresolvedTie: unresolved[i]}
		if award, ok := byRule[i]; ok {
			o.Action, o.Award, o.Reason = Select, award, ""
			if award != "" {
				o.Action = Award
			}
		} else if tied[i] {
			o.Why = "tie"
		}
		v, hasVerdict := verdicts[id]
		if hasVerdict {
			o.Eligibility = v.Outcome
		}
		ov, overridden := overrides[id]
		if overridden {
			o.EligibilityOverride = strings.TrimSpace(ov.Reason)
		}
		// Overrides win over the rule.
		if p, ok := picks[id]; ok {
			o.Why, o.Reason, o.Action, o.Award = "pick", strings.TrimSpace(p.Reason), Select, ""
			if st.Grants == "" {
				o.Action, o.Award = Award, p.Award
			}
		}
		if x, ok := excludes[id]; ok {
			o.Why, o.Reason, o.Action, o.Award = "exclude", strings.TrimSpace(x.Reason), NotSelect, ""
		}
		if hasVerdict && v.Outcome != Pass && !overridden {
			var rules []string
			for _, rr := range v.Results {
				if rr.Outcome != Pass {
					rules = append(rules, rr.Rule)
				}
			}
			if o.Why != "exclude" {
				o.Why, o.Action, o.Award = "ineligible", NotSelect, ""
				o.Reason = fmt.Sprintf("eligibility at %s: %s (%s)", st.Key, v.Outcome, strings.Join(rules, ", "))
			}
			ja, en := "この段階の要件を満たしていません（%s）", "fails this stage's eligibility rules (%s)"
			if v.Outcome == Unknown {
				ja, en = "この段階の要件を判定できません（%s）", "this stage's eligibility rules cannot be evaluated (%s)"
			}
			pv.Warnings = append(pv.Warnings, Problem{Path: entryPath(id), Code: "ineligible",
				Message: Text{Ja: fmt.Sprintf(ja, strings.Join(rules, ", ")), En: fmt.Sprintf(en, strings.Join(rules, ", "))}})
		}
		if overridden && o.Action != NotSelect {
			// The override's reason goes into the entry's history with the selection.
			o.Reason = strings.TrimSpace(o.Reason + "\n" + "eligibility override: " + o.EligibilityOverride)
		}
		pv.Outcomes = append(pv.Outcomes, o)
		if len(r.Missing) > 0 {
			pv.Warnings = append(pv.Warnings, Problem{Path: entryPath(id), Code: "missing_scores",
				Message: Text{Ja: fmt.Sprintf("未提出の採点が%d件あります", len(r.Missing)), En: fmt.Sprintf("%d score(s) missing", len(r.Missing))}})
		}
	}
	if len(tieIDs) > 0 {
		ids := strings.Join(tieIDs, ", ")
		switch {
		case len(unresolved) > 0:
			pv.Warnings = append(pv.Warnings, Problem{Path: "ties", Code: "unresolved_tie",
				Message: Text{Ja: fmt.Sprintf("上位%d件の境界で同点です（応募 %s）。ties（include_all または exclude_all）か、選出・除外で決めるまで適用できません", spec.TopN, ids),
					En: fmt.Sprintf("tie at the top %d cut (entries %s): choose ties (include_all or exclude_all), or pick and exclude the tied entries, before applying", spec.TopN, ids)}})
		default:
			pv.Warnings = append(pv.Warnings, Problem{Path: "ties", Code: "tie_at_cut",
				Message: Text{Ja: fmt.Sprintf("上位%d件の境界で同点です（応募 %s）", spec.TopN, ids),
					En: fmt.Sprintf("tie at the top %d cut (entries %s)", spec.TopN, ids)}})
		}
	}
	if lastIn != nil && firstOut != nil && aggregate.Same(lastIn.Entry.Value(measure), firstOut.Entry.Value(measure)) {
		pv.Warnings = append(pv.Warnings, Problem{Code: "tie_at_cut",
			Message: Text{Ja: fmt.Sprintf("境界で同点です（応募 %d と %d）", lastIn.Entry.Entry, firstOut.Entry.Entry),
				En: fmt.Sprintf("tie at the cut line between entries %d and %d", lastIn.Entry.Entry, firstOut.Entry.Entry)}})
	}
	pv.Warnings = append(pv.Warnings, quotaWarnings(d.programme, st, pv.Outcomes)...)
	pv.Fingerprint = outcomesFingerprint(pv.Outcomes)
	return pv, nil
}

func checkSpec(d *stageData, verdicts map[int64]Verdict, spec DecisionSpec) []Problem {
	var ps []Problem
	add := func(p *Problem) {
		if p != nil {
			ps = append(ps, *p)
		}
	}
	st := d.stage
	switch spec.Measure {
	case "", aggregate.ByMean, aggregate.ByMedian, aggregate.ByTrimmedMean, aggregate.ByNormalised:
		if spec.Normalise && spec.Measure != aggregate.ByNormalised {
			ps = append(ps, problem("normalise", "invalid",
				"normalise は measure が normalised のときだけ指定できます（normalised で順位付けすると常に正規化します。ほかの指標は正規化しません）",
				"normalise applies only with measure normalised (ranking by normalised always normalises; the other measures never do)"))
		}
	default:
		ps = append(ps, problem("measure", "invalid", "指標は mean, median, trimmed_mean, normalised です", "must be mean, median, trimmed_mean or normalised"))
	}
	if st.Grants != "" && len(spec.Awards) > 0 {
		ps = append(ps, problem("awards", "invalid", "この段階では賞を決定しません", "this stage selects for a tier; use top_n or threshold"))
	}
	if st.Grants == "" && (spec.TopN != 0 || spec.Threshold != nil || spec.Ties != "") {
		ps = append(ps, problem("top_n", "invalid", "この段階では賞ごとの件数を指定してください", "this stage decides awards; use awards"))
	}
	switch spec.Ties {
	case "", TiesIncludeAll, TiesExcludeAll:
	default:
		ps = append(ps, problem("ties", "invalid", "ties は include_all または exclude_all です", "must be include_all or exclude_all"))
	}
	if spec.TopN < 0 {
		ps = append(ps, problem("top_n", "invalid", "0以上で指定してください", "must not be negative"))
	}
	for i, a := range spec.Awards {
		if !slices.Contains(st.Awards, a.Award) || a.TopN < 0 {
			ps = append(ps, problem(fmt.Sprintf("awards[%d]", i), "invalid", "この段階の賞ではないか、件数が負です", "is not an award of this stage, or has a negative top_n"))
		}
	}
	add(reasonProblem("reason", spec.Reason, false))
	underReviewHere := func(path string, id int64) bool {
		n, ok := d.entry(id)
		if !ok || !underReview(n, st.Key) {
			ps = append(ps, problem(path+".nomination_id", "not_under_review", "この段階で審査中の応募ではありません", "is not an entry under review at this stage"))
			return false
		}
		return true
	}
	overridden := map[int64]bool{}
	for i, o := range spec.EligibilityOverrides {
		path := fmt.Sprintf("eligibility_overrides[%d]", i)
		if !underReviewHere(path, o.NominationID) {
			continue
		}
		v, has := verdicts[o.NominationID]
		switch {
		case overridden[o.NominationID]:
			ps = append(ps, problem(path+".nomination_id", "duplicate", "同じ応募が重複しています", "appears twice among eligibility_overrides"))
		case !has || v.Outcome == Pass:
			ps = append(ps, problem(path+".nomination_id", "eligible", "この応募はこの段階の要件を満たしています（上書きは不要です）",
				"passes this stage's eligibility rules; no override is needed"))
		case o.Award != "":
			ps = append(ps, problem(path+".award", "invalid", "要件の上書きに賞は指定できません（picks で指定してください）", "an eligibility override names no award (use picks)"))
		}
		add(reasonProblem(path+".reason", o.Reason, true))
		overridden[o.NominationID] = true
	}
	seen := map[int64]bool{}
	for _, list := range []struct {
		name string
		os   []Override
	}{{"picks", spec.Picks}, {"excludes", spec.Excludes}} {
		for i, o := range list.os {
			path := fmt.Sprintf("%s[%d]", list.name, i)
			if !underReviewHere(path, o.NominationID) {
				continue
			}
			v, has := verdicts[o.NominationID]
			switch {
			case seen[o.NominationID]:
				ps = append(ps, problem(path+".nomination_id", "duplicate", "同じ応募が重複しています", "appears twice among picks and excludes"))
			case list.name == "picks" && st.Grants == "" && !slices.Contains(st.Awards, o.Award):
				ps = append(ps, problem(path+".award", "unknown_award", "この段階の賞を指定してください", "name an award of this stage"))
			case list.name == "picks" && has && v.Outcome != Pass && !overridden[o.NominationID]:
				ps = append(ps, problem(path+".nomination_id", "ineligible",
					"この応募はこの段階の要件を満たしていません。選出するには eligibility_overrides に理由とともに指定してください",
					"fails this stage's eligibility rules: to select it, name it in eligibility_overrides with a reason"))
			}
			add(reasonProblem(path+".reason", o.Reason, true))
			seen[o.NominationID] = true
		}
	}
	return ps
}

// quotaWarnings compares the outcome with the advisory quotas.
func quotaWarnings(p *Programme, st *Stage, outcomes []DecisionOutcome) []Problem {
	count := map[string]int{}
	for _, o := range outcomes {
		switch o.Action {
		case Select:
			count[st.Grants]++
		case Award:
			count[o.Award]++
		}
	}
	var ps []Problem
	check := func(t Tier) {
		q := t.Quota
		if q == nil {
			return
		}
		n := count[t.Key]
		if q.Max != nil && n > *q.Max {
			ps = append(ps, Problem{Code: "quota_exceeded", Message: Text{Ja: fmt.Sprintf("%sは目安の上限%d件を超えています（%d件）", t.Title.Ja, *q.Max, n),
				En: fmt.Sprintf("%s: %d exceeds the advisory maximum of %d", t.Title.En, n, *q.Max)}})
		}
		if q.Min != nil && n < *q.Min {
			ps = append(ps, Problem{Code: "quota_short", Message: Text{Ja: fmt.Sprintf("%sは目安の下限%d件に届きません（%d件）", t.Title.Ja, *q.Min, n),
				En: fmt.Sprintf("%s: %d is below the advisory minimum of %d", t.Title.En, n, *q.Min)}})
		}
	}
	for _, t := range p.Tiers {
		if t.Key == st.Grants {
			check(t)
		}
	}
	for _, t := range p.Awards {
		if slices.Contains(st.Awards, t.Key) {
			check(t)
		}
	}
	return ps
}

// outcomesFingerprint names a preview's outcomes: an explicit encoding of
// every field (not a struct's JSON), so that the same outcomes give the same
// fingerprint whatever the Go fields are called.
func outcomesFingerprint(os []DecisionOutcome) string {
	var c canon
	c.int("n", int64(len(os)))
	for _, o := range os {
		c.int("nomination", o.NominationID)
		c.field("organisation", o.OrganisationName)
		c.int("rank", int64(o.Rank))
		c.field("tie", strconv.FormatBool(o.Tie))
		c.field("value", strconv.FormatFloat(o.Value, 'g', -1, 64))
		c.int("count", int64(o.Count))
		c.field("action", string(o.Action))
		c.field("award", o.Award)
		c.field("why", o.Why)
		c.field("reason", o.Reason)
		c.field("eligibility", string(o.Eligibility))
		c.field("eligibility_override", o.EligibilityOverride)
		c.field("tie_at_cut", strconv.FormatBool(o.TieAtCut))
		c.field("unresolved_tie", strconv.FormatBool(o.UnresolvedTie))
	}
	sum := sha256.Sum256([]byte(c.b.String()))
	return hex.EncodeToString(sum[:16])
}
