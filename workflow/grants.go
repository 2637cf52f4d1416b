package workflow

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ActiveGrants lists every active grant and the grants version, for an
// enforcer to load.
func (s *Service) ActiveGrants(ctx context.Context) ([]RoleGrant, int64, error) {
	var (
		gs []RoleGrant
		v  int64
	)
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		var err error
		gs, v, err = tx.ActiveGrants(ctx)
		return err
	})
	return gs, v, withOp("workflow.ActiveGrants", err)
}

// GrantRole grants a role in a domain to a user; it takes effect on the
// user's next request.
//
// Errors: Invalid; Forbidden if the actor may not manage that role and
// domain; NotFound for a user the actor may not see; Conflict if the grant
// is already active or would mix applicant and staff roles.
func (s *Service) GrantRole(ctx context.Context, actor Actor, userID int64, role Role, domain string) (RoleGrant, error) {
	const op = "workflow.GrantRole"
	if err := invalid("invalid grant", checkGrant(role, domain)); err != nil {
		return RoleGrant{}, withOp(op, err)
	}
	var g RoleGrant
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if _, err := tx.User(ctx, userID); err != nil {
			return err
		}
		existing, err := tx.UserGrants(ctx, userID)
		if err != nil {
			return err
		}
		// Visibility first: a user the actor may not see is not there for
		// it (granting would also make the user visible, and so leak them).
		if actor.UserID != userID && !seesUser(s.authz, actor, existing) {
			return Refuse(NotFound, "ユーザー %d は見つかりません", "no such user %d", userID)
		}
		if !mayManage(s.authz, actor, role, domain) || role.ForOrganisation() {
			return &Error{Code: Forbidden, Message: fmt.Sprintf("you may not grant %s in %s", role, domain),
				Ja: fmt.Sprintf("%sの「%s」を付与する権限がありません", domainJa(domain), role.Label().Ja)}
		}
		if err := exclusive(existing, role); err != nil {
			return err
		}
		g = RoleGrant{UserID: userID, Role: role, Domain: domain, GrantedBy: actor.ID, GrantedAt: now}
		return tx.InsertGrant(ctx, &g)
	})
	return g, withOp(op, err)
}

// RevokeGrant revokes a grant; it takes effect on the user's next request.
//
// Errors: NotFound (also for a grant in a ministry the actor does not run);
// Forbidden if the actor may not manage that role; Conflict if already
// revoked, or if it is the actor's own last active administrator grant
// (another administrator must do that, so nobody locks themself out).
func (s *Service) RevokeGrant(ctx context.Context, actor Actor, id int64) (RoleGrant, error) {
	const op = "workflow.RevokeGrant"
	var g RoleGrant
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		var err error
		if g, err = tx.RoleGrant(ctx, id); err != nil {
			return err
		}
		if domains := staffDomains(s.authz, actor); domains != nil && !slices.Contains(domains, g.Domain) {
			return Refuse(NotFound, "付与 %d は見つかりません", "no such grant %d", id)
		}
		if !mayManage(s.authz, actor, g.Role, g.Domain) {
			return &Error{Code: Forbidden, Message: fmt.Sprintf("you may not revoke %s in %s", g.Role, g.Domain),
				Ja: fmt.Sprintf("%sの「%s」を取り消す権限がありません", domainJa(g.Domain), g.Role.Label().Ja)}
		}
		if err := lastOwnAdmin(ctx, tx, s.authz, actor, g); err != nil {
			return err
		}
		if err := tx.RevokeGrant(ctx, id, actor.ID, now); err != nil {
			return err
		}
		g.RevokedBy, g.RevokedAt = actor.ID, &now
		return nil
	})
	return g, withOp(op, err)
}

// lastOwnAdmin refuses revoking a grant of the actor's own without which
// the actor could no longer manage administrators: the last grant that
// makes them one. Another administrator must do that, so that nobody locks
// themself (and perhaps everyone) out by mistake.
func lastOwnAdmin(ctx context.Context, tx Tx, az Authorizer, actor Actor, g RoleGrant) error {
	manageAdmins := PermManageRole(RoleAdmin)
	if g.UserID != actor.UserID || !az.Permits(actor, manageAdmins, AnyDomain, 0) {
		return nil
	}
	gs, err := tx.UserGrants(ctx, g.UserID)
	if err != nil {
		return err
	}
	rest := Actor{ID: actor.ID, UserID: actor.UserID}
	for _, o := range gs {
		if o.ID != g.ID && o.Active() {
			rest.Grants = append(rest.Grants, Grant{Role: o.Role, Domain: o.Domain})
		}
	}
	if az.Permits(rest, manageAdmins, AnyDomain, 0) {
		return nil
	}
	return Refuse(Conflict, "自分に残っている最後の管理者の役割は取り消せません。取り消すときは別の管理者に依頼してください",
		"you cannot revoke your own last administrator role; ask another administrator to do it")
}

// mayManage reports whether actor may grant, revoke or invite role in domain:
// administrators any; a ministry's secretariat its own judges and chairs;
// an applicant contact other contacts (of its own organisation, which the
// caller checks in the transaction). A secretariat may not add contacts to
// organisations: an organisation is not any one ministry's, so a contact
// it added could read the organisation's nominations to every ministry.
func mayManage(az Authorizer, actor Actor, role Role, domain string) bool {
	return az.Permits(actor, PermManageRole(role), domain, 0)
}

// exclusive refuses to mix an applicant grant with staff grants on one
// user: an applicant acts for its organisation only.
func exclusive(existing []RoleGrant, role Role) error {
	for _, g := range existing {
		if !g.Active() {
			continue
		}
		if g.Role.ForOrganisation() != role.ForOrganisation() {
			return Refuse(Conflict, "応募者のアカウントに職員の役割は付与できません。別のアカウントを使ってください", "an applicant account cannot also hold staff roles; use a separate account")
		}
	}
	return nil
}

// domainJa names a grant's domain as people read it: the ministry, or all
// ministries for the global domain.
func domainJa(domain string) string {
	if t, ok := Ministries[domain]; ok {
		return t.Ja
	}
	if domain == AnyDomain {
		return "全体"
	}
	return domain
}
