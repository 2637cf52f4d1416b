package workflow

import (
	"context"
	"time"
)

// CreateOrganisation validates and stores an organisation. An applicant
// creates the one it will act for, once, and is bound to it in the same
// transaction; staff may create any.
//
// Errors: Invalid with every problem; Forbidden for judges and chairs;
// Conflict if an applicant already acts for an organisation or another
// organisation holds the corporate number (CorporateNumberTaken).
func (s *Service) CreateOrganisation(ctx context.Context, actor Actor, o Organisation) (Organisation, error) {
	const op = "workflow.CreateOrganisation"
	if !actor.IsStaff() && !actor.Has(RoleApplicant, AnyDomain) {
		return Organisation{}, &Error{Op: op, Code: Forbidden, Message: "only applicants and the secretariat create organisations", Ja: "団体を登録できるのは応募者と事務局だけです"}
	}
	o = o.Normalise()
	if err := invalid("invalid organisation", o.Validate()); err != nil {
		return Organisation{}, withOp(op, err)
	}
	applicant := !actor.IsStaff()
	if applicant && actor.OrganisationID != 0 {
		return Organisation{}, &Error{Op: op, Code: Conflict, Message: "this account already acts for an organisation", Ja: "このアカウントはすでに団体の担当者として登録されています"}
	}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		o.ID, o.Version, o.CreatedAt, o.UpdatedAt = 0, 1, now, now
		if err := checkCorporateNumber(ctx, tx, o); err != nil {
			return err
		}
		if err := tx.InsertOrganisation(ctx, &o); err != nil {
			return err
		}
		if applicant { // the signed-up applicant now acts for it
			return tx.BindOrganisation(ctx, actor.UserID, o.ID)
		}
		return nil
	})
	return o, withOp(op, err)
}

// Organisation returns an organisation the actor may see: an applicant only
// its own. Errors: NotFound.
func (s *Service) Organisation(ctx context.Context, actor Actor, id int64) (Organisation, error) {
	const op = "workflow.Organisation"
	if !actor.IsStaff() && actor.OrganisationID != id {
		return Organisation{}, withOp(op, Refuse(NotFound, "団体 %d は見つかりません", "no such organisation %d", id))
	}
	var o Organisation
	err := s.inTx(ctx, func(tx Tx, _ time.Time) error {
		var err error
		o, err = tx.Organisation(ctx, id)
		return err
	})
	return o, withOp(op, err)
}

// UpdateOrganisation replaces an organisation's record if its version is
// still expected. Submitted nominations keep their snapshot.
//
// Errors: NotFound; Invalid; Conflict on a stale version or a corporate
// number another organisation holds.
func (s *Service) UpdateOrganisation(ctx context.Context, actor Actor, o Organisation, expected int) (Organisation, error) {
	const op = "workflow.UpdateOrganisation"
	if !actor.IsStaff() && actor.OrganisationID != o.ID {
		return Organisation{}, withOp(op, Refuse(NotFound, "団体 %d は見つかりません", "no such organisation %d", o.ID))
	}
	o = o.Normalise()
	if err := invalid("invalid organisation", o.Validate()); err != nil {
		return Organisation{}, withOp(op, err)
	}
	err := s.inTx(ctx, func(tx Tx, now time.Time) error {
		old, err := tx.Organisation(ctx, o.ID)
		if err != nil {
			return err
		}
		if old.Version != expected {
			return Refuse(Conflict, "この団体の情報は他の操作で更新されました（現在の版 %[2]d、編集した版 %[3]d）。再読み込みしてからやり直してください",
				"organisation %[1]d is at version %[2]d, not %[3]d; reload and try again", o.ID, old.Version, expected)
		}
		if err := checkCorporateNumber(ctx, tx, o); err != nil {
			return err
		}
		o.CreatedAt, o.UpdatedAt, o.Version = old.CreatedAt, now, expected+1
		if err := tx.UpdateOrganisation(ctx, &o, expected); err != nil {
			return err
		}
		return s.reevaluateOrganisation(ctx, tx, o.ID, now)
	})
	return o, withOp(op, err)
}

// Organisations lists and searches organisations, oldest first, a page at
// a time; staff only.
func (s *Service) Organisations(ctx context.Context, actor Actor, f OrganisationFilter) ([]Organisation, PageInfo, error) {
	if !actor.IsStaff() {
		return nil, PageInfo{}, &Error{Op: "workflow.Organisations", Code: Forbidden, Message: "staff only", Ja: "団体の一覧は職員だけが見られます"}
	}
	f.Q = normalise(f.Q)
	filters := []string{f.Q, f.Prefecture, f.Industry}
	var err error
	if f.Page, err = f.Page.open("organisations", filters...); err != nil {
		return nil, PageInfo{}, withOp("workflow.Organisations", err)
	}
	var (
		os    []Organisation
		total int
	)
	err = listRun(s.store, f.Total)(ctx, func(tx Tx) error {
		var err error
		os, total, err = tx.SearchOrganisations(ctx, f)
		return err
	})
	n, info := f.Page.close(len(os), func(i int) int64 { return os[i].ID }, total, "organisations", filters...)
	return os[:n], info, withOp("workflow.Organisations", err)
}
