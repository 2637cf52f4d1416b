package workflow

import (
	"context"
	"slices"
	"time"

	"github.com/awardflow/awardflow/workflow/password"
)

// CreateUser creates an account with a password and one grant. It is how
// the command line bootstraps accounts; administrators only.
//
// Errors: Forbidden; Invalid; Conflict if the email is taken; NotFound for
// an unknown organisation.
func (s *Service) CreateUser(ctx context.Context, actor Actor, nu NewUser) (User, error) {
	const op = "workflow.CreateUser"
	if !s.authz.Permits(actor, PermCreateUser, AnyDomain, 0) {
		return User{}, withOp(op, Refuse(Forbidden, "アカウントを直接作成できるのは管理者だけです", "only administrators create accounts directly"))
	}
	u, ps := s.newUser(nu.Email, nu.Name, nu.Locale, nu.Password)
	ps = append(ps, checkGrant(nu.Role, nu.Domain)...)
	if nu.Role.ForOrganisation() && nu.OrganisationID == 0 {
		ps = append(ps, problem("organisation_id", "required", "組織を指定してください", "an applicant needs an organisation"))
	}
	ps = append(ps, staffWithoutOrganisation(nu.Role, nu.OrganisationID)...)
	if err := invalid("invalid user", ps); err != nil {
		return User{}, withOp(op, err)
	}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		if nu.OrganisationID != 0 {
			if _, err := tx.Organisation(ctx, nu.OrganisationID); err != nil {
				return err
			}
			u.OrganisationID = nu.OrganisationID
		}
		u.CreatedAt, u.UpdatedAt = now, now
		if err := tx.InsertUser(ctx, &u); err != nil {
			return err
		}
		return tx.InsertGrant(ctx, &RoleGrant{UserID: u.ID, Role: nu.Role, Domain: nu.Domain, GrantedBy: actor.ID, GrantedAt: now})
	})
	return u, withOp(op, err)
}

// Users lists the accounts the actor may see: administrators all, a
// secretariat those holding a grant in its ministries.
func (s *Service) Users(ctx context.Context, actor Actor, f UserFilter) ([]User, PageInfo, error) {
	if !oversees(s.authz, actor) {
		return nil, PageInfo{}, withOp("workflow.Users", Refuse(Forbidden, "ユーザーの一覧は職員だけが見られます", "staff only"))
	}
	if err := f.check(); err != nil {
		return nil, PageInfo{}, withOp("workflow.Users", err)
	}
	var err error
	if f.Page, err = f.Page.open("users", f.filters()...); err != nil {
		return nil, PageInfo{}, withOp("workflow.Users", err)
	}
	var (
		us    []User
		total int
	)
	err = listRun(s.store, f.Total)(ctx, func(tx Tx) error {
		var err error
		us, total, err = tx.Users(ctx, f, staffDomains(s.authz, actor))
		return err
	})
	n, info := f.Page.close(len(us), func(i int) int64 { return us[i].ID }, total, "users", f.filters()...)
	return us[:n], info, withOp("workflow.Users", err)
}

// User returns an account with its grants, if the actor may see it: the
// user themself, administrators, or a secretariat when the user holds (or
// held) a grant in its ministry. Errors: NotFound.
func (s *Service) User(ctx context.Context, actor Actor, id int64) (UserView, error) {
	var v UserView
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		var err error
		if v.User, err = tx.User(ctx, id); err != nil {
			return err
		}
		if v.Grants, err = tx.UserGrants(ctx, id); err != nil {
			return err
		}
		if actor.UserID != id && !seesUser(s.authz, actor, v.Grants) {
			return Refuse(NotFound, "ユーザー %d は見つかりません", "no such user %d", id)
		}
		if domains := staffDomains(s.authz, actor); domains != nil && actor.UserID != id {
			// Staff see a user's grants in their own ministries (and global
			// ones), never what the user does for another ministry.
			v.Grants = slices.DeleteFunc(v.Grants, func(g RoleGrant) bool {
				return g.Domain != AnyDomain && !slices.Contains(domains, g.Domain)
			})
		}
		return nil
	})
	return v, withOp("workflow.User", err)
}

func seesUser(az Authorizer, actor Actor, grants []RoleGrant) bool {
	domains := staffDomains(az, actor)
	if domains == nil {
		return true
	}
	for _, g := range grants {
		if slices.Contains(domains, g.Domain) {
			return true
		}
	}
	return false
}

// staffDomains are the ministries whose users a secretariat may see; nil
// for administrators (all).
func staffDomains(az Authorizer, actor Actor) []string {
	if az.Permits(actor, PermOversee, AnyDomain, 0) {
		return nil
	}
	out := []string{}
	for _, g := range actor.Grants {
		if g.Domain != AnyDomain && !slices.Contains(out, g.Domain) && az.Permits(actor, PermOversee, g.Domain, 0) {
			out = append(out, g.Domain)
		}
	}
	return out
}

// oversees reports whether the actor is staff of some ministry (or all).
func oversees(az Authorizer, actor Actor) bool {
	d := staffDomains(az, actor)
	return d == nil || len(d) > 0
}

// ResetPassword sets a new password for the account with the given email
// (sessions already open stay open until they expire or log out);
// administrators only. Errors: Forbidden; NotFound; Invalid.
func (s *Service) ResetPassword(ctx context.Context, actor Actor, email, pw string) error {
	const op = "workflow.ResetPassword"
	if !actor.IsAdmin() {
		return withOp(op, Refuse(Forbidden, "パスワードを再設定できるのは管理者だけです", "only administrators reset passwords"))
	}
	email = normaliseEmail(email)
	if err := invalid("invalid password", checkPassword(pw, email)); err != nil {
		return withOp(op, err)
	}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		u, err := tx.UserByEmail(ctx, email)
		if err != nil {
			return err
		}
		u.PasswordHash, u.UpdatedAt = password.Hash(pw, s.passwordParams), now
		return tx.UpdateUser(ctx, &u)
	})
	return withOp(op, err)
}
