package workflow

import (
	"context"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ScoreInput is what a judge sends: values by criterion (decimal text or
// numbers), a comment, and whether to submit.
type ScoreInput struct {
	Values  map[string]any
	Comment string
	Submit  bool
}

const maxComment = 4000

// SaveScore saves a judge's score for an entry as a draft or submitted,
// while the judging window is open. expected is the version the judge
// edited (0 for a first save); a stale one is a Conflict, so a submitted
// score is never overwritten silently. A submitted score stays submitted;
// where its judge can see other judges' scores it is locked until the chair
// or the secretariat reopens it (ReopenScore), and every change to it is
// recorded with the score before (ScoreHistory).
//
// Errors: NotFound (not assigned, recused or conflicted); IllegalTransition
// (window closed or not yet open; score_locked); Invalid (every bad value, unknown
// criterion, missing required criterion on submit); Conflict.
func (s *Service) SaveScore(ctx context.Context, actor Actor, ref StageRef, nominationID int64, expected int, in ScoreInput) (Score, error) {
	var sc Score
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		// One entry's reads, by index and in one statement: the cycle's
		// version (the stage from the cycle cache), whether the windows were
		// changed and the judge has ties (each read only then), the judge's
		// assignment, its score. They are judged
		// in the order stageOf, judgedEntry and Score would refuse.
		rd, err := tx.JudgeScoreReads(ctx, ref, nominationID, actor.UserID)
		if err != nil {
			return err
		}
		_, st, may, err := s.stageAt(ctx, tx, actor, ref, rd.CycleVersion, rd.HasWindowChanges)
		if err != nil {
			return err
		}
		if !may(PermWriteScores, anyFacts) { // its facts, assigned and unconflicted, are judgedEntry's (NotFound if not)
			return Refuse(Forbidden, "採点できるのは審査会の審査員と委員長だけです", "only panel members score")
		}
		var entry Nomination
		if rd.Entry != nil {
			entry = *rd.Entry
		}
		n, err := judgedFrom(ctx, tx, ref.Stage, nominationID, entry, rd.Assigned, rd.HasTies, actor.UserID)
		if err != nil {
			return err
		}
		if !underReview(n, ref.Stage) {
			return &Error{Code: IllegalTransition, Message: "the entry is no longer under review", Problems: []Problem{
				problem("", "decided", "この段階の判定は終了しています", "this stage has been decided for the entry")}}
		}
		j := st.Judging
		switch {
		case now.Before(j.Window.Opens):
			return &Error{Code: IllegalTransition, Message: "judging has not opened", Problems: []Problem{problem("", "window_not_open",
				"審査期間前です（開始: "+WarekiTime(j.Window.Opens)+"）", "judging opens "+j.Window.Opens.In(Tokyo).Format("2006-01-02 15:04")+" JST")}}
		case !now.Before(j.Window.Closes):
			return &Error{Code: IllegalTransition, Message: "judging has closed", Problems: []Problem{problem("", "window_closed",
				"審査期間は終了しました（締切: "+WarekiDeadline(j.Window.Closes)+"）", "judging has closed (scores were due by "+DeadlineEn(j.Window.Closes)+")")}}
		}
		values, ps := checkScore(j, in)
		if err := invalid("invalid score", ps); err != nil {
			return err
		}
		prev := rd.Score
		current := 0
		if prev != nil {
			current = prev.Version
		}
		if current != expected {
			return Refuse(Conflict, "あなたの採点は更新されています（現在の版 %d、編集した版 %d）。再読み込みしてください", "your score is at version %d, not %d; reload it", current, expected)
		}
		comment := strings.TrimSpace(in.Comment)
		locked := false
		if prev != nil && prev.Status == ScoreSubmitted && prev.ReopenedAt == nil {
			m, _, err := tx.PanelMember(ctx, ref, actor.UserID)
			if err != nil {
				return err
			}
			locked = lockedFor(st, *prev, m.Role)
		}
		if locked {
			if in.Submit && maps.Equal(prev.Values, values) && prev.Comment == comment {
				sc = *prev // the same submission again: nothing changes
				return nil
			}
			return errScoreLocked()
		}
		sc = Score{Stage: ref, NominationID: nominationID, UserID: actor.UserID, Values: values, Comment: comment,
			Status: ScoreDraft, Version: current + 1, UpdatedAt: now}
		if prev != nil && prev.Status == ScoreSubmitted {
			sc.Status, sc.SubmittedAt = ScoreSubmitted, prev.SubmittedAt
			if !in.Submit {
				return &Error{Code: IllegalTransition, Message: "a submitted score cannot return to draft", Problems: []Problem{
					problem("submit", "already_submitted", "提出済みの採点は下書きに戻せません。修正して再提出してください", "a submitted score stays submitted; resubmit your changes")}}
			}
		}
		if in.Submit {
			if ps := missingRequired(j, values); len(ps) > 0 {
				return &Error{Code: Invalid, Message: "required criteria missing", Problems: ps}
			}
			if sc.SubmittedAt == nil {
				sc.SubmittedAt = &now
			}
			sc.Status = ScoreSubmitted
		}
		return tx.SaveScore(ctx, &sc, expected, scoreEvent(prev, sc, actor.ID, now))
	})
	return sc, withOp("workflow.SaveScore", err)
}

