package db

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/awardflow/awardflow/workflow"
)

// The audit log (workflow/audit.go) is written here, not by the service:
// AppendHistory, InsertScoreEvent and InsertAnswerEdit queue an entry for
// each row they store (with the row's id), and InTx appends the queue to the
// programmes' chains as the last statements before COMMIT. So no writer can
// forget its entry, and the chain's head row is locked only from the append
// to the commit (one upsert, one insert, one update), not from a
// transaction's first write: score saves of one programme are not
// serialised behind each other's reads and checks.

type auditRow struct {
	bun.BaseModel `bun:"table:audit_log"`
	ID            int64 `bun:"id,pk,autoincrement"`
	CycleKey      string
	ProgrammeKey  string
	Seq           int64
	PrevHash      string
	Hash          string
	Kind          string
	NominationID  int64
	RefID         int64
	Payload       string
	At            time.Time
}

type answerEditRow struct {
	bun.BaseModel    `bun:"table:answer_edits"`
	ID               int64 `bun:"id,pk,autoincrement"`
	NominationID     int64
	Version          int
	ApplicantVersion int
	ActorID          string
	ActorName        string
	Role             string
	Changes          string
	At               time.Time
}

type answerChangeJSON struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// auditQueue holds a transaction's entries until InTx appends them.
type auditQueue struct {
	programmes map[int64][2]string // nomination id → cycle and programme, from this transaction's writes
	pending    []workflow.AuditEntry
}

// noteProgramme remembers a written nomination's programme, so that its
// history entries need no lookup.
func (t *tx) noteProgramme(id int64, cycle, programme string) {
	if t.audit == nil {
		return
	}
	if t.audit.programmes == nil {
		t.audit.programmes = map[int64][2]string{}
	}
	t.audit.programmes[id] = [2]string{cycle, programme}
}

func (t *tx) queueAudit(e workflow.AuditEntry) {
	if t.audit != nil {
		t.audit.pending = append(t.audit.pending, e)
	}
}

// flushAudit appends the queued entries to their programmes' chains, in
// programme order (so two transactions lock heads in the same order).
func (t *tx) flushAudit(ctx context.Context) error {
	if t.audit == nil || len(t.audit.pending) == 0 {
		return nil
	}
	q := t.audit
	var unknown []int64
	for _, e := range q.pending {
		if e.Cycle == "" {
			if _, ok := q.programmes[e.NominationID]; !ok && !slices.Contains(unknown, e.NominationID) {
				unknown = append(unknown, e.NominationID)
			}
		}
	}
	if len(unknown) > 0 {
		var rows []struct {
			ID           int64
			CycleKey     string
			ProgrammeKey string
		}
		if err := t.db.NewSelect().Table("nominations").Column("id", "cycle_key", "programme_key").
			Where("id IN (?)", bun.List(unknown)).Scan(ctx, &rows); err != nil {
			return translate(err, "nominations")
		}
		for _, r := range rows {
			t.noteProgramme(r.ID, r.CycleKey, r.ProgrammeKey)
		}
	}
	groups := map[[2]string][]workflow.AuditEntry{}
	var keys [][2]string
	for _, e := range q.pending {
		if e.Cycle == "" {
			k, ok := q.programmes[e.NominationID]
			if !ok {
				return fmt.Errorf("audit: nomination %d has no programme", e.NominationID)
			}
			e.Cycle, e.Programme = k[0], k[1]
		}
		k := [2]string{e.Cycle, e.Programme}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], e)
	}
	q.pending = nil
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := compareStrings(a[0], b[0]); c != 0 {
			return c
		}
		return compareStrings(a[1], b[1])
	})
	for _, k := range keys {
		if err := t.appendChain(ctx, k[0], k[1], groups[k]); err != nil {
			return err
		}
	}
	return nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// appendChain locks a programme's head (the upsert takes the row lock on
// PostgreSQL, like SELECT … FOR UPDATE, in one round trip; SQLite has one
// writer already), links es after it, inserts them and moves the head.
func (t *tx) appendChain(ctx context.Context, cycle, programme string, es []workflow.AuditEntry) error {
	var head workflow.AuditHead
	err := t.db.NewRaw(`INSERT INTO audit_heads (cycle_key, programme_key, seq, hash) VALUES (?, ?, 0, '')
		ON CONFLICT (cycle_key, programme_key) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash`, cycle, programme).
		Scan(ctx, &head.Seq, &head.Hash)
	if err != nil {
		return translate(err, "audit head")
	}
	next := workflow.Chain(head, es)
	rows := make([]auditRow, len(es))
	for i, e := range es {
		rows[i] = auditRow{CycleKey: cycle, ProgrammeKey: programme, Seq: e.Seq, PrevHash: e.PrevHash, Hash: e.Hash, Kind: e.Kind,
			NominationID: e.NominationID, RefID: e.RefID, Payload: e.Payload, At: e.At.UTC()}
	}
	ins := t.db.NewInsert().Model(&rows)
	head2 := t.db.NewUpdate().Table("audit_heads").Set("seq = ?", next.Seq).Set("hash = ?", next.Hash).
		Where("cycle_key = ? AND programme_key = ?", cycle, programme)
	if t.db.Dialect().Name() == dialect.PG { // one round trip: the insert as a data-modifying CTE of the head's update
		_, err = head2.With("entries", ins).Exec(ctx)
		return translate(err, "audit entry")
	}
	if _, err := ins.Exec(ctx); err != nil {
		return translate(err, "audit entry")
	}
	_, err = head2.Exec(ctx)
	return translate(err, "audit head")
}

