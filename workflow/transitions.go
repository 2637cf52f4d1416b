package workflow

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Transition applies an action to one nomination. If expected is not zero
// the nomination must still be at that version. The change and its history
// entry commit together; of concurrent attempts on the same version exactly
// one wins and the others get Conflict.
//
// Errors: NotFound; Conflict; Forbidden; Invalid; IllegalTransition (with
// the guards' reasons).
func (s *Service) Transition(ctx context.Context, actor Actor, id int64, expected int, action Action, in Input) (Nomination, error) {
	v, err := s.transition(ctx, actor, id, expected, action, in, false)
	return v.Nomination, err
}

// Act is Transition answered with the nomination as the actor sees it
// afterwards (as Nomination returns it), read in the same transaction.
func (s *Service) Act(ctx context.Context, actor Actor, id int64, expected int, action Action, in Input) (NominationView, error) {
	return s.transition(ctx, actor, id, expected, action, in, true)
}

func (s *Service) transition(ctx context.Context, actor Actor, id int64, expected int, action Action, in Input, view bool) (NominationView, error) {
	var v NominationView
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, _, err := s.visible(ctx, tx, actor, id, now)
		if err != nil {
			return err
		}
		n := *c.Nomination
		// An applicant's If-Match is its own version; the update below still
		// requires the real one to be unchanged, so of a staff step and an
		// applicant's step on the same row one wins and the other gets Conflict.
		seen := seenVersion(&n, s.applicantView(actor, c), c.ReleasedAt != nil)
		if expected != 0 && seen != expected {
			return Refuse(Conflict, "この応募は他の操作で更新されました（現在の版 %[2]d、編集した版 %[3]d）。再読み込みしてからやり直してください",
				"nomination %[1]d is at version %[2]d, not %[3]d; reload and try again", id, seen, expected)
		}
		outs, err := s.applyAt(ctx, tx, actor, []Nomination{n}, action, in, now, nil)
		if err != nil {
			return err
		}
		v.Nomination = outs[0]
		if view {
			c, _, err := s.context(ctx, tx, &v.Nomination, &contextCache{}, now)
			if err != nil {
				return err
			}
			v = s.view(c, actor)
		}
		return nil
	})
	return v, withOp("workflow.Transition", err)
}

// BulkTransition applies one action with the same input to many
// nominations, all or nothing: if any is refused, nothing changes and the
// error lists every refusal, each with the path "nominations[ID]".
func (s *Service) BulkTransition(ctx context.Context, actor Actor, ids []int64, action Action, in Input) ([]Nomination, error) {
	want := make([]Expect, len(ids))
	for i, id := range ids {
		want[i] = Expect{ID: id}
	}
	return s.BulkAct(ctx, actor, want, action, in)
}

// Expect is a nomination and the version its caller last saw (0: any).
type Expect struct {
	ID      int64
	Version int
}

// BulkAct is BulkTransition for a selection the caller confirmed at given
// versions: a nomination that has moved on since is refused (Conflict,
// code "stale"), so a confirmation page never applies to what it did not
// show. A nomination the actor may not see is refused as missing, before
// its version is compared, so nothing about it is revealed.
//
// Errors: Invalid (no or repeated ids); NotFound; and, listing every
// refusal, the code of the first (Conflict when any is stale).
func (s *Service) BulkAct(ctx context.Context, actor Actor, want []Expect, action Action, in Input) ([]Nomination, error) {
	var out []Nomination
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if len(want) == 0 {
			return Refuse(Invalid, "応募が指定されていません", "no nominations given")
		}
		ids := make([]int64, len(want))
		expected := make(map[int64]int, len(want))
		for i, w := range want {
			if _, dup := expected[w.ID]; dup {
				return Refuse(Invalid, "応募 %d が重複して指定されています", "nomination %d is listed twice", w.ID)
			}
			ids[i], expected[w.ID] = w.ID, w.Version
		}
		ns, err := tx.Nominations(ctx, ids)
		if err != nil {
			return err
		}
		out, err = s.applyAt(ctx, tx, actor, ns, action, in, now, expected)
		return err
	})
	return out, withOp("workflow.BulkTransition", err)
}

