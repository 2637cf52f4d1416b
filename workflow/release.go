package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// UndecidedStates are the states in which a nomination has no outcome yet:
// releasing results with nominations in them needs an explicit, recorded
// confirmation. Ineligible, recognised, selected, not selected and awarded
// are outcomes; withdrawn is neither.
var UndecidedStates = []State{Draft, Submitted, Returned, Screening, InReview}

// ReleaseStatus is the pre-flight of a programme's release: whether its call
// is still open, whether it was released (and how), and how many
// nominations are undecided, by state.
type ReleaseStatus struct {
	title            Text // the programme's, for messages
	Cycle, Programme string
	Call             Window
	CallOpen         bool
	Release          *Release // nil until released
	Undecided        map[State]int
	UndecidedTotal   int
}

// ReleaseRequest is what staff send to release a programme's results.
// ConfirmUndecided, with a Reason, releases although some nominations are
// still undecided; both are recorded with the counts.
type ReleaseRequest struct {
	ConfirmUndecided bool
	Reason           string
}

// ReleaseStatus returns the pre-flight of a programme's release. Staff of
// the programme's ministry only. Errors: NotFound.
func (s *Service) ReleaseStatus(ctx context.Context, actor Actor, cycleKey, programmeKey string) (ReleaseStatus, error) {
	var st ReleaseStatus
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		var err error
		st, err = s.releaseStatus(ctx, tx, actor, cycleKey, programmeKey, now)
		return err
	})
	return st, withOp("workflow.ReleaseStatus", err)
}

func (s *Service) releaseStatus(ctx context.Context, tx Tx, actor Actor, cycleKey, programmeKey string, now time.Time) (ReleaseStatus, error) {
	_, p, err := staffProgramme(ctx, tx, s.authz, actor, cycleKey, programmeKey)
	if err != nil {
		return ReleaseStatus{}, err
	}
	if p, err = s.effective(ctx, tx, cycleKey, p); err != nil {
		return ReleaseStatus{}, err
	}
	st := ReleaseStatus{title: p.Title, Cycle: cycleKey, Programme: programmeKey, Call: CallWindow(p), CallOpen: CallOpen(p, now), Undecided: map[State]int{}}
	if st.Release, err = tx.Release(ctx, cycleKey, programmeKey); err != nil {
		return st, err
	}
	counts, err := tx.CountNominationsByState(ctx, cycleKey, programmeKey)
	if err != nil {
		return st, err
	}
	for _, u := range UndecidedStates {
		if counts[u] > 0 {
			st.Undecided[u] = counts[u]
			st.UndecidedTotal += counts[u]
		}
	}
	return st, nil
}

// ReleaseResults releases a programme's results with no confirmation of
// undecided nominations: Release with an empty request.
func (s *Service) ReleaseResults(ctx context.Context, actor Actor, cycleKey, programmeKey string) error {
	_, err := s.Release(ctx, actor, cycleKey, programmeKey, ReleaseRequest{})
	return err
}

// Release releases a programme's results to applicants; from then on
// nothing can be created, submitted, resubmitted or withdrawn in it. Staff
// of the programme's ministry only. It is refused while the call is open,
// and, while nominations are undecided, unless the request confirms them
// with a reason (recorded with the counts).
//
// Errors: NotFound; Conflict if already released; IllegalTransition (call
// open, or undecided nominations, each state a problem); Invalid (reason).
func (s *Service) Release(ctx context.Context, actor Actor, cycleKey, programmeKey string, req ReleaseRequest) (Release, error) {
	var rel Release
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		st, err := s.releaseStatus(ctx, tx, actor, cycleKey, programmeKey, now)
		if err != nil {
			return err
		}
		if st.Release != nil {
			return Refuse(Conflict, "「%[2]s」の結果は発表済みです（%[3]s）", "the results of %[1]s were already released at %[4]s",
				programmeKey, st.title.Ja, WarekiTime(st.Release.ReleasedAt), st.Release.ReleasedAt.In(Tokyo).Format("2006-01-02 15:04")+" JST")
		}
		if st.CallOpen {
			e := Refuse(IllegalTransition, "募集期間中（締切: %[1]s）は結果を発表できません", "the call is open until %[2]s JST; results cannot be released before it closes",
				Wareki(st.Call.Closes)+" "+st.Call.Closes.In(Tokyo).Format("15:04"), st.Call.Closes.In(Tokyo).Format("2006-01-02 15:04"))
			e.Problems = []Problem{problem("", "call_open", e.Ja, e.Message)}
			return e
		}
		rel = Release{CycleKey: cycleKey, ProgrammeKey: programmeKey, ReleasedAt: now, ReleasedBy: actor.ID}
		if st.UndecidedTotal > 0 {
			if !req.ConfirmUndecided {
				e := Refuse(IllegalTransition, "未決定の応募が%[1]d件あります。確認のうえ理由を添えて発表してください",
					"%[1]d nominations are still undecided; release only with confirm_undecided and a reason", st.UndecidedTotal)
				for _, u := range UndecidedStates {
					if n := st.Undecided[u]; n > 0 {
						e.Problems = append(e.Problems, problem("undecided."+string(u), "undecided",
							fmt.Sprintf("「%s」の応募が%d件あります", u.Label().Ja, n), fmt.Sprintf("%d nominations are %s", n, u.Label().En)))
					}
				}
				return e
			}
			if p := reasonProblem("reason", req.Reason, true); p != nil {
				e := Refuse(Invalid, "未決定の応募があるまま発表する理由を入力してください", "a reason is required to release with undecided nominations")
				e.Problems = []Problem{*p}
				return e
			}
			rel.ConfirmedUndecided, rel.ConfirmReason = st.Undecided, strings.TrimSpace(req.Reason)
		}
		return tx.InsertRelease(ctx, rel)
	})
	return rel, withOp("workflow.Release", err)
}
