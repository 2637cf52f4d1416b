package workflow

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Panel lists a stage's panel. Staff and the ministry's chairs and judges.
func (s *Service) Panel(ctx context.Context, actor Actor, ref StageRef) ([]PanelMember, error) {
	var out []PanelMember
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		_, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if !may(PermReadPanel, 0) {
			return Refuse(Forbidden, "審査会の構成員の一覧は事務局と委員長だけが見られます", "the panel list is for the secretariat and the chair")
		}
		out, err = tx.PanelMembers(ctx, ref)
		return err
	})
	return out, withOp("workflow.Panel", err)
}

// SetPanelMember adds a user to a stage's panel when m.Version is 0, or
// changes their role and preferences when m.Version is the version edited.
// The user must hold that role in the programme's ministry. It returns the
// member as stored, with its new version.
//
// Errors: Conflict with problem "already_on_panel" when adding a member who
// is on the panel, Conflict when changing one at another version (or one
// who is not on the panel); Invalid; NotFound; Forbidden.
func (s *Service) SetPanelMember(ctx context.Context, actor Actor, ref StageRef, m PanelMember) (PanelMember, error) {
	const op = "workflow.SetPanelMember"
	if !m.Role.SitsOnPanel() {
		return m, &Error{Op: op, Code: Invalid, Message: "role must be judge or chair",
			Problems: []Problem{problem("role", "invalid", "役割は judge か chair です", "must be judge or chair")}}
	}
	for _, ind := range m.Industries {
		if _, ok := IndustryByCode(ind); !ok {
			return m, &Error{Op: op, Code: Invalid, Message: "unknown industry", Problems: []Problem{problem("industries", "unknown", "産業分類が不正です", "must be JSIC divisions A–T")}}
		}
	}
	for _, pf := range m.Prefectures {
		if _, ok := PrefectureByCode(pf); !ok {
			return m, &Error{Op: op, Code: Invalid, Message: "unknown prefecture", Problems: []Problem{problem("prefectures", "unknown", "都道府県コードが不正です", "must be codes 01–47")}}
		}
	}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		p, _, may, err := s.stageOf(ctx, tx, actor, ref)
		if err != nil {
			return err
		}
		if err := requireStaff(may, PermManagePanel); err != nil {
			return err
		}
		u, err := tx.User(ctx, m.UserID)
		if err != nil {
			return err
		}
		grants, err := tx.UserGrants(ctx, m.UserID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(grants, func(g RoleGrant) bool { return g.Active() && g.Role == m.Role && g.Domain == p.Ministry }) {
			return &Error{Code: Invalid, Message: fmt.Sprintf("user %d is not a %s in %s", m.UserID, m.Role, p.Ministry),
				Problems: []Problem{problem("user", "no_grant", "この利用者はこの省庁の審査員（委員長）ではありません", "the user does not hold this role in the programme's ministry")}}
		}
		panel, err := tx.PanelMembers(ctx, ref)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(panel, func(p PanelMember) bool { return p.UserID == m.UserID })
		switch {
		case i >= 0 && m.Version == 0:
			e := Refuse(Conflict, "利用者 %d はすでに審査会の構成員です（版 %d）。変更するには編集した版を指定してください",
				"user %d is already on the panel at version %d; send that version to change it", m.UserID, panel[i].Version)
			e.Problems = []Problem{problem("", "already_on_panel", "すでに審査会の構成員です", "the user is already on the panel")}
			return e
		case i < 0 && m.Version != 0:
			return Refuse(Conflict, "利用者 %d は審査会の構成員ではありません（削除されたか未登録です）。再読み込みしてください",
				"user %d is not on the panel (removed meanwhile, or never added); reload", m.UserID)
		case i >= 0 && panel[i].Version != m.Version:
			return Refuse(Conflict, "審査会の構成員の情報は版 %d に更新されています（編集した版は %d）。再読み込みしてください",
				"the panel member is at version %d, not %d; reload it", panel[i].Version, m.Version)
		}
		m.Stage, m.Name, m.AddedBy, m.AddedAt = ref, u.Name, actor.ID, now
		if i >= 0 {
			m.AddedBy, m.AddedAt = panel[i].AddedBy, panel[i].AddedAt
		}
		m.Version++
		if err := tx.UpsertPanelMember(ctx, m); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return m, withOp(op, err)
}

// RemovePanelMember removes a judge from a panel; their assignments stay
// (remove them first if they must go). Errors: NotFound.
func (s *Service) RemovePanelMember(ctx context.Context, actor Actor, ref StageRef, userID int64) error {
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		if err := s.requireStaffAt(ctx, tx, actor, ref, PermManagePanel); err != nil {
			return err
		}
		if err := tx.DeletePanelMember(ctx, ref, userID); err != nil {
			return err
		}
		return tx.BumpStageVersion(ctx, ref)
	})
	return withOp("workflow.RemovePanelMember", err)
}
