package workflow

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// mayDeclareTies reports whether some grant of the actor's, on its own,
// carries conflict:declare: a judge's or chair's ties are its own, not a
// ministry's, and are declared even by a judge who also acts as staff.
func (s *Service) mayDeclareTies(actor Actor) bool {
	return slices.ContainsFunc(actor.Grants, func(g Grant) bool {
		return s.authz.Permits(Actor{ID: actor.ID, UserID: actor.UserID, Grants: []Grant{g}}, PermDeclareConflicts, g.Domain, 0)
	})
}

// DeclareAffiliation records an organisation the actor (a judge or chair)
// is tied to: by organisation id, corporate number or name.
func (s *Service) DeclareAffiliation(ctx context.Context, actor Actor, a Affiliation) (Affiliation, error) {
	const op = "workflow.DeclareAffiliation"
	if !s.mayDeclareTies(actor) {
		return a, &Error{Op: op, Code: Forbidden, Message: "only judges and chairs declare affiliations", Ja: "所属を申告できるのは審査員と委員長だけです"}
	}
	var ps []Problem
	if p := textProblem("name", a.Name, false); p != nil {
		ps = append(ps, *p) // the text as sent, before NFKC
	}
	a.CorporateNumber, a.Name = normalise(a.CorporateNumber), normalise(a.Name)
	switch {
	case len(ps) > 0:
	case a.OrganisationID == 0 && a.CorporateNumber == "" && a.Name == "":
		ps = append(ps, problem("", "required", "組織・法人番号・名称のいずれかを指定してください", "name an organisation, a corporate number or a name"))
	case a.CorporateNumber != "" && !ValidCorporateNumber(a.CorporateNumber):
		ps = append(ps, problem("corporate_number", "invalid_check_digit", "法人番号が正しくありません", "is not a valid corporate number"))
	case utf8.RuneCountInString(a.Name) > 200:
		ps = append(ps, problem("name", "too_long", "名称は200文字以内で入力してください", "must be at most 200 characters"))
	case a.Name != "" && NameKey(a.Name) == "":
		ps = append(ps, problem("name", "legal_form_only", "法人格だけでなく組織の名称を入力してください", "is only a legal form; give the organisation's name"))
	}
	if err := invalid("invalid affiliation", ps); err != nil {
		return a, withOp(op, err)
	}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if a.OrganisationID != 0 {
			if _, err := tx.Organisation(ctx, a.OrganisationID); err != nil {
				return err
			}
		}
		mine, err := tx.Affiliations(ctx, []int64{actor.UserID})
		if err != nil {
			return err
		}
		key := NameKey(a.Name)
		for _, m := range mine {
			var path string
			switch {
			case a.OrganisationID != 0 && m.OrganisationID == a.OrganisationID:
				path = "organisation_id"
			case a.CorporateNumber != "" && m.CorporateNumber == a.CorporateNumber:
				path = "corporate_number"
			case key != "" && NameKey(m.Name) == key:
				path = "name"
			default:
				continue
			}
			e := Refuse(Conflict, "この所属はすでに申告されています（申告 %d）", "this affiliation is already declared (declaration %d)", m.ID)
			e.Problems = []Problem{problem(path, "duplicate", "申告済みの所属と同じです", "matches an affiliation already declared")}
			return e
		}
		a.UserID, a.DeclaredAt = actor.UserID, now
		if err := tx.InsertAffiliation(ctx, &a); err != nil {
			return err
		}
		return releaseConflicted(ctx, tx, actor.UserID, a.DeclaredAt)
	})
	return a, withOp(op, err)
}

// DeclareConflict records the actor's conflict with an organisation.
func (s *Service) DeclareConflict(ctx context.Context, actor Actor, orgID int64, reason string) (DeclaredConflict, error) {
	const op = "workflow.DeclareConflict"
	if !s.mayDeclareTies(actor) {
		return DeclaredConflict{}, &Error{Op: op, Code: Forbidden, Message: "only judges and chairs declare conflicts", Ja: "利益相反を申告できるのは審査員と委員長だけです"}
	}
	if p := reasonProblem("reason", reason, false); p != nil {
		return DeclaredConflict{}, withOp(op, invalid("invalid reason", []Problem{*p}))
	}
	reason = strings.TrimSpace(reason)
	c := DeclaredConflict{UserID: actor.UserID, OrganisationID: orgID, Source: SourceDeclared, Reason: reason, CreatedBy: actor.ID}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if _, err := tx.Organisation(ctx, orgID); err != nil {
			return err
		}
		prev, err := s.conflictWith(ctx, tx, actor.UserID, orgID)
		if err != nil {
			return err
		}
		if prev != nil {
			e := Refuse(Conflict, "この団体との利害関係はすでに登録されています（%[1]s、%[3]s）", "a conflict with this organisation is already recorded (%[2]s, %[4]s)",
				SourceLabel(prev.Source).Ja, SourceLabel(prev.Source).En, WarekiTime(prev.CreatedAt), prev.CreatedAt.In(Tokyo).Format("2006-01-02 15:04")+" JST")
			e.Problems = []Problem{problem("organisation_id", "duplicate", "この組織との利益相反は登録済みです", "a conflict with this organisation is already recorded")}
			return e
		}
		c.CreatedAt = now
		if err := tx.InsertConflict(ctx, &c); err != nil {
			return err
		}
		return releaseConflicted(ctx, tx, actor.UserID, c.CreatedAt)
	})
	return c, withOp(op, err)
}

