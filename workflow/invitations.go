package workflow

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Invite creates a one-time, expiring invitation to an account with a
// role. The token goes to the invitee out of band (we send no email).
//
// Errors: Invalid; Forbidden if the actor may not manage that role in that
// domain; NotFound for an unknown organisation; Conflict if the email
// already has an account (grant the role instead).
func (s *Service) Invite(ctx context.Context, actor Actor, ni NewInvitation) (Invitation, Token, error) {
	const op = "workflow.Invite"
	inv := Invitation{Email: normaliseEmail(ni.Email), Name: normalise(ni.Name), Role: ni.Role, Domain: ni.Domain, OrganisationID: ni.OrganisationID}
	ps := append(checkEmail(inv.Email), checkName(inv.Name)...)
	ps = append(ps, checkGrant(inv.Role, inv.Domain)...)
	if inv.Role.ForOrganisation() && inv.OrganisationID == 0 {
		ps = append(ps, problem("organisation_id", "required", "組織を指定してください", "an applicant contact needs an organisation"))
	}
	ps = append(ps, staffWithoutOrganisation(inv.Role, inv.OrganisationID)...)
	if err := invalid("invalid invitation", ps); err != nil {
		return Invitation{}, Token{}, withOp(op, err)
	}
	if !mayManage(s.authz, actor, inv.Role, inv.Domain) {
		return Invitation{}, Token{}, withOp(op, refuseInvite(inv.Role, inv.Domain))
	}
	var tok Token
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if inv.Role.ForOrganisation() && !s.authz.Permits(actor, PermAddContact, AnyDomain, 0) {
			// A contact adds contacts to its own organisation only; read
			// the relation here, not from the session.
			me, err := tx.User(ctx, actor.UserID)
			if err != nil || !s.authz.Permits(actor, PermAddContact, AnyDomain, Facts(0).With(ActsForOrganisation, me.OrganisationID == inv.OrganisationID)) {
				return Refuse(NotFound, "組織 %d は見つかりません", "no such organisation %d", inv.OrganisationID)
			}
		}
		if inv.OrganisationID != 0 {
			if _, err := tx.Organisation(ctx, inv.OrganisationID); err != nil {
				return err
			}
		}
		if _, err := tx.UserByEmail(ctx, inv.Email); err == nil {
			return Refuse(Conflict, "%s はすでにアカウントを持っています。役割を付与してください",
				"%s already has an account; grant the role instead", inv.Email)
		} else if ErrorCode(err) != NotFound {
			return err
		}
		value, hash := newToken("afi_")
		tok = Token{Value: value, ExpiresAt: now.Add(InvitationTTL)}
		inv.TokenHash, inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt = hash, actor.ID, now, tok.ExpiresAt
		return tx.InsertInvitation(ctx, &inv)
	})
	return inv, tok, withOp(op, err)
}

// AcceptInvitation creates the invited account with its password and role,
// uses up the invitation, and signs the user in.
//
// Errors: NotFound for an unknown token; Invalid for an expired one or a
// bad password; Conflict if it was used already or the email was taken
// meanwhile.
func (s *Service) AcceptInvitation(ctx context.Context, token, pw, locale string) (User, Token, error) {
	const op = "workflow.AcceptInvitation"
	var (
		u   User
		tok Token
	)
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		inv, err := tx.InvitationByToken(ctx, HashToken(token))
		if err != nil {
			return err
		}
		switch {
		case inv.AcceptedAt != nil:
			return Refuse(Conflict, "この招待はすでに使われています", "this invitation has been used")
		case !now.Before(inv.ExpiresAt):
			return &Error{Code: Invalid, Message: "invitation expired", Ja: "招待の有効期限が切れています", Problems: []Problem{
				problem("token", "expired", "招待の有効期限が切れています。事務局に再招待を依頼してください", "the invitation has expired; ask for a new one")}}
		}
		if err := inviterMay(ctx, tx, s.authz, inv); err != nil {
			return err
		}
		var ps []Problem
		u, ps = s.newUser(inv.Email, inv.Name, locale, pw)
		if err := invalid("invalid password", ps); err != nil {
			return err
		}
		u.CreatedAt, u.UpdatedAt = now, now
		if inv.Role.ForOrganisation() { // older invitations could bind staff to an organisation
			u.OrganisationID = inv.OrganisationID
		}
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		if err := tx.AcceptInvitation(ctx, inv.ID, u.ID, now); err != nil {
			return err
		}
		if err := tx.InsertGrant(ctx, &RoleGrant{UserID: u.ID, Role: inv.Role, Domain: inv.Domain, GrantedBy: inv.InvitedBy, GrantedAt: now}); err != nil {
			return err
		}
		tok, err = startSession(ctx, tx, u.ID, now)
		return err
	})
	return u, tok, withOp(op, err)
}

func refuseInvite(role Role, domain string) *Error {
	if role.ForOrganisation() {
		return Refuse(Forbidden, "組織の担当者を招待できるのは、その組織の担当者か管理者だけです",
			"only a contact of the organisation or an administrator may invite its contacts")
	}
	return &Error{Code: Forbidden, Message: fmt.Sprintf("you may not invite %s in %s", role, domain),
		Ja: fmt.Sprintf("%sの「%s」を招待する権限がありません", domainJa(domain), role.Label().Ja)}
}

// inviterMay checks again, when an invitation is accepted, that whoever
// sent it may still add that role: invitations from someone who lost the
// right, or who never had it (secretariats inviting organisation contacts
// before that was refused), are void. Invitations made from the command
// line (not "user:…") stand.
func inviterMay(ctx context.Context, tx Tx, az Authorizer, inv Invitation) error {
	idText, ok := strings.CutPrefix(inv.InvitedBy, "user:")
	if !ok {
		return nil
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return voidInvitation()
	}
	grants, err := tx.UserGrants(ctx, id)
	if err != nil {
		return err
	}
	inviter := Actor{ID: inv.InvitedBy, UserID: id}
	for _, g := range grants {
		if g.Active() {
			inviter.Grants = append(inviter.Grants, Grant{Role: g.Role, Domain: g.Domain})
		}
	}
	if !mayManage(az, inviter, inv.Role, inv.Domain) {
		return voidInvitation()
	}
	if inv.Role.ForOrganisation() && !az.Permits(inviter, PermAddContact, AnyDomain, 0) {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if !az.Permits(inviter, PermAddContact, AnyDomain, Facts(0).With(ActsForOrganisation, u.OrganisationID != 0 && u.OrganisationID == inv.OrganisationID)) {
			return voidInvitation()
		}
	}
	return nil
}

func voidInvitation() error {
	return &Error{Code: Invalid, Message: "invitation void", Ja: "招待は無効です", Problems: []Problem{
		problem("token", "void", "この招待は無効です（招待した人にこの役割を与える権限がありません）。組織の担当者か管理者に招待を依頼してください",
			"the invitation is void: whoever sent it may not give this role; ask a contact of the organisation or an administrator")}}
}
