package db

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect"

	"github.com/awardflow/awardflow/workflow"
)

// The audit log (workflow/audit.go) is written here, not by the service:
// AppendHistory, SaveScore (for its score event) and InsertAnswerEdit queue
// an entry for each row they store (with the row's id), and InTx inserts the
// queue into audit_pending, unsealed, with each entry's content hash, as the
// last statement before COMMIT. (On PostgreSQL, SaveScore writes the entry
// in its own statement instead when the event's id was taken beforehand:
// see JudgeScoreReads.) So no writer can forget its entry, and no writer
// locks anything shared: the chain is built off the write path by SealAudit,
// which moves committed entries into audit_log in id order under the
// programme's head row lock (SKIP LOCKED, so several sealers split the
// programmes between them instead of queueing).

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

type pendingRow struct {
	bun.BaseModel `bun:"table:audit_pending"`
	ID            int64 `bun:"id,pk,autoincrement"`
	CycleKey      string
	ProgrammeKey  string
	Kind          string
	NominationID  int64
	RefID         int64
	Payload       string
	At            time.Time
	ContentHash   string
}

func (r pendingRow) entry() workflow.AuditEntry {
	return workflow.AuditEntry{ID: r.ID, Cycle: r.CycleKey, Programme: r.ProgrammeKey, Hash: r.ContentHash, Kind: r.Kind,
		NominationID: r.NominationID, RefID: r.RefID, Payload: r.Payload, At: r.At.UTC()}
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

// flushAudit inserts the queued entries unsealed, with their programmes and
// content hashes, in one statement; it locks nothing another writer needs.
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
	rows := make([]pendingRow, len(q.pending))
	for i, e := range q.pending {
		if e.Cycle == "" {
			k, ok := q.programmes[e.NominationID]
			if !ok {
				return fmt.Errorf("audit: nomination %d has no programme", e.NominationID)
			}
			e.Cycle, e.Programme = k[0], k[1]
		}
		rows[i] = pendingOf(e)
	}
	q.pending = nil
	_, err := t.db.NewInsert().Model(&rows).Exec(ctx)
	return translate(err, "audit entry")
}

// pendingOf is the unsealed row of an entry whose programme is known.
func pendingOf(e workflow.AuditEntry) pendingRow {
	e.At = e.At.UTC()
	return pendingRow{CycleKey: e.Cycle, ProgrammeKey: e.Programme, Kind: e.Kind, NominationID: e.NominationID,
		RefID: e.RefID, Payload: e.Payload, At: e.At, ContentHash: workflow.AuditContentHash(e)}
}

// sealBatch bounds one sealing transaction; a programme with more unsealed
// entries is sealed in several.
const sealBatch = 1000

// SealAudit chains the committed unsealed entries of every programme, in id
// order, and returns how many it sealed. Per programme it is one
// transaction: lock the head row (on PostgreSQL FOR UPDATE SKIP LOCKED, so a
// programme another sealer holds is skipped, not waited for; SQLite has one
// writer), read the unsealed entries, check each one's content hash, insert
// them into audit_log with seq, prev_hash and hash, delete them from
// audit_pending and move the head. A crash rolls all of it back. An entry
// whose content hash does not match is not sealed (nor anything after it in
// that programme): it stays for audit verify to name, and SealAudit reports
// the error after sealing the other programmes.
func (s *Store) SealAudit(ctx context.Context) (int, error) {
	var keys []struct {
		CycleKey     string
		ProgrammeKey string
	}
	if err := s.db.Bun.NewRaw(`SELECT DISTINCT cycle_key, programme_key FROM audit_pending ORDER BY 1, 2`).Scan(ctx, &keys); err != nil {
		return 0, translate(err, "audit log")
	}
	sealed := 0
	var errs []error
	for _, k := range keys {
		for {
			n, err := s.sealProgramme(ctx, k.CycleKey, k.ProgrammeKey)
			sealed += n
			if err != nil {
				errs = append(errs, err)
			}
			if err != nil || n < sealBatch {
				break
			}
		}
	}
	return sealed, errors.Join(errs...)
}