func toHistoryEntry(r historyRow) workflow.HistoryEntry {
	return workflow.HistoryEntry{
		ID: r.ID, NominationID: r.NominationID, Version: r.Version, ApplicantVersion: r.ApplicantVer, ActorID: r.ActorID, ActorName: r.ActorName,
		Role: workflow.Role(r.Role), Action: workflow.Action(r.Action), From: workflow.State(r.FromState),
		To: workflow.State(r.ToState), Stage: r.Stage, Tier: r.Tier, Award: r.Award, Reason: r.Reason,
		Due: utcPtr(r.Due), At: r.At.UTC(),
	}
}

// historyAudit is the entry of a stored history row.
func historyAudit(r historyRow) workflow.AuditEntry {
	return workflow.AuditEntry{Kind: workflow.AuditHistory, NominationID: r.NominationID, RefID: r.ID,
		Payload: workflow.HistoryPayload(toHistoryEntry(r)), At: r.At}
}

func toScoreEvent(r scoreEventRow) (workflow.ScoreEvent, error) {
	e := workflow.ScoreEvent{Stage: workflow.StageRef{Cycle: r.CycleKey, Programme: r.ProgrammeKey, Stage: r.StageKey},
		NominationID: r.NominationID, UserID: r.UserID, ActorID: r.ActorID, Kind: r.Kind, Reason: r.Reason,
		Status: r.Status, Comment: r.Comment, Version: r.Version, At: r.At.UTC()}
	if err := json.Unmarshal([]byte(r.Vals), &e.Values); err != nil {
		return e, fmt.Errorf("score event values: %w", err)
	}
	if r.BeforeStatus != "" {
		e.Before = &workflow.ScoreState{Status: r.BeforeStatus, Comment: r.BeforeComment}
		if err := json.Unmarshal([]byte(r.BeforeVals), &e.Before.Values); err != nil {
			return e, fmt.Errorf("score event values before: %w", err)
		}
	}
	return e, nil
}

// scoreEventAudit is the entry of a stored score event.
func scoreEventAudit(r scoreEventRow) (workflow.AuditEntry, error) {
	e, err := toScoreEvent(r)
	if err != nil {
		return workflow.AuditEntry{}, err
	}
	return workflow.AuditEntry{Cycle: r.CycleKey, Programme: r.ProgrammeKey, Kind: workflow.AuditScoreEvent,
		NominationID: r.NominationID, RefID: r.ID, Payload: workflow.ScoreEventPayload(e), At: r.At}, nil
}

func toAnswerEdit(r answerEditRow) (workflow.AnswerEdit, error) {
	e := workflow.AnswerEdit{ID: r.ID, NominationID: r.NominationID, Version: r.Version, ApplicantVersion: r.ApplicantVersion,
		ActorID: r.ActorID, ActorName: r.ActorName, Role: workflow.Role(r.Role), At: r.At.UTC()}
	var cs []answerChangeJSON
	if err := json.Unmarshal([]byte(r.Changes), &cs); err != nil {
		return e, fmt.Errorf("answer edit %d: %w", r.ID, err)
	}
	for _, c := range cs {
		e.Changes = append(e.Changes, workflow.AnswerChange{Field: c.Field, Before: c.Before, After: c.After})
	}
	return e, nil
}

func answerEditAudit(r answerEditRow) (workflow.AuditEntry, error) {
	e, err := toAnswerEdit(r)
	if err != nil {
		return workflow.AuditEntry{}, err
	}
	return workflow.AuditEntry{Kind: workflow.AuditAnswerEdit, NominationID: r.NominationID, RefID: r.ID,
		Payload: workflow.AnswerEditPayload(e), At: r.At}, nil
}

func (t *tx) InsertAnswerEdit(ctx context.Context, e *workflow.AnswerEdit) error {
	cs := make([]answerChangeJSON, len(e.Changes))
	for i, c := range e.Changes {
		cs[i] = answerChangeJSON{Field: c.Field, Before: c.Before, After: c.After}
	}
	changes, err := json.Marshal(cs)
	if err != nil {
		return fmt.Errorf("encode answer changes: %w", err)
	}
	r := answerEditRow{NominationID: e.NominationID, Version: e.Version, ApplicantVersion: e.ApplicantVersion, ActorID: e.ActorID,
		ActorName: e.ActorName, Role: string(e.Role), Changes: string(changes), At: e.At.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, "answer edit")
	}
	e.ID = r.ID
	a, err := answerEditAudit(r) // the payload of the row as stored, as verify reads it
	if err != nil {
		return err
	}
	t.queueAudit(a)
	return nil
}