// releaseConflicted takes a judge off every entry it is assigned to and now
// conflicted with, in the transaction of the declaration that made the
// conflict: a conflicted judge is never assigned, so the entry shows as
// short of judges to the secretariat, who assigns another, instead of
// waiting for a score nobody may give. Entries a stage has decided keep
// their judges (tiesApply). Declarations are rare, so reading
// the judge's assignments stage by stage is cheap enough.
func releaseConflicted(ctx context.Context, tx Tx, userID int64, now time.Time) error {
	ties, err := judgeTiesOf(ctx, tx, userID)
	if err != nil {
		return err
	}
	keys, err := tx.CycleKeys(ctx)
	if err != nil {
		return err
	}
	for _, key := range keys {
		cv, err := tx.LatestCycle(ctx, key)
		if err != nil {
			return err
		}
		for _, p := range cv.Cycle.Programmes {
			for _, st := range p.Stages {
				if st.Judging == nil {
					continue
				}
				ref := StageRef{Cycle: key, Programme: p.Key, Stage: st.Key}
				ns, err := tx.JudgeEntries(ctx, ref, userID)
				if err != nil {
					return err
				}
				for i := range ns {
					if _, conflicted := ties.conflictWith(ties.entryOrgOf(&ns[i])); !conflicted || !tiesApply(ns[i], st.Key) {
						continue
					}
					if err := tx.RecuseAssignment(ctx, ref, ns[i].ID, userID, "利害関係の申告により担当を外れました / conflict of interest declared", now); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// conflictWith returns the judge's recorded conflict with an organisation
// (declared or by recusal), or nil.
func (s *Service) conflictWith(ctx context.Context, tx Tx, userID, orgID int64) (*DeclaredConflict, error) {
	dcs, err := tx.DeclaredConflicts(ctx, []int64{userID})
	if err != nil {
		return nil, err
	}
	for i := range dcs {
		if dcs[i].OrganisationID == orgID {
			return &dcs[i], nil
		}
	}
	return nil, nil
}

// MyConflicts lists the actor's own declarations: affiliations and conflicts.
func (s *Service) MyConflicts(ctx context.Context, actor Actor) ([]Affiliation, []DeclaredConflict, error) {
	var (
		affs []Affiliation
		dcs  []DeclaredConflict
	)
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		var err error
		if affs, err = tx.Affiliations(ctx, []int64{actor.UserID}); err != nil {
			return err
		}
		dcs, err = tx.DeclaredConflicts(ctx, []int64{actor.UserID})
		return err
	})
	return affs, dcs, withOp("workflow.MyConflicts", err)
}

// Conflicts lists every conflict between a stage's panel and its entries,
// with its source; the secretariat only.
func (s *Service) Conflicts(ctx context.Context, actor Actor, ref StageRef) ([]ConflictOfInterest, error) {
	var out []ConflictOfInterest
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermListConflicts)
		if err != nil {
			return err
		}
		for _, c := range d.conflicts {
			out = append(out, c)
		}
		sortConflicts(out)
		return nil
	})
	return out, withOp("workflow.Conflicts", err)
}

// sortConflicts orders conflicts by entry, then judge.
func sortConflicts(cs []ConflictOfInterest) {
	slices.SortFunc(cs, func(a, b ConflictOfInterest) int {
		if a.NominationID != b.NominationID {
			return int(a.NominationID - b.NominationID)
		}
		return int(a.UserID - b.UserID)
	})
}

// TieOrganisation is an organisation as a judge knows it: by the name in
// the entry it judged (or the organisation's own, for a conflict declared
// with one it never judged).
type TieOrganisation struct {
	ID   int64
	Name string
}

// MyTieOrganisations lists, by name, the organisations a judge or chair may
// pick when declaring a conflict: those of the entries it is or was
// assigned to at the stages of its panels (in ministries it may read), and
// those it already declared conflicts with. Nothing of other entries.
func (s *Service) MyTieOrganisations(ctx context.Context, actor Actor) ([]TieOrganisation, error) {
	names := map[int64]string{}
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		keys, err := tx.CycleKeys(ctx)
		if err != nil {
			return err
		}
		var ids []int64
		for _, key := range keys {
			cv, err := tx.LatestCycle(ctx, key)
			if err != nil {
				return err
			}
			for _, p := range cv.Cycle.Programmes {
				if !s.authz.Permits(actor, PermReadEntries, p.Ministry, 0) {
					continue
				}
				for _, st := range p.Stages {
					if st.Judging == nil {
						continue
					}
					as, err := tx.Assignments(ctx, StageRef{Cycle: key, Programme: p.Key, Stage: st.Key})
					if err != nil {
						return err
					}
					for _, a := range as {
						if a.UserID == actor.UserID {
							ids = append(ids, a.NominationID)
						}
					}
				}
			}
		}
		if len(ids) > 0 {
			ns, err := tx.Nominations(ctx, ids)
			if err != nil {
				return err
			}
			for _, n := range ns {
				if n.Snapshot != nil {
					names[n.OrganisationID] = n.Snapshot.Name
				}
			}
		}
		dcs, err := tx.DeclaredConflicts(ctx, []int64{actor.UserID})
		if err != nil {
			return err
		}
		for _, d := range dcs {
			if _, ok := names[d.OrganisationID]; !ok {
				o, err := tx.Organisation(ctx, d.OrganisationID)
				if err != nil {
					return err
				}
				names[d.OrganisationID] = o.Name
			}
		}
		return nil
	})
	out := make([]TieOrganisation, 0, len(names))
	for id, name := range names {
		out = append(out, TieOrganisation{ID: id, Name: name})
	}
	slices.SortFunc(out, func(a, b TieOrganisation) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out, withOp("workflow.MyTieOrganisations", err)
}
