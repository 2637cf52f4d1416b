package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The audit log is one append-only, hash-chained log per programme of every
// nomination history row, score event and answer edit. The store inserts the
// entries of a transaction's writes unsealed, each with its content hash
// (AuditContentHash), so a change and its entry commit together without
// locking anything shared; a sealer then chains committed entries in order
// (Chain). Each sealed entry's hash covers its position (seq, prev_hash),
// what it refers to and the canonical payload below, never a Go struct's
// JSON, so renaming a field in code cannot change a stored hash.

// Audit entry kinds: which table the entry's RefID is a row of.
const (
	AuditHistory    = "history"     // nomination_history
	AuditScoreEvent = "score_event" // score_events
	AuditAnswerEdit = "answer_edit" // answer_edits
)

// AuditEntry is one entry of a programme's chain.
type AuditEntry struct {
	ID               int64 // the storage row of an unsealed entry (0 when sealed)
	Cycle, Programme string
	Seq              int64 // 1, 2, … per programme; 0 while unsealed
	PrevHash         string
	Hash             string // the chain hash; while unsealed, the content hash
	Kind             string
	NominationID     int64
	RefID            int64 // the id of the history row, score event or answer edit
	Payload          string
	At               time.Time
}

// AuditHead is a chain's newest entry as its head row records it.
type AuditHead struct {
	Seq  int64
	Hash string
}

// AuditSource is a stored row that must have an entry with this payload.
type AuditSource struct {
	Kind         string
	RefID        int64
	NominationID int64
	Payload      string
}

// AuditChain is everything needed to verify one programme's chain: its
// sealed entries in seq order, its head (nil if none), its unsealed entries
// in id order and the rows written since the chains started (the audit
// migration; older rows have no entries).
type AuditChain struct {
	Cycle, Programme string
	Entries          []AuditEntry
	Head             *AuditHead
	Unsealed         []AuditEntry
	Sources          []AuditSource
}

// AnswerChange is one answer changed by an edit; Before and After are the
// answers' JSON ("null" when absent).
type AnswerChange struct {
	Field  string
	Before json.RawMessage
	After  json.RawMessage
}

// AnswerEdit records one change of a nomination's answers.
type AnswerEdit struct {
	ID               int64
	NominationID     int64
	Version          int // the nomination's version after the edit
	ApplicantVersion int
	ActorID          string
	ActorName        string
	Role             Role
	Changes          []AnswerChange // by field
	At               time.Time
}

// AuditTx is the storage of the audit log. History rows, score events and
// answer edits get their entries from the store itself; these are the reads.
type AuditTx interface {
	// InsertAnswerEdit stores an answer edit (and queues its audit entry).
	InsertAnswerEdit(ctx context.Context, e *AnswerEdit) error
	// AnswerEdits lists a nomination's answer edits, oldest first.
	AnswerEdits(ctx context.Context, nominationID int64) ([]AnswerEdit, error)
	// AuditProgrammes lists the programmes (cycle, programme) that have a
	// chain or nominations, in order.
	AuditProgrammes(ctx context.Context) ([][2]string, error)
	// AuditChain reads one programme's chain and the rows it must cover.
	AuditChain(ctx context.Context, cycle, programme string) (AuditChain, error)
	// AuditSnapshot makes the rest of the transaction read one consistent
	// snapshot, so that writers and sealers committing meanwhile cannot make
	// a sound log look broken; called first in the transaction.
	AuditSnapshot(ctx context.Context) error
}

// canon builds a canonical encoding: one `name="value"` line per field, in
// the order written, values quoted with strconv.Quote (so newlines and
// quotes inside values cannot fake a field).
type canon struct{ b strings.Builder }

func (c *canon) field(name, value string) {
	c.b.WriteString(name)
	c.b.WriteByte('=')
	c.b.WriteString(strconv.Quote(value))
	c.b.WriteByte('\n')
}

func (c *canon) int(name string, v int64) { c.field(name, strconv.FormatInt(v, 10)) }

// canonTime is an instant in UTC to the microsecond (what PostgreSQL keeps).
func canonTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
}

func (c *canon) values(prefix string, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	c.int(prefix+".n", int64(len(keys)))
	for _, k := range keys {
		c.field(prefix+"."+k, m[k])
	}
}

