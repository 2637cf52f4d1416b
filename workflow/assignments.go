package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/awardflow/awardflow/workflow/assign"
)

// Assignments lists a stage's assignments: all of them for the secretariat
// and the chair, a judge's own (not those it recused from) for a judge.
func (s *Service) Assignments(ctx context.Context, actor Actor, ref StageRef) ([]Assignment, error) {
	var out []Assignment
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		all, err := tx.Assignments(ctx, ref)
		if err != nil {
			return err
		}
		for _, a := range all {
			if may(PermReadAllAssignments, 0) || a.UserID == actor.UserID && a.Active() {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, withOp("workflow.Assignments", err)
}

// Assign adds one assignment by hand. Errors: NotFound (entry not under
// review at the stage); Invalid (not a panel judge, or conflicted);
// Conflict (already assigned).
func (s *Service) Assign(ctx context.Context, actor Actor, ref StageRef, nominationID, userID int64) (Assignment, error) {
	var a Assignment
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermManageAssignments)
		if err != nil {
			return err
		}
		n, ok := d.entry(nominationID)
		if !ok || !underReview(n, ref.Stage) {
			return Refuse(NotFound, "「%[3]s」で審査中の応募 %[1]d はありません", "no entry %[1]d under review at %[2]s", nominationID, ref.Stage, d.stage.Title.In("ja"))
		}
		if _, ok := d.member(userID); !ok {
			return &Error{Code: Invalid, Message: "not on the panel", Problems: []Problem{problem("user_id", "not_on_panel", "この審査員は審査会の構成員ではありません", "the judge is not on this stage's panel")}}
		}
		if c, ok := d.conflicts[[2]int64{userID, nominationID}]; ok {
			return &Error{Code: Invalid, Message: "conflict of interest", Problems: []Problem{problem("user_id", "conflicted",
				"利益相反のため割り当てできません（"+c.Source+"）", "the judge has a conflict of interest with this entry ("+c.Source+")")}}
		}
		a = Assignment{Stage: ref, NominationID: nominationID, UserID: userID, Source: "manual", CreatedBy: actor.ID, CreatedAt: now}
		if err := tx.InsertAssignments(ctx, []Assignment{a}); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return a, withOp("workflow.Assign", err)
}

// Unassign removes an assignment, unless the judge has submitted a score
// for it (which would then be lost). Errors: NotFound; Conflict.
func (s *Service) Unassign(ctx context.Context, actor Actor, ref StageRef, nominationID, userID int64) error {
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		if err := s.requireStaffAt(ctx, tx, actor, ref, PermManageAssignments); err != nil {
			return err
		}
		scores, err := tx.Scores(ctx, ref)
		if err != nil {
			return err
		}
		for _, sc := range scores {
			if sc.NominationID == nominationID && sc.UserID == userID && sc.Status == ScoreSubmitted {
				return Refuse(Conflict, "審査員 %d は応募 %d の採点を提出済みのため、割当てを解除できません", "judge %d has submitted a score for entry %d; it cannot be unassigned", userID, nominationID)
			}
		}
		if err := tx.DeleteAssignment(ctx, ref, nominationID, userID); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return withOp("workflow.Unassign", err)
}

// Propose computes an automatic assignment for the entries under review at
// a stage and stores it as a pending proposal; nothing is assigned yet.
func (s *Service) Propose(ctx context.Context, actor Actor, ref StageRef, seed uint64, usePreferences bool) (Proposal, error) {
	var pr Proposal
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermManageAssignments)
		if err != nil {
			return err
		}
		version, err := tx.StageVersion(ctx, ref)
		if err != nil {
			return err
		}
		j := d.stage.Judging
		prob := assign.Problem{K: j.JudgesPerEntry, UsePreferences: usePreferences, Seed: seed}
		under := map[int64]bool{}
		for _, n := range d.entries {
			if !underReview(n, ref.Stage) {
				continue
			}
			under[n.ID] = true
			e := assign.Entry{ID: n.ID}
			if n.Snapshot != nil {
				e.Industry, e.Prefecture = n.Snapshot.Industry, n.Snapshot.Prefecture
			}
			prob.Entries = append(prob.Entries, e)
		}
		for _, m := range d.panel {
			if !m.Role.SitsOnPanel() || m.Role.ChairsPanel() { // the proposal assigns judges, not the chair
				continue
			}
			prob.Judges = append(prob.Judges, assign.Judge{ID: m.UserID, MinLoad: j.Load.Min, MaxLoad: j.Load.Max,
				Industries: m.Industries, Prefectures: m.Prefectures})
		}
		if len(prob.Judges) == 0 {
			return &Error{Code: Invalid, Message: "the panel has no judges", Problems: []Problem{problem("", "no_judges", "審査会に審査員がいません", "the panel has no judges")}}
		}
		judges := map[int64]bool{}
		for _, jd := range prob.Judges {
			judges[jd.ID] = true
		}
		for k := range d.conflicts {
			if under[k[1]] && judges[k[0]] {
				prob.Conflicts = append(prob.Conflicts, assign.Pair{Entry: k[1], Judge: k[0]})
			}
		}
		for _, a := range d.assignments {
			if a.Active() && under[a.NominationID] && judges[a.UserID] {
				prob.Existing = append(prob.Existing, assign.Pair{Entry: a.NominationID, Judge: a.UserID})
			}
		}
		slices.SortFunc(prob.Conflicts, pairOrder)
		res, err := assign.Solve(prob)
		if err != nil {
			return &Error{Code: Invalid, Message: err.Error(),
				Ja: fmt.Sprintf("割当ての条件が正しくないため、審査員を割り当てられません（%s）", strings.TrimPrefix(err.Error(), "assign: "))}
		}
		pr = Proposal{Stage: ref, Seed: seed, UsePreferences: usePreferences, BaseVersion: version, Pairs: res.Add, Report: res.Report,
			Status: ProposalPending, CreatedBy: actor.ID, CreatedAt: now}
		return tx.InsertProposal(ctx, &pr)
	})
	return pr, withOp("workflow.Propose", err)
}

