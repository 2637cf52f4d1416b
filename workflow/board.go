package workflow

import (
	"context"
	"time"
)

// BoardEntry is an entry at a stage with the judges assigned to it.
type BoardEntry struct {
	Nomination  Nomination
	UnderReview bool    // being judged at the stage now (assignments may change)
	Judges      []int64 // actively assigned, in the order assigned
	Recused     []int64 // assigned, then recused
}

// StageBoard is a stage's assignment picture, read in one transaction:
// what the secretariat's stage, panel and assignment pages show.
type StageBoard struct {
	Stage          StageRef
	ProgrammeTitle Text
	Ministry       string
	Title          Text
	Judging        Judging // with the window in force
	Panel          []PanelMember
	Entries        []BoardEntry // every entry at the stage, by id
	// Conflicts between panel members and entries, for the secretariat
	// only (nil for the chair, who may not list them).
	Conflicts []ConflictOfInterest
	// Version counts changes to the panel and assignments: a proposal
	// computed at another version is stale and would be refused.
	Version int64
}

// StageBoard returns a stage's panel, entries and assignments: the
// secretariat and the chair (NotFound for another ministry's staff and
// anyone who may not see the stage, Forbidden for its judges).
func (s *Service) StageBoard(ctx context.Context, actor Actor, ref StageRef) (StageBoard, error) {
	var b StageBoard
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		d, err := s.loadStage(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !d.may(PermReadAllAssignments, 0) {
			return Refuse(Forbidden, "審査段階の割当て状況は事務局と委員長だけが見られます", "the stage's assignments are for the secretariat and the chair")
		}
		if b.Version, err = tx.StageVersion(ctx, ref); err != nil {
			return err
		}
		b.Stage, b.ProgrammeTitle, b.Ministry, b.Title = ref, d.programme.Title, d.programme.Ministry, d.stage.Title
		b.Judging, b.Panel = *d.stage.Judging, d.panel
		at := make(map[int64]int, len(d.entries))
		for _, n := range d.entries {
			at[n.ID] = len(b.Entries)
			b.Entries = append(b.Entries, BoardEntry{Nomination: n, UnderReview: underReview(n, ref.Stage)})
		}
		for _, a := range d.assignments {
			i, ok := at[a.NominationID]
			if !ok {
				continue
			}
			if a.Active() {
				b.Entries[i].Judges = append(b.Entries[i].Judges, a.UserID)
			} else {
				b.Entries[i].Recused = append(b.Entries[i].Recused, a.UserID)
			}
		}
		if d.may(PermListConflicts, 0) {
			b.Conflicts = []ConflictOfInterest{}
			for _, c := range d.conflicts {
				b.Conflicts = append(b.Conflicts, c)
			}
			sortConflicts(b.Conflicts)
		}
		return nil
	})
	return b, withOp("workflow.StageBoard", err)
}

// Proposal returns one of a stage's assignment proposals, in any status;
// the secretariat only. Errors: NotFound (another stage's, or none);
// Forbidden.
func (s *Service) Proposal(ctx context.Context, actor Actor, ref StageRef, id int64) (Proposal, error) {
	var pr Proposal
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		if err := s.requireStaffAt(ctx, tx, actor, ref, PermManageAssignments); err != nil {
			return err
		}
		var err error
		if pr, err = tx.Proposal(ctx, id); err != nil {
			return err
		}
		if pr.Stage != ref {
			return Refuse(NotFound, "この審査段階に割当て案 %d はありません", "no proposal %d at this stage", id)
		}
		return nil
	})
	return pr, withOp("workflow.Proposal", err)
}