// HistoryPayload is the canonical payload of a history row.
func HistoryPayload(e HistoryEntry) string {
	var c canon
	c.int("nomination", e.NominationID)
	c.int("version", int64(e.Version))
	c.int("applicant_version", int64(e.ApplicantVersion))
	c.field("actor_id", e.ActorID)
	c.field("actor_name", e.ActorName)
	c.field("role", string(e.Role))
	c.field("action", string(e.Action))
	c.field("from", string(e.From))
	c.field("to", string(e.To))
	c.field("stage", e.Stage)
	c.field("tier", e.Tier)
	c.field("award", e.Award)
	c.field("reason", e.Reason)
	due := ""
	if e.Due != nil {
		due = canonTime(*e.Due)
	}
	c.field("due", due)
	c.field("at", canonTime(e.At))
	return c.b.String()
}

// ScoreEventPayload is the canonical payload of a score event.
func ScoreEventPayload(e ScoreEvent) string {
	var c canon
	c.field("stage", e.Stage.Stage)
	c.int("nomination", e.NominationID)
	c.int("judge", e.UserID)
	c.field("actor_id", e.ActorID)
	c.field("kind", e.Kind)
	c.field("reason", e.Reason)
	c.field("status", e.Status)
	c.values("values", e.Values)
	c.field("comment", e.Comment)
	c.int("version", int64(e.Version))
	c.field("at", canonTime(e.At))
	if b := e.Before; b != nil {
		c.field("before", "yes")
		c.field("before.status", b.Status)
		c.values("before.values", b.Values)
		c.field("before.comment", b.Comment)
	} else {
		c.field("before", "")
	}
	return c.b.String()
}

// AnswerEditPayload is the canonical payload of an answer edit.
func AnswerEditPayload(e AnswerEdit) string {
	var c canon
	c.int("nomination", e.NominationID)
	c.int("version", int64(e.Version))
	c.int("applicant_version", int64(e.ApplicantVersion))
	c.field("actor_id", e.ActorID)
	c.field("actor_name", e.ActorName)
	c.field("role", string(e.Role))
	c.field("at", canonTime(e.At))
	c.int("changes", int64(len(e.Changes)))
	for _, ch := range e.Changes {
		c.field("field", ch.Field)
		c.field("before", string(ch.Before))
		c.field("after", string(ch.After))
	}
	return c.b.String()
}

// AuditHash is an entry's hash: SHA-256 (hex) of the canonical encoding of
// its chain, position, previous hash, kind, ids, time and payload.
func AuditHash(e AuditEntry) string {
	return auditDigest("awardflow-audit", e, func(c *canon) {
		c.int("seq", e.Seq)
		c.field("prev_hash", e.PrevHash)
	})
}

// AuditContentHash is an unsealed entry's hash: SHA-256 (hex) of the
// canonical encoding of its chain, kind, ids, time and payload, without a
// position (the sealer gives it one).
func AuditContentHash(e AuditEntry) string {
	return auditDigest("awardflow-audit-content", e, func(*canon) {})
}

// auditDigest is SHA-256 (hex) of an entry's canonical encoding under tag,
// with its position (if any) written by position after the chain's name.
func auditDigest(tag string, e AuditEntry, position func(*canon)) string {
	var c canon
	c.field(tag, "1")
	c.field("cycle", e.Cycle)
	c.field("programme", e.Programme)
	position(&c)
	c.field("kind", e.Kind)
	c.int("nomination", e.NominationID)
	c.int("ref", e.RefID)
	c.field("at", canonTime(e.At))
	c.field("payload", e.Payload)
	sum := sha256.Sum256([]byte(c.b.String()))
	return hex.EncodeToString(sum[:])
}

// Chain links entries given in order: seq, prev_hash and hash, continuing
// from head (nil for a new chain). It returns the new head.
func Chain(head AuditHead, es []AuditEntry) AuditHead {
	for i := range es {
		head.Seq++
		es[i].Seq, es[i].PrevHash = head.Seq, head.Hash
		es[i].Hash = AuditHash(es[i])
		head.Hash = es[i].Hash
	}
	return head
}