// applyAt decides an action for each nomination at now and stores the
// results and their history in tx. All must succeed.
// expected holds the versions the caller saw (nil or 0: any).
func (s *Service) applyAt(ctx context.Context, tx Tx, actor Actor, ns []Nomination, action Action, in Input, now time.Time, expected map[int64]int) ([]Nomination, error) {
	if in.Due != nil {
		d := in.Due.UTC()
		in.Due = &d
	}
	in.Reason = strings.TrimSpace(in.Reason)
	cache := contextCache{}
	if err := cache.preloadOrganisations(ctx, tx, ns); err != nil {
		return nil, err
	}
	out := make([]Nomination, 0, len(ns))
	progs := make([]*Programme, 0, len(ns)) // the programme each of out is bound to
	hist := make([]HistoryEntry, 0, len(ns))
	var failed *Error
	for i := range ns {
		n := &ns[i]
		c, rebind, err := s.context(ctx, tx, n, &cache, now)
		if err == nil {
			err = canSee(s.authz, actor, n, c.Programme)
		}
		if v := expected[n.ID]; err == nil && v != 0 {
			if seen := seenVersion(n, s.applicantView(actor, c), c.ReleasedAt != nil); seen != v {
				err = &Error{Code: Conflict, Message: "stale", Problems: []Problem{problem("", "stale",
					fmt.Sprintf("確認した後に他の操作で更新されました（現在の版 %d、確認した版 %d）", seen, v),
					fmt.Sprintf("changed since it was confirmed (now version %d, confirmed at %d)", seen, v))}}
			}
		}
		var next Nomination
		role := Role("")
		if err == nil {
			c.Input = in
			role = actor.RoleIn(c.Programme.Ministry)
			next, err = Decide(c, s.authz, actor, action)
		}
		if err != nil {
			if len(ns) == 1 {
				return nil, err
			}
			if failed == nil {
				failed = &Error{Code: ErrorCode(err), Message: fmt.Sprintf("%s refused; nothing was changed", action),
					Ja: fmt.Sprintf("「%s」ができない応募があるため、いずれの応募も変更していません", action.Label().Ja)}
			}
			if ErrorCode(err) == Conflict {
				failed.Code = Conflict
			}
			failed.Problems = append(failed.Problems, bulkProblems(n.ID, err)...)
			continue
		}
		if rebind != 0 {
			next.CycleVersion = rebind
		}
		out = append(out, next)
		progs = append(progs, c.Programme)
		hist = append(hist, HistoryEntry{
			NominationID: n.ID, Version: next.Version, ApplicantVersion: next.ApplicantVersion, ActorID: actor.ID, ActorName: actor.Name, Role: role,
			Action: action, From: n.State, To: next.State, Stage: next.Stage, Tier: next.Tier, Award: next.Award,
			Reason: in.Reason, Due: in.Due, At: now,
		})
	}
	if failed != nil {
		return nil, failed
	}
	// The eligibility as of the new state: returning goes back to the live
	// organisation, read here for all at once.
	if err := cache.preloadOrganisations(ctx, tx, out); err != nil {
		return nil, err
	}
	for i := range out {
		if err := judge(ctx, tx, &out[i], progs[i], &cache); err != nil {
			return nil, err
		}
	}
	if err := tx.UpdateNominations(ctx, out); err != nil {
		return nil, err
	}
	return out, tx.AppendHistory(ctx, hist)
}

func bulkProblems(id int64, err error) []Problem {
	path := fmt.Sprintf("nominations[%d]", id)
	ps := ErrorProblems(err)
	if len(ps) == 0 {
		msg := Text{Ja: "処理できません", En: "refused"}
		var e *Error
		if errors.As(err, &e) {
			msg = Text{Ja: e.Ja, En: e.Message}
		}
		return []Problem{{Path: path, Code: string(ErrorCode(err)), Message: msg}}
	}
	out := make([]Problem, len(ps))
	for i, p := range ps {
		p.Path = strings.TrimSuffix(path+"."+p.Path, ".")
		out[i] = p
	}
	return out
}