func pairOrder(a, b assign.Pair) int {
	if a.Entry != b.Entry {
		return int(a.Entry - b.Entry)
	}
	return int(a.Judge - b.Judge)
}

// ApplyProposal assigns a pending proposal's pairs atomically, if nothing
// about the stage's panel or assignments changed since it was computed.
// Errors: NotFound; Conflict (stale, or not pending).
func (s *Service) ApplyProposal(ctx context.Context, actor Actor, ref StageRef, id int64) (Proposal, error) {
	return s.decideProposal(ctx, actor, ref, id, ProposalApplied)
}

// DiscardProposal drops a pending proposal.
func (s *Service) DiscardProposal(ctx context.Context, actor Actor, ref StageRef, id int64) (Proposal, error) {
	return s.decideProposal(ctx, actor, ref, id, ProposalDiscarded)
}

func (s *Service) decideProposal(ctx context.Context, actor Actor, ref StageRef, id int64, status string) (Proposal, error) {
	var pr Proposal
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		d, err := s.staffStage(ctx, tx, actor, ref, PermManageAssignments)
		if err != nil {
			return err
		}
		if pr, err = tx.Proposal(ctx, id); err != nil {
			return err
		}
		if pr.Stage != ref {
			return Refuse(NotFound, "「%[3]s」に割当て案 %[1]d はありません", "no proposal %[1]d at %[2]s", id, ref, d.stage.Title.In("ja"))
		}
		if status == ProposalApplied {
			version, err := tx.StageVersion(ctx, ref)
			if err != nil {
				return err
			}
			if version != pr.BaseVersion {
				return Refuse(Conflict, "割当て案 %d の作成後に審査会の構成または割当てが変更されました。割当て案を作成し直してください", "the panel or assignments changed since proposal %d was made; propose again", id)
			}
			as := make([]Assignment, 0, len(pr.Pairs))
			for _, p := range pr.Pairs {
				if _, conflicted := d.conflicts[[2]int64{p.Judge, p.Entry}]; conflicted {
					return Refuse(Conflict, "審査員 %d と応募 %d の間に利益相反が登録されました。割当て案を作成し直してください", "judge %d now has a conflict with entry %d; propose again", p.Judge, p.Entry)
				}
				as = append(as, Assignment{Stage: ref, NominationID: p.Entry, UserID: p.Judge, Source: "proposal", CreatedBy: actor.ID, CreatedAt: now})
			}
			if err := tx.InsertAssignments(ctx, as); err != nil {
				return err
			}
			if err := tx.BumpStageVersion(ctx, ref); err != nil {
				return err
			}
		}
		if err := tx.DecideProposal(ctx, id, status, actor.ID, now); err != nil {
			return err
		}
		pr.Status, pr.DecidedBy, pr.DecidedAt = status, actor.ID, &now
		return nil
	})
	return pr, withOp("workflow.DecideProposal", err)
}