func (s *Store) sealProgramme(ctx context.Context, cycle, programme string) (int, error) {
	sealed := 0
	var bad error // an entry that fails its content hash: what precedes it is sealed, and the error reported
	err := s.db.Bun.RunInTx(ctx, nil, func(ctx context.Context, btx bun.Tx) error {
		sealed, bad = 0, nil
		if _, err := btx.NewRaw(`INSERT INTO audit_heads (cycle_key, programme_key, seq, hash) VALUES (?, ?, 0, '')
			ON CONFLICT (cycle_key, programme_key) DO NOTHING`, cycle, programme).Exec(ctx); err != nil {
			return translate(err, "audit head")
		}
		q := btx.NewSelect().Table("audit_heads").Column("seq", "hash").Where("cycle_key = ? AND programme_key = ?", cycle, programme)
		if btx.Dialect().Name() == dialect.PG {
			q = q.For("UPDATE SKIP LOCKED")
		}
		var heads []workflow.AuditHead
		if err := q.Scan(ctx, &heads); err != nil {
			return translate(err, "audit head")
		}
		if len(heads) == 0 {
			return nil // another sealer holds it
		}
		var ps []pendingRow
		if err := btx.NewSelect().Model(&ps).Where("cycle_key = ? AND programme_key = ?", cycle, programme).
			Order("id").Limit(sealBatch).Scan(ctx); err != nil {
			return translate(err, "audit log")
		}
		es := make([]workflow.AuditEntry, 0, len(ps))
		for _, p := range ps {
			e := p.entry()
			if workflow.AuditContentHash(e) != e.Hash {
				bad = fmt.Errorf("audit: unsealed entry %d (%s %d) of %s/%s does not match its content hash; not sealed", e.ID, e.Kind, e.RefID, cycle, programme)
				break
			}
			es = append(es, e)
		}
		if len(es) == 0 {
			return nil
		}
		next := workflow.Chain(heads[0], es)
		rows := make([]auditRow, len(es))
		ids := make([]int64, len(es))
		for i, e := range es {
			rows[i] = auditRow{CycleKey: cycle, ProgrammeKey: programme, Seq: e.Seq, PrevHash: e.PrevHash, Hash: e.Hash, Kind: e.Kind,
				NominationID: e.NominationID, RefID: e.RefID, Payload: e.Payload, At: e.At}
			ids[i] = e.ID
		}
		if _, err := btx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return translate(err, "audit entry")
		}
		if _, err := btx.NewDelete().Table("audit_pending").Where("id IN (?)", bun.List(ids)).Exec(ctx); err != nil {
			return translate(err, "audit entry")
		}
		if _, err := btx.NewUpdate().Table("audit_heads").Set("seq = ?", next.Seq).Set("hash = ?", next.Hash).
			Where("cycle_key = ? AND programme_key = ?", cycle, programme).Exec(ctx); err != nil {
			return translate(err, "audit head")
		}
		sealed = len(es)
		return nil
	})
	if err != nil {
		return 0, err
	}
	if bad != nil {
		return sealed, bad
	}
	return sealed, nil
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
		UNION SELECT DISTINCT cycle_key, programme_key FROM audit_pending
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

// AuditSnapshot makes the transaction read one snapshot (PostgreSQL:
// REPEATABLE READ, READ ONLY; it must be the transaction's first
// statement). Under read committed each read sees the commits before it, so
// a write or a sealing committed between two reads of a verification would
// show as a row without an entry or an entry read twice or not at all.
// SQLite's transactions are serialised already.
func (t *tx) AuditSnapshot(ctx context.Context) error {
	if t.db.Dialect().Name() != dialect.PG {
		return nil
	}
	_, err := t.db.ExecContext(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
	return translate(err, "audit log")
}

func (t *tx) AuditChain(ctx context.Context, cycle, programme string) (workflow.AuditChain, error) {
	ch := workflow.AuditChain{Cycle: cycle, Programme: programme}
	var heads []workflow.AuditHead
	if err := t.db.NewSelect().Table("audit_heads").Column("seq", "hash").
		Where("cycle_key = ? AND programme_key = ?", cycle, programme).Scan(ctx, &heads); err != nil {
		return ch, translate(err, "audit head")
	}
	if len(heads) > 0 {
		ch.Head = &heads[0]
	}
	var rows []auditRow
	if err := t.db.NewSelect().Model(&rows).Where("cycle_key = ? AND programme_key = ?", cycle, programme).Order("seq").Scan(ctx); err != nil {
		return ch, translate(err, "audit log")
	}
	for _, r := range rows {
		ch.Entries = append(ch.Entries, workflow.AuditEntry{Cycle: r.CycleKey, Programme: r.ProgrammeKey, Seq: r.Seq, PrevHash: r.PrevHash,
			Hash: r.Hash, Kind: r.Kind, NominationID: r.NominationID, RefID: r.RefID, Payload: r.Payload, At: r.At.UTC()})
	}
	var ps []pendingRow
	if err := t.db.NewSelect().Model(&ps).Where("cycle_key = ? AND programme_key = ?", cycle, programme).Order("id").Scan(ctx); err != nil {
		return ch, translate(err, "audit log")
	}
	for _, p := range ps {
		ch.Unsealed = append(ch.Unsealed, p.entry())
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