func (t *tx) AnswerEdits(ctx context.Context, nominationID int64) ([]workflow.AnswerEdit, error) {
	var rows []answerEditRow
	if err := t.db.NewSelect().Model(&rows).Where("nomination_id = ?", nominationID).Order("id").Scan(ctx); err != nil {
		return nil, translate(err, "answer edits")
	}
	out := make([]workflow.AnswerEdit, len(rows))
	for i, r := range rows {
		e, err := toAnswerEdit(r)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

func (t *tx) AuditProgrammes(ctx context.Context) ([][2]string, error) {
	var rows []struct {
		CycleKey     string
		ProgrammeKey string
	}
	err := t.db.NewRaw(`SELECT cycle_key, programme_key FROM audit_heads
		UNION SELECT DISTINCT cycle_key, programme_key FROM nominations ORDER BY 1, 2`).Scan(ctx, &rows)
	if err != nil {
		return nil, translate(err, "audit log")
	}
	out := make([][2]string, len(rows))
	for i, r := range rows {
		out[i] = [2]string{r.CycleKey, r.ProgrammeKey}
	}
	return out, nil
}

func (t *tx) AuditChain(ctx context.Context, cycle, programme string) (workflow.AuditChain, error) {
	ch := workflow.AuditChain{Cycle: cycle, Programme: programme}
	var rows []auditRow
	if err := t.db.NewSelect().Model(&rows).Where("cycle_key = ? AND programme_key = ?", cycle, programme).Order("seq").Scan(ctx); err != nil {
		return ch, translate(err, "audit log")
	}
	for _, r := range rows {
		ch.Entries = append(ch.Entries, workflow.AuditEntry{Cycle: r.CycleKey, Programme: r.ProgrammeKey, Seq: r.Seq, PrevHash: r.PrevHash,
			Hash: r.Hash, Kind: r.Kind, NominationID: r.NominationID, RefID: r.RefID, Payload: r.Payload, At: r.At.UTC()})
	}
	var heads []workflow.AuditHead
	if err := t.db.NewSelect().Table("audit_heads").Column("seq", "hash").
		Where("cycle_key = ? AND programme_key = ?", cycle, programme).Scan(ctx, &heads); err != nil {
		return ch, translate(err, "audit head")
	}
	if len(heads) > 0 {
		ch.Head = &heads[0]
	}
	var start []struct {
		HistoryAfter     int64
		ScoreEventsAfter int64
	}
	if err := t.db.NewSelect().Table("audit_start").Column("history_after", "score_events_after").Scan(ctx, &start); err != nil {
		return ch, translate(err, "audit log")
	}
	var historyAfter, eventsAfter int64
	if len(start) > 0 {
		historyAfter, eventsAfter = start[0].HistoryAfter, start[0].ScoreEventsAfter
	}
	ofProgramme := "nomination_id IN (SELECT id FROM nominations WHERE cycle_key = ? AND programme_key = ?)"
	var hs []historyRow
	if err := t.db.NewSelect().Model(&hs).Where(ofProgramme, cycle, programme).Where("id > ?", historyAfter).Order("id").Scan(ctx); err != nil {
		return ch, translate(err, "history")
	}
	for _, r := range hs {
		e := historyAudit(r)
		ch.Sources = append(ch.Sources, workflow.AuditSource{Kind: e.Kind, RefID: e.RefID, NominationID: e.NominationID, Payload: e.Payload})
	}
	var ses []scoreEventRow
	if err := t.db.NewSelect().Model(&ses).Where("cycle_key = ? AND programme_key = ?", cycle, programme).Where("id > ?", eventsAfter).
		Order("id").Scan(ctx); err != nil {
		return ch, translate(err, "score events")
	}
	for _, r := range ses {
		e, err := scoreEventAudit(r)
		if err != nil {
			return ch, err
		}
		ch.Sources = append(ch.Sources, workflow.AuditSource{Kind: e.Kind, RefID: e.RefID, NominationID: e.NominationID, Payload: e.Payload})
	}
	var aes []answerEditRow
	if err := t.db.NewSelect().Model(&aes).Where(ofProgramme, cycle, programme).Order("id").Scan(ctx); err != nil {
		return ch, translate(err, "answer edits")
	}
	for _, r := range aes {
		e, err := answerEditAudit(r)
		if err != nil {
			return ch, err
		}
		ch.Sources = append(ch.Sources, workflow.AuditSource{Kind: e.Kind, RefID: e.RefID, NominationID: e.NominationID, Payload: e.Payload})
	}
	return ch, nil
}
