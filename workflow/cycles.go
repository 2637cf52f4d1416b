package workflow

import (
	"context"
	"fmt"
	"time"
)

// LoadResult reports what loading a cycle did (or, on a dry run, would do).
type LoadResult struct {
	Key      string
	Version  int  // the version now current
	Created  bool // a new version was (or would be) stored
	Previous int  // the version before, 0 if none
}

// LoadCycle validates a cycle and stores it as a new version unless it
// equals the newest stored version. Nominations keep the version they were
// submitted against; drafts follow the new one, so their eligibility is
// recomputed under its rules in the same transaction. Only administrators
// load cycles.
//
// Errors: Forbidden; Invalid with every problem; Conflict if another load
// stored the same version number first.
func (s *Service) LoadCycle(ctx context.Context, actor Actor, c Cycle, dryRun bool) (LoadResult, error) {
	const op = "workflow.LoadCycle"
	if !actor.IsAdmin() {
		return LoadResult{}, &Error{Op: op, Code: Forbidden, Message: "only administrators load cycles", Ja: "年度の設定を読み込めるのは管理者だけです"}
	}
	canonicalTimes(&c)
	if err := invalid("invalid cycle", c.Check()); err != nil {
		return LoadResult{}, withOp(op, err)
	}
	hash := CycleHash(&c)
	var res LoadResult
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		res = LoadResult{Key: c.Key}
		latest, err := tx.LatestCycle(ctx, c.Key)
		switch {
		case ErrorCode(err) == NotFound:
		case err != nil:
			return err
		default:
			res.Previous, res.Version = latest.Version, latest.Version
			if latest.Hash == hash {
				return nil
			}
			if err := invalid("invalid cycle", ministryChanges(&latest.Cycle, &c)); err != nil {
				return err
			}
		}
		res.Created = true
		res.Version = res.Previous + 1
		if dryRun {
			return nil
		}
		cv := &CycleVersion{Key: c.Key, Version: res.Version, Hash: hash, Cycle: c, LoadedAt: now, LoadedBy: actor.ID}
		if err := tx.InsertCycleVersion(ctx, cv); err != nil || res.Previous == 0 { // a first version has no nominations yet
			return err
		}
		return s.reevaluateDrafts(ctx, tx, cv, now)
	})
	return res, withOp(op, err)
}

// ministryChanges refuses to move a programme to another ministry between
// versions: a programme's ministry is its authorization domain, recorded on
// every nomination.
func ministryChanges(old, c *Cycle) []Problem {
	var ps []Problem
	for i, p := range c.Programmes {
		if prev, ok := old.Programme(p.Key); ok && prev.Ministry != p.Ministry {
			ps = append(ps, Problem{Path: fmt.Sprintf("programmes[%d].ministry", i), Code: "immutable",
				Message: Text{Ja: fmt.Sprintf("読み込み済みの部門の所管は %s から %s に変更できません", prev.Ministry, p.Ministry),
					En: fmt.Sprintf("cannot change from %s to %s once loaded", prev.Ministry, p.Ministry)}})
		}
	}
	return ps
}

// canonicalTimes stores instants in UTC so that the same file always
// hashes the same, whatever offset it was written with.
func canonicalTimes(c *Cycle) {
	for i := range c.Programmes {
		w := &c.Programmes[i].Call
		w.Opens, w.Closes = w.Opens.UTC(), w.Closes.UTC()
	}
}

// Cycle returns the newest version of a cycle.
func (s *Service) Cycle(ctx context.Context, key string) (CycleVersion, error) {
	var v CycleVersion
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		var err error
		if v, err = tx.LatestCycle(ctx, key); err != nil {
			return err
		}
		v.Cycle, err = s.effectiveCycle(ctx, tx, v.Cycle) // the windows in force, not only the file's
		return err
	})
	return v, withOp("workflow.Cycle", err)
}

// CycleKeys lists the stored cycles.
func (s *Service) CycleKeys(ctx context.Context) ([]string, error) {
	var keys []string
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		var err error
		keys, err = tx.CycleKeys(ctx)
		return err
	})
	return keys, withOp("workflow.CycleKeys", err)
}