// scoreLocked reports whether a judge may no longer change its score: it
// was submitted and not reopened, and the judge may have seen other
// judges' scores since (score visibility after_submit or always, or the
// judge is the chair, who sees every score). Under visibility never a
// judge corrects its own submitted score; the correction is recorded.
func scoreLocked(d *stageData, prev Score) bool {
	m, _ := d.member(prev.UserID)
	return lockedFor(d.stage, prev, m.Role)
}

// lockedFor is scoreLocked's rule, given the role on the panel of the
// score's judge ("" when it is not on the panel).
func lockedFor(st *Stage, prev Score, memberRole Role) bool {
	if prev.Status != ScoreSubmitted || prev.ReopenedAt != nil {
		return false
	}
	if st.Judging.ScoreVisibility != VisibleNever {
		return true
	}
	return memberRole.ChairsPanel()
}

func errScoreLocked() *Error {
	e := Refuse(IllegalTransition, "提出済みの採点は、他の審査員の採点を閲覧できるため変更できません。委員長または事務局に再開を依頼してください",
		"a submitted score cannot be changed once other judges' scores can be seen; ask the chair or the secretariat to reopen it")
	e.Problems = []Problem{problem("", "score_locked", "提出済みの採点は変更できません（再開が必要です）", "the submitted score is locked; it must be reopened")}
	return e
}

// scoreEvent records a save of sc over prev (nil for the first save): a
// change to a submitted score is a correction, with the score before it.
// A save after a reopening ends the reopening.
func scoreEvent(prev *Score, sc Score, actorID string, at time.Time) ScoreEvent {
	e := ScoreEvent{Stage: sc.Stage, NominationID: sc.NominationID, UserID: sc.UserID, ActorID: actorID, Kind: EventSave,
		Status: sc.Status, Values: sc.Values, Comment: sc.Comment, Version: sc.Version, At: at}
	if prev != nil {
		e.Before = &ScoreState{Status: prev.Status, Values: prev.Values, Comment: prev.Comment}
		if prev.Status == ScoreSubmitted {
			e.Kind, e.Reason = EventCorrection, prev.ReopenReason
		}
	}
	return e
}

// checkScore validates values against the rubric: known criteria, numbers
// (full-width digits allowed) in range and on step, and a comment without
// control characters. It returns canonical decimal text.
func checkScore(j *Judging, in ScoreInput) (map[string]string, []Problem) {
	var ps []Problem
	out := map[string]string{}
	keys := make([]string, 0, len(in.Values))
	for k := range in.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		path := "values." + k
		c, ok := j.Criterion(k)
		if !ok {
			ps = append(ps, problem(path, "unknown_criterion", "評価項目にありません", "is not a criterion of this rubric"))
			continue
		}
		raw := in.Values[k]
		if raw == nil {
			continue
		}
		text, ok := numberText(raw)
		if !ok || !decimalPattern.MatchString(text) {
			ps = append(ps, problem(path, "not_number", "数値で入力してください", "must be a number"))
			continue
		}
		r, _ := new(big.Rat).SetString(text)
		lo, hi, step := ratOf(c.Min), ratOf(c.Max), ratOf(c.Step)
		if r.Cmp(lo) < 0 || r.Cmp(hi) > 0 {
			ps = append(ps, problem(path, "out_of_range", fmt.Sprintf("%gから%gの範囲で入力してください", c.Min, c.Max),
				fmt.Sprintf("must be between %g and %g", c.Min, c.Max)))
			continue
		}
		steps := new(big.Rat).Quo(new(big.Rat).Sub(r, lo), step)
		if !steps.IsInt() {
			ps = append(ps, problem(path, "off_step", fmt.Sprintf("%g刻みで入力してください", c.Step), fmt.Sprintf("must be in steps of %g", c.Step)))
			continue
		}
		out[k] = canonicalDecimal(text)
	}
	comment := strings.TrimSpace(in.Comment)
	if utf8.RuneCountInString(comment) > maxComment {
		ps = append(ps, problem("comment", "too_long", "講評は4000文字以内で入力してください", "must be at most 4000 characters"))
	} else if p := textProblem("comment", comment, true); p != nil {
		ps = append(ps, *p)
	}
	return out, ps
}

