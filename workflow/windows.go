package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// WindowChange is one recorded change of a programme's call window
// (Stage "") or of a stage's judging window: a secretariat extending a
// deadline (締切延長) or reopening judging without reloading the cycle
// file. Changes are a log per window; the newest (highest Seq) wins over
// the cycle file wherever a window is read, in every version of the cycle
// with the same key, so a change survives reloads.
type WindowChange struct {
	ID        int64
	Cycle     string
	Programme string
	Stage     string // "" for the call
	Seq       int    // 1, 2, … per window; unique, so concurrent changes have one winner
	Window    Window // the window from now on
	Previous  Window // the effective window it replaced
	Reason    string
	ActorID   string
	ActorName string
	At        time.Time
}

// WindowsTx is the storage of window changes.
type WindowsTx interface {
	// WindowChanges lists a cycle's window changes (of one programme
	// unless programme is ""), oldest first.
	WindowChanges(ctx context.Context, cycle, programme string) ([]WindowChange, error)
	// InsertWindowChange stores a change; Conflict if its Seq exists.
	InsertWindowChange(ctx context.Context, ch *WindowChange) error
}

// EffectiveWindows is the one rule for which windows are in force: it
// returns p with its call window and each judged stage's window replaced
// by the newest change recorded for it (changes of other programmes are
// ignored). p itself, which may be a shared immutable cycle version, is
// never modified; without changes it is returned as it is.
func EffectiveWindows(p *Programme, changes []WindowChange) *Programme {
	var out *Programme
	seq := map[string]int{}
	for _, ch := range changes {
		if ch.Programme != p.Key || ch.Seq < seq[ch.Stage] {
			continue
		}
		seq[ch.Stage] = ch.Seq
		if out == nil {
			cp := *p
			cp.Stages = append([]Stage(nil), p.Stages...)
			out = &cp
		}
		if ch.Stage == "" {
			out.Call = ch.Window
			continue
		}
		for i := range out.Stages {
			if st := &out.Stages[i]; st.Key == ch.Stage && st.Judging != nil {
				j := *st.Judging
				j.Window = ch.Window
				st.Judging = &j
			}
		}
	}
	if out == nil {
		return p
	}
	return out
}

// effective returns p as in force now in cycle, with window changes applied.
func (s *Service) effective(ctx context.Context, tx Tx, cycle string, p *Programme) (*Programme, error) {
	chs, err := tx.WindowChanges(ctx, cycle, p.Key)
	if err != nil {
		return nil, err
	}
	return EffectiveWindows(p, chs), nil
}

// effectiveCycle returns c with every programme's windows in force now.
func (s *Service) effectiveCycle(ctx context.Context, tx Tx, c Cycle) (Cycle, error) {
	chs, err := tx.WindowChanges(ctx, c.Key, "")
	if err != nil || len(chs) == 0 {
		return c, err
	}
	ps := make([]Programme, len(c.Programmes))
	for i := range c.Programmes {
		ps[i] = *EffectiveWindows(&c.Programmes[i], chs)
	}
	c.Programmes = ps
	return c, nil
}

// WindowRef names a window: a programme's call (Stage "") or a stage's judging.
type WindowRef struct {
	Cycle, Programme, Stage string
}

// WindowInput is a requested change: Opens is kept as it is when nil.
type WindowInput struct {
	Opens  *time.Time
	Closes time.Time
	Reason string
	// Expected, when not 0, is the window's version the caller saw (1 as
	// in the cycle file, then 1 + its number of changes): Conflict if it
	// has changed since.
	Expected int
}

