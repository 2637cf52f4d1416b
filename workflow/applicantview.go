package workflow

// forApplicant is a nomination as its applicant sees it. Until results are
// released nothing tells a staff step: the version and updated_at are the
// applicant's own (ApplicantVersion), submitted, screening and every
// decision show as under_review, and there is no stage, tier or award.
// After release, a nomination not selected at a stage after reaching a tier
// shows the highest tier reached (recognised, or selected at the stage that
// granted it), not the loss.
func forApplicant(n Nomination, p *Programme, released bool) Nomination {
	n.Eligibility = "" // evidence for the secretariat only
	if !released {
		n.State = applicantState(n.State)
		n.Stage, n.Tier, n.Award = "", "", ""
		n.Version, n.UpdatedAt = n.ApplicantVersion, n.ApplicantUpdatedAt
		return n
	}
	if st, stage, ok := highestReached(&n, p); ok {
		n.State, n.Stage = st, stage
	}
	return n
}

// applicantState is the state an applicant sees before release.
func applicantState(s State) State {
	switch s {
	case "", Draft, Returned, Withdrawn:
		return s
	}
	return UnderReview
}

// highestReached is, for a nomination not selected that kept a tier, the
// state and stage in which it reached that tier.
func highestReached(n *Nomination, p *Programme) (State, string, bool) {
	if n.State != NotSelected || n.Tier == "" {
		return "", "", false
	}
	i := p.StageIndex(n.Stage)
	for j := i - 1; j >= 0; j-- {
		if p.Stages[j].Grants == n.Tier {
			return Selected, p.Stages[j].Key, true
		}
	}
	return Recognised, "", true
}

// seenVersion is the version the actor knows a nomination at: an
// applicant's own until release, the real one otherwise. An If-Match is
// compared with it.
func seenVersion(n *Nomination, applicantView bool, released bool) int {
	if applicantView && !released {
		return n.ApplicantVersion
	}
	return n.Version
}

// seenState is the state the actor knows a nomination in: under_review for
// an applicant until release (see applicantState), the real one otherwise.
// Refusals name it, so that they reveal no more than a read does.
func seenState(n *Nomination, applicantView bool, released bool) State {
	if applicantView && !released {
		return applicantState(n.State)
	}
	return n.State
}

// applicantHistory is the history as the applicant of n sees it: never the
// names of the staff who acted; until results are released only the steps
// VisibleToApplicant, at the applicant's versions and with the states it
// saw; after release every step, but not those after the highest tier
// reached when the nomination shows that tier (forApplicant).
func applicantHistory(hs []HistoryEntry, n *Nomination, p *Programme, released bool) []HistoryEntry {
	out := make([]HistoryEntry, 0, len(hs))
	for _, h := range hs {
		if !h.Role.ForOrganisation() {
			h.ActorID, h.ActorName = "", ""
		}
		if !released {
			if !h.Action.VisibleToApplicant() {
				continue
			}
			h.Version = h.ApplicantVersion
			h.From, h.To = applicantState(h.From), applicantState(h.To)
			h.Stage, h.Tier, h.Award = "", "", ""
		}
		out = append(out, h)
	}
	if st, stage, ok := highestReached(n, p); ok && released {
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].To == st && out[i].Stage == stage {
				return out[:i+1]
			}
		}
	}
	return out
}