// DiffAnswers lists the answers that differ between before and after, by field.
func DiffAnswers(before, after Answers) ([]AnswerChange, error) {
	keys := make([]string, 0, len(before)+len(after))
	for k := range before {
		keys = append(keys, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []AnswerChange
	for _, k := range keys {
		b, err := json.Marshal(before[k])
		if err != nil {
			return nil, err
		}
		a, err := json.Marshal(after[k])
		if err != nil {
			return nil, err
		}
		if string(a) != string(b) {
			out = append(out, AnswerChange{Field: k, Before: b, After: a})
		}
	}
	return out, nil
}

// VerifyAuditChain recomputes a chain and lists what is wrong with it, the
// first altered or missing entry first: a gap in seq (a deleted entry), an
// entry whose hash does not match its content (edited payload or forged
// hash), a broken link (an entry replaced with a recomputed hash), a head
// beyond the last entry (newest entries deleted), then unsealed entries whose
// content hash does not match them (or that are sealed already), and rows
// without an entry (sealed or not: this catches a deleted unsealed entry),
// rows edited since their entry, or entries whose row is gone.
func VerifyAuditChain(ch AuditChain) []Problem {
	var ps []Problem
	add := func(path, code, ja, en string, args ...any) {
		ps = append(ps, problem(path, code, fmt.Sprintf(ja, args...), fmt.Sprintf(en, args...)))
	}
	prev, want := "", int64(1)
	for _, e := range ch.Entries {
		switch {
		case e.Seq > want:
			add(fmt.Sprintf("entries[%d]", want), "missing", "記録 %[1]d が欠落しています（%[2]d の次が %[3]d）",
				"entry %[1]d is missing (entry %[2]d is followed by %[3]d)", want, want-1, e.Seq)
		case e.PrevHash != prev:
			add(fmt.Sprintf("entries[%d]", want-1), "altered", "記録 %[1]d が改変または差し替えられています（記録 %[2]d の prev_hash と一致しません）",
				"entry %[1]d was altered or replaced: entry %[2]d's prev_hash does not match its hash", want-1, e.Seq)
		}
		if AuditHash(e) != e.Hash {
			add(fmt.Sprintf("entries[%d]", e.Seq), "altered", "記録 %[1]d（%[2]s %[3]d）が改変されています（ハッシュが内容と一致しません）",
				"entry %[1]d (%[2]s %[3]d) was altered: its hash does not match its content", e.Seq, e.Kind, e.RefID)
		}
		prev, want = e.Hash, e.Seq+1
	}
	last := want - 1
	switch h := ch.Head; {
	case h == nil && last > 0:
		add("head", "missing", "記録の先頭（head）がありません", "the chain's head is missing")
	case h == nil:
	case h.Seq > last:
		add(fmt.Sprintf("entries[%d]", last+1), "missing", "記録 %[1]d から %[2]d が欠落しています（最新の記録は %[2]d のはずです）",
			"entries %[1]d to %[2]d are missing (the head records %[2]d entries)", last+1, h.Seq)
	case h.Seq < last:
		add(fmt.Sprintf("entries[%d]", h.Seq+1), "altered", "記録 %[1]d 以降は先頭（head）より後に追加されています",
			"entries from %[1]d on were added after the head", h.Seq+1)
	case h.Hash != prev:
		add(fmt.Sprintf("entries[%d]", last), "altered", "記録 %[1]d が改変または差し替えられています（先頭のハッシュと一致しません）",
			"entry %[1]d was altered or replaced: the head's hash does not match it", last)
	}
	type ref struct {
		kind string
		id   int64
	}
	entries := make(map[ref]*AuditEntry, len(ch.Entries)+len(ch.Unsealed))
	for i := range ch.Entries {
		e := &ch.Entries[i]
		entries[ref{e.Kind, e.RefID}] = e
	}
	for i := range ch.Unsealed {
		e := &ch.Unsealed[i]
		path := fmt.Sprintf("unsealed[%d]", e.ID)
		switch {
		case AuditContentHash(*e) != e.Hash:
			add(path, "altered", "未封印の記録 %[1]d（%[2]s %[3]d）が改変されています（ハッシュが内容と一致しません）",
				"unsealed entry %[1]d (%[2]s %[3]d) was altered: its content hash does not match it", e.ID, e.Kind, e.RefID)
		case entries[ref{e.Kind, e.RefID}] != nil:
			add(path, "altered", "未封印の記録 %[1]d（%[2]s %[3]d）は封印済みの記録と重複しています",
				"unsealed entry %[1]d (%[2]s %[3]d) duplicates a sealed entry", e.ID, e.Kind, e.RefID)
		default:
			entries[ref{e.Kind, e.RefID}] = e
		}
	}
	seen := make(map[ref]bool, len(ch.Sources))
	for _, s := range ch.Sources {
		r := ref{s.Kind, s.RefID}
		seen[r] = true
		e, ok := entries[r]
		switch {
		case !ok:
			add(fmt.Sprintf("%s[%d]", s.Kind, s.RefID), "unaudited", "%[1]s %[2]d（応募 %[3]d）に監査記録がありません",
				"%[1]s row %[2]d (nomination %[3]d) has no audit entry", s.Kind, s.RefID, s.NominationID)
		case e.Payload != s.Payload && e.Seq == 0:
			add(fmt.Sprintf("%s[%d]", s.Kind, s.RefID), "altered", "%[1]s %[2]d は未封印の記録 %[3]d の後に書き換えられています",
				"%[1]s row %[2]d was changed after its unsealed audit entry %[3]d", s.Kind, s.RefID, e.ID)
		case e.Payload != s.Payload:
			add(fmt.Sprintf("%s[%d]", s.Kind, s.RefID), "altered", "%[1]s %[2]d は記録 %[3]d の後に書き換えられています",
				"%[1]s row %[2]d was changed after its audit entry %[3]d", s.Kind, s.RefID, e.Seq)
		}
	}
	for _, e := range ch.Entries {
		if !seen[ref{e.Kind, e.RefID}] {
			add(fmt.Sprintf("entries[%d]", e.Seq), "missing", "記録 %[1]d の %[2]s %[3]d が削除されています",
				"entry %[1]d refers to %[2]s row %[3]d, which is missing", e.Seq, e.Kind, e.RefID)
		}
	}
	for _, e := range ch.Unsealed {
		if !seen[ref{e.Kind, e.RefID}] {
			add(fmt.Sprintf("unsealed[%d]", e.ID), "missing", "未封印の記録 %[1]d の %[2]s %[3]d が削除されています",
				"unsealed entry %[1]d refers to %[2]s row %[3]d, which is missing", e.ID, e.Kind, e.RefID)
		}
	}
	return ps
}

// AuditReport is the verification of one programme's chain.
type AuditReport struct {
	Cycle, Programme string
	Entries          int    // sealed
	Unsealed         int    // committed, not chained yet (the sealer runs every second)
	Head             string // the newest hash; publish it to anchor the chain
	Problems         []Problem
}

// VerifyAudit verifies the chain of one programme, or of every programme
// when cycle and programme are empty. Administrators only.
func (s *Service) VerifyAudit(ctx context.Context, actor Actor, cycle, programme string) ([]AuditReport, error) {
	const op = "workflow.VerifyAudit"
	if !actor.IsAdmin() {
		return nil, withOp(op, Refuse(Forbidden, "監査記録の検証は管理者のみが行えます", "only administrators verify the audit log"))
	}
	if (cycle == "") != (programme == "") {
		return nil, withOp(op, Refuse(Invalid, "募集回とプログラムは両方指定するか、どちらも省略してください",
			"give both the cycle and the programme, or neither"))
	}
	var out []AuditReport
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		if err := tx.AuditSnapshot(ctx); err != nil {
			return err
		}
		keys := [][2]string{{cycle, programme}}
		if cycle == "" {
			var err error
			if keys, err = tx.AuditProgrammes(ctx); err != nil {
				return err
			}
		}
		for _, k := range keys {
			ch, err := tx.AuditChain(ctx, k[0], k[1])
			if err != nil {
				return err
			}
			r := AuditReport{Cycle: k[0], Programme: k[1], Entries: len(ch.Entries), Unsealed: len(ch.Unsealed), Problems: VerifyAuditChain(ch)}
			if ch.Head != nil {
				r.Head = ch.Head.Hash
			}
			out = append(out, r)
		}
		return nil
	})
	return out, withOp(op, err)
}

// AnswerHistory lists a nomination's answer edits, oldest first: who, when,
// and each changed field before and after. The applicant of the nomination
// (the edits are its own) and staff of its ministry may read it; anyone else
// gets NotFound.
func (s *Service) AnswerHistory(ctx context.Context, actor Actor, id int64) ([]AnswerEdit, error) {
	var es []AnswerEdit
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		c, _, err := s.visible(ctx, tx, actor, id, now)
		if err != nil {
			return err
		}
		if es, err = tx.AnswerEdits(ctx, id); err != nil {
			return err
		}
		if s.applicantView(actor, c) { // its own versions, which staff steps do not move
			for i := range es {
				es[i].Version = es[i].ApplicantVersion
			}
		}
		return nil
	})
	return es, withOp("workflow.AnswerHistory", err)
}
