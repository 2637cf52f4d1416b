package db

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/awardflow/awardflow/workflow"
)

type publicationRow struct {
	bun.BaseModel  `bun:"table:publications"`
	ID             int64 `bun:"id,pk,autoincrement"`
	CycleKey       string
	ProgrammeKey   string
	Version        int
	EmbargoAt      time.Time
	Reason         string
	Content        string
	CreatedBy      string
	CreatedAt      time.Time
	WithdrawnAt    *time.Time
	WithdrawnBy    string
	WithdrawReason string
}

func (t *tx) InsertPublication(ctx context.Context, p *workflow.Publication) error {
	content, err := json.Marshal(fromPublicationContent(p.Fields, p.Rows))
	if err != nil {
		return err
	}
	r := publicationRow{CycleKey: p.Cycle, ProgrammeKey: p.Programme, Version: p.Version, EmbargoAt: p.EmbargoAt.UTC(), Reason: p.Reason,
		Content: string(content), CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).Returning("id").Exec(ctx); err != nil {
		return translate(err, fmt.Sprintf("publication version %d", p.Version))
	}
	p.ID = r.ID
	return nil
}

func (t *tx) Publications(ctx context.Context, cycle, programme string) ([]workflow.Publication, error) {
	var rows []publicationRow
	if err := t.db.NewSelect().Model(&rows).Where("cycle_key = ? AND programme_key = ?", cycle, programme).Order("version").Scan(ctx); err != nil {
		return nil, translate(err, "publications")
	}
	out := make([]workflow.Publication, len(rows))
	for i, r := range rows {
		var c publicationContent
		if err := json.Unmarshal([]byte(r.Content), &c); err != nil {
			return nil, fmt.Errorf("publication %d: %w", r.ID, err)
		}
		out[i] = workflow.Publication{ID: r.ID, Cycle: r.CycleKey, Programme: r.ProgrammeKey, Version: r.Version, EmbargoAt: r.EmbargoAt.UTC(),
			Reason: r.Reason, Fields: c.fields(), Rows: c.rows(), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(),
			WithdrawnAt: utcPtr(r.WithdrawnAt), WithdrawnBy: r.WithdrawnBy, WithdrawReason: r.WithdrawReason}
	}
	return out, nil
}

func (t *tx) WithdrawPublication(ctx context.Context, id int64, at time.Time, by, reason string) error {
	res, err := t.db.NewUpdate().Table("publications").Set("withdrawn_at = ?", at.UTC()).Set("withdrawn_by = ?", by).
		Set("withdraw_reason = ?", reason).Where("id = ? AND withdrawn_at IS NULL", id).Exec(ctx)
	if err != nil {
		return translate(err, "publication")
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("publication: rows affected: %w", err)
	} else if n != 1 {
		return workflow.Refuse(workflow.Conflict, "公表 %d は他の操作で変更されました", "publication %d changed meanwhile", id)
	}
	return nil
}

type publicCorrectionRow struct {
	bun.BaseModel `bun:"table:public_corrections"`
	NominationID  int64 `bun:"nomination_id,pk"`
	Content       string
	UpdatedBy     string
	UpdatedAt     time.Time
}

func (t *tx) PublicCorrections(ctx context.Context, ids []int64) (map[int64]workflow.PublicCorrection, error) {
	out := map[int64]workflow.PublicCorrection{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []publicCorrectionRow
	if err := t.db.NewSelect().Model(&rows).Where("nomination_id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, translate(err, "public corrections")
	}
	for _, r := range rows {
		var d publicCorrectionDoc
		if err := json.Unmarshal([]byte(r.Content), &d); err != nil {
			return nil, fmt.Errorf("public correction %d: %w", r.NominationID, err)
		}
		c := d.correction()
		c.NominationID, c.UpdatedBy, c.UpdatedAt = r.NominationID, r.UpdatedBy, r.UpdatedAt.UTC()
		out[r.NominationID] = c
	}
	return out, nil
}

func (t *tx) SavePublicCorrection(ctx context.Context, c workflow.PublicCorrection) error {
	content, err := json.Marshal(fromPublicCorrection(c))
	if err != nil {
		return err
	}
	r := publicCorrectionRow{NominationID: c.NominationID, Content: string(content), UpdatedBy: c.UpdatedBy, UpdatedAt: c.UpdatedAt.UTC()}
	if _, err := t.db.NewInsert().Model(&r).On("CONFLICT (nomination_id) DO UPDATE").
		Set("content = EXCLUDED.content").Set("updated_by = EXCLUDED.updated_by").Set("updated_at = EXCLUDED.updated_at").Exec(ctx); err != nil {
		return translate(err, "public correction")
	}
	return nil
}

func (t *tx) CycleNominations(ctx context.Context, cycle, programme string) ([]workflow.Nomination, error) {
	var rows []nominationRow
	if err := t.db.NewSelect().Model(&rows).Where("cycle_key = ? AND programme_key = ?", cycle, programme).Order("id").Scan(ctx); err != nil {
		return nil, translate(err, "nominations")
	}
	return toNominations(rows)
}

// ServerKey returns the named secret, generating and storing 32 random
// bytes the first time. Concurrent first calls agree: the loser of the
// insert reads the winner's key.
func (d *DB) ServerKey(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh) //nolint:errcheck // crypto/rand.Read never fails
	if _, err := d.Bun.NewRaw("INSERT INTO server_keys (name, secret, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
		name, hex.EncodeToString(fresh), time.Now().UTC()).Exec(ctx); err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	var secret string
	if err := d.Bun.NewSelect().Table("server_keys").Column("secret").Where("name = ?", name).Scan(ctx, &secret); err != nil {
		return nil, fmt.Errorf("server key %s: %w", name, err)
	}
	return hex.DecodeString(secret)
}