func missingRequired(j *Judging, values map[string]string) []Problem {
	var ps []Problem
	for _, c := range j.Rubric {
		if _, ok := values[c.Key]; c.Required && !ok {
			ps = append(ps, problem("values."+c.Key, "required", "必須の評価項目です", "is required to submit"))
		}
	}
	return ps
}

// Recuse withdraws a judge from an assigned entry with a reason; the
// organisation becomes a conflict for that judge (source "recusal").
func (s *Service) Recuse(ctx context.Context, actor Actor, ref StageRef, nominationID int64, reason string) error {
	reason = strings.TrimSpace(reason)
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if _, _, _, err := s.stageOf(ctx, tx, actor, ref); err != nil {
			return err
		}
		n, err := judgedEntry(ctx, tx, ref, nominationID, actor.UserID)
		if err != nil {
			return err
		}
		if !underReview(n, ref.Stage) { // the stage's record stays as it is (tiesApply)
			return &Error{Code: IllegalTransition, Message: "the entry is no longer under review", Problems: []Problem{
				problem("", "decided", "この段階の判定は終了しているため、辞退できません", "this stage has been decided for the entry; it can no longer be recused from")}}
		}
		if p := reasonProblem("reason", reason, true); p != nil {
			return invalid("invalid recusal reason", []Problem{*p})
		}
		if err := tx.RecuseAssignment(ctx, ref, nominationID, actor.UserID, reason, now); err != nil {
			return err
		}
		prev, err := s.conflictWith(ctx, tx, actor.UserID, n.OrganisationID)
		if err != nil {
			return err
		}
		if prev == nil { // one conflict per judge and organisation
			if err := tx.InsertConflict(ctx, &DeclaredConflict{UserID: actor.UserID, OrganisationID: n.OrganisationID, Source: SourceRecusal,
				Reason: reason, CreatedBy: actor.ID, CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return withOp("workflow.Recuse", err)
}

// ReopenScore lets a judge change its submitted score once more, with a
// reason: the chair (not for its own score), the secretariat or an
// administrator. The reopening and the change that follows are recorded
// with the score before and after (ScoreHistory).
//
// Errors: NotFound (no such entry or score); Forbidden; Invalid (reason);
// IllegalTransition (not submitted, already reopened, or no longer under
// review).
func (s *Service) ReopenScore(ctx context.Context, actor Actor, ref StageRef, nominationID, userID int64, reason string) (Score, error) {
	var sc Score
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		switch {
		case !may(PermReopenScore, 0):
			return Refuse(Forbidden, "採点の再開は委員長・事務局が行います", "only the chair or the secretariat reopens a score")
		case userID == actor.UserID && !may(PermReopenOwnScore, 0):
			return Refuse(Forbidden, "自分の採点は再開できません。事務局に依頼してください", "the chair cannot reopen its own score; ask the secretariat")
		}
		if p := reasonProblem("reason", reason, true); p != nil {
			return invalid("invalid reason", []Problem{*p})
		}
		n, err := stageEntry(ctx, tx, ref, nominationID)
		if err != nil {
			return err
		}
		if !underReview(n, ref.Stage) {
			return Refuse(IllegalTransition, "応募 %d はこの段階の判定が終了しています", "entry %d is no longer under review at this stage", nominationID)
		}
		found, err := tx.Score(ctx, ref, nominationID, userID)
		if err != nil {
			return err
		}
		if found == nil {
			return Refuse(NotFound, "審査員 %d の応募 %d への採点はありません", "judge %d has no score for entry %d", userID, nominationID)
		}
		prev := *found
		switch {
		case prev.Status != ScoreSubmitted:
			return Refuse(IllegalTransition, "この採点は提出されていません（下書きは審査員が変更できます）", "the score is not submitted (its judge may change a draft)")
		case prev.ReopenedAt != nil:
			return Refuse(IllegalTransition, "この採点はすでに再開されています", "the score is already reopened")
		}
		sc = prev
		sc.Version, sc.UpdatedAt = prev.Version+1, now
		sc.ReopenedAt, sc.ReopenedBy, sc.ReopenReason = &now, actor.ID, strings.TrimSpace(reason)
		return tx.SaveScore(ctx, &sc, prev.Version, ScoreEvent{Stage: ref, NominationID: nominationID, UserID: userID, ActorID: actor.ID, Kind: EventReopen,
			Reason: sc.ReopenReason, Status: sc.Status, Values: sc.Values, Comment: sc.Comment, Version: sc.Version, At: now,
			Before: &ScoreState{Status: prev.Status, Values: prev.Values, Comment: prev.Comment}})
	})
	return sc, withOp("workflow.ReopenScore", err)
}