// SetWindow extends, shortens or reopens a call or judging window and
// records the change with its reason. The new close may be now or later,
// never in the past; a call must still close within its fiscal year.
// The programme's ministry secretariat and administrators only.
//
// Errors: NotFound (cycle, programme, stage, or another ministry's);
// Forbidden for judges, chairs and applicants; Invalid with every problem;
// Conflict if another change of the same window was recorded at the same
// time (one of them wins).
func (s *Service) SetWindow(ctx context.Context, actor Actor, ref WindowRef, in WindowInput) (WindowChange, error) {
	const op = "workflow.SetWindow"
	var ch WindowChange
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		cv, err := tx.LatestCycle(ctx, ref.Cycle)
		if err != nil {
			return err
		}
		file, ok := cv.Cycle.Programme(ref.Programme)
		if !ok {
			return Refuse(NotFound, "年度 %s に部門 %q はありません", "cycle %s has no programme %q", ref.Cycle, ref.Programme)
		}
		switch {
		case s.authz.Permits(actor, PermChangeWindows, file.Ministry, 0):
		case s.authz.Permits(actor, PermReadCycles, file.Ministry, 0): // a role in the ministry, but not its staff
			return Refuse(Forbidden, "期間を変更できるのは事務局だけです", "only the secretariat changes windows")
		default:
			return Refuse(NotFound, "年度 %s に部門 %q はありません", "cycle %s has no programme %q", ref.Cycle, ref.Programme)
		}
		chs, err := tx.WindowChanges(ctx, ref.Cycle, ref.Programme)
		if err != nil {
			return err
		}
		p := EffectiveWindows(file, chs)
		var cur Window
		if ref.Stage == "" {
			cur = p.Call
		} else {
			st, ok := p.Stage(ref.Stage)
			if !ok || st.Judging == nil {
				return Refuse(NotFound, "部門 %s に審査段階 %q はありません", "programme %s has no judged stage %q", ref.Programme, ref.Stage)
			}
			cur = st.Judging.Window
		}
		w := Window{Opens: cur.Opens, Closes: in.Closes.UTC()}
		if in.Opens != nil {
			w.Opens = in.Opens.UTC()
		}
		var ps []Problem
		if pr := reasonProblem("reason", in.Reason, true); pr != nil {
			ps = append(ps, *pr)
		}
		switch {
		case in.Closes.IsZero():
			ps = append(ps, problem("closes_at", "required", "締切日時を入力してください", "closes_at is required"))
		case w.Closes.Before(now.Truncate(time.Minute)):
			ps = append(ps, problem("closes_at", "in_past",
				fmt.Sprintf("締切を過去（%s %s）にはできません", Wareki(w.Closes), w.Closes.In(Tokyo).Format("15:04")),
				fmt.Sprintf("cannot close in the past (%s JST)", w.Closes.In(Tokyo).Format("2006-01-02 15:04"))))
		case !w.Closes.After(w.Opens):
			ps = append(ps, problem("closes_at", "before_opens", "締切は開始より後にしてください", "must be after opens_at"))
		}
		if ref.Stage == "" && !in.Closes.IsZero() {
			start := time.Date(cv.Cycle.FiscalYear, time.April, 1, 0, 0, 0, 0, Tokyo)
			if w.Closes.Before(start) || !w.Closes.Before(start.AddDate(1, 0, 0)) {
				ps = append(ps, problem("closes_at", "outside_fiscal_year",
					fmt.Sprintf("募集の締切は%d年度内（%d年4月1日〜%d年3月31日）にしてください", cv.Cycle.FiscalYear, cv.Cycle.FiscalYear, cv.Cycle.FiscalYear+1),
					fmt.Sprintf("a call must close in fiscal year %d (%d-04-01 to %d-03-31)", cv.Cycle.FiscalYear, cv.Cycle.FiscalYear, cv.Cycle.FiscalYear+1)))
			}
		}
		if err := invalid("invalid window", ps); err != nil {
			return err
		}
		seq := 0
		for _, c := range chs {
			if c.Stage == ref.Stage && c.Seq > seq {
				seq = c.Seq
			}
		}
		if in.Expected != 0 && in.Expected != seq+1 {
			return Refuse(Conflict, "この期間は他の人が変更しました（変更 %d 件目）。読み直してください",
				"the window was changed meanwhile (change %d); reload it", seq)
		}
		ch = WindowChange{Cycle: ref.Cycle, Programme: ref.Programme, Stage: ref.Stage, Seq: seq + 1, Window: w, Previous: cur,
			Reason: strings.TrimSpace(in.Reason), ActorID: actor.ID, ActorName: actor.Name, At: now}
		return tx.InsertWindowChange(ctx, &ch)
	})
	return ch, withOp(op, err)
}

// WindowLog is a programme's windows in force and how they came to be.
type WindowLog struct {
	Call     Window
	Stages   map[string]Window
	Versions map[string]int // "call" or a stage key → 1 + its number of changes (If-Match)
	Changes  []WindowChange // oldest first
}

// Windows returns a programme's effective windows and their change log;
// staff of the programme's ministry only (others: NotFound, or Forbidden
// for its judges, chairs and applicants).
func (s *Service) Windows(ctx context.Context, actor Actor, cycle, programme string) (WindowLog, error) {
	var out WindowLog
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		cv, err := tx.LatestCycle(ctx, cycle)
		if err != nil {
			return err
		}
		file, ok := cv.Cycle.Programme(programme)
		if !ok {
			return Refuse(NotFound, "年度 %s に部門 %q はありません", "cycle %s has no programme %q", cycle, programme)
		}
		switch {
		case s.authz.Permits(actor, PermReadWindows, file.Ministry, 0):
		case s.authz.Permits(actor, PermReadCycles, file.Ministry, 0): // a role in the ministry, but not its staff
			return Refuse(Forbidden, "期間の変更履歴は事務局だけが見られます", "only the secretariat sees window changes")
		default:
			return Refuse(NotFound, "年度 %s に部門 %q はありません", "cycle %s has no programme %q", cycle, programme)
		}
		if out.Changes, err = tx.WindowChanges(ctx, cycle, programme); err != nil {
			return err
		}
		p := EffectiveWindows(file, out.Changes)
		out.Call, out.Stages, out.Versions = p.Call, map[string]Window{}, map[string]int{"call": 1}
		for _, st := range p.Stages {
			if st.Judging != nil {
				out.Stages[st.Key], out.Versions[st.Key] = st.Judging.Window, 1
			}
		}
		for _, ch := range out.Changes {
			k := ch.Stage
			if k == "" {
				k = "call"
			}
			out.Versions[k] = max(out.Versions[k], ch.Seq+1)
		}
		if out.Changes == nil {
			out.Changes = []WindowChange{}
		}
		return nil
	})
	return out, withOp("workflow.Windows", err)
}

// ParseInstant reads a window time as people write it: RFC 3339 (seconds
// optional, "2026-12-20T17:00+09:00") or a local date-time in Japan
// ("2026-12-20T17:00").
func ParseInstant(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, s, Tokyo); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
