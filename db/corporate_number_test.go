package db_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/awardflow/awardflow/db"
	"github.com/awardflow/awardflow/db/dbtest"
	"github.com/awardflow/awardflow/workflow"
)

func telework(number string) workflow.Organisation {
	return workflow.Organisation{Name: "株式会社テレワーク工房", NameKana: "テレワークコウボウ", LegalForm: "kabushiki_kaisha",
		CorporateNumber: number, Prefecture: "13", Municipality: "港区", Industry: "E", TotalHeadcount: 30, RegularHeadcount: 25}
}

// wantTaken checks err is the refusal of a taken corporate number: Conflict,
// saying in both languages how to be added as a contact, naming nothing of
// the existing organisation but the number the caller sent.
func wantTaken(t *testing.T, err error, number string) {
	t.Helper()
	var e *workflow.Error
	if workflow.ErrorCode(err) != workflow.Conflict || !errors.As(err, &e) {
		t.Fatalf("error = %v, want Conflict", err)
	}
	if !strings.Contains(e.Ja, "法人番号 "+number) || !strings.Contains(e.Ja, "既存の担当者に招待を依頼") ||
		!strings.Contains(e.Message, "ask one of its existing contacts to invite you") {
		t.Fatalf("message = %q / %q", e.Ja, e.Message)
	}
	if strings.Contains(e.Ja, "テレワーク工房") || strings.Contains(e.Message, "テレワーク工房") {
		t.Fatalf("message reveals the existing organisation: %q", e.Ja)
	}
}

// TestOneOrganisationPerCorporateNumber: a second organisation with a taken
// corporate number is refused with 409's explanation, whether it is created
// or updated to it, by an applicant or by staff; organisations without a
// number are not constrained; the unique index catches a writer that skips
// the service's check.
func TestOneOrganisationPerCorporateNumber(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		const number = "7000012050002"
		first, err := e.svc.CreateOrganisation(e.ctx, admin, telework(number))
		if err != nil {
			t.Fatal(err)
		}
		applicant := workflow.Actor{ID: "applicant-x", Grants: []workflow.Grant{{Role: workflow.RoleApplicant, Domain: workflow.AnyDomain}}}
		for name, actor := range map[string]workflow.Actor{"staff": admin, "applicant": applicant} {
			_, err := e.svc.CreateOrganisation(e.ctx, actor, telework("７０００012050002")) // the same, full-width
			if err != nil {
				wantTaken(t, err, number)
			} else {
				t.Fatalf("%s created a second organisation with %s", name, number)
			}
		}
		// Without a number, any number of organisations.
		for range 2 {
			if _, err := e.svc.CreateOrganisation(e.ctx, admin, telework("")); err != nil {
				t.Fatal(err)
			}
		}
		other, err := e.svc.CreateOrganisation(e.ctx, admin, telework("2120901007402"))
		if err != nil {
			t.Fatal(err)
		}
		moved := other
		moved.CorporateNumber = number
		_, err = e.svc.UpdateOrganisation(e.ctx, admin, moved, other.Version)
		wantTaken(t, err, number)
		// Keeping one's own number is no conflict.
		first.Municipality = "千代田区"
		if _, err := e.svc.UpdateOrganisation(e.ctx, admin, first, first.Version); err != nil {
			t.Fatal(err)
		}
		// A writer that skipped the check (a race) meets the index.
		err = db.NewStore(d).InTx(e.ctx, func(tx workflow.Tx) error {
			o := telework(number)
			return tx.InsertOrganisation(e.ctx, &o)
		})
		wantTaken(t, err, number)
		err = db.NewStore(d).InTx(e.ctx, func(tx workflow.Tx) error {
			o, err := tx.Organisation(e.ctx, other.ID)
			if err != nil {
				return err
			}
			o.CorporateNumber, o.Version = number, o.Version+1
			return tx.UpdateOrganisation(e.ctx, &o, o.Version-1)
		})
		wantTaken(t, err, number)
	})
}

// TestCorporateNumberMigrationRefusesDuplicates: over a database that
// already holds two organisations with one number, the migration stops with
// a message saying to merge them, and leaves the schema as it was.
func TestCorporateNumberMigrationRefusesDuplicates(t *testing.T) {
	const migration = "20261203050001"
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		for _, q := range []string{
			"DROP INDEX organisations_corporate_number",
			"CREATE INDEX organisations_corporate_number ON organisations (corporate_number)",
			"DELETE FROM bun_migrations WHERE name = '" + migration + "'",
		} {
			if _, err := d.Bun.ExecContext(ctx, q); err != nil {
				t.Fatal(q, err)
			}
		}
		if _, err := e.svc.CreateOrganisation(ctx, admin, telework("7123456789012")); err != nil {
			t.Fatal(err)
		}
		const cols = "name, name_kana, legal_form, corporate_number, prefecture, municipality, industry, sme_sector, " +
			"total_headcount, regular_headcount, capital, version, created_at, updated_at"
		if _, err := d.Bun.ExecContext(ctx, "INSERT INTO organisations ("+cols+") SELECT "+cols+
			" FROM organisations WHERE corporate_number = '7123456789012'"); err != nil {
			t.Fatal(err)
		}
		_, err := d.Migrate(ctx)
		if err == nil || !strings.Contains(err.Error(), "merge_organisations_sharing_a_corporate_number_first") {
			t.Fatalf("migrate over duplicates: %v", err)
		}
		t.Log(err)
		if err := d.CheckSchema(ctx); err == nil {
			t.Fatal("the refused migration is recorded as applied")
		}
		// Once merged, it applies.
		if _, err := d.Bun.ExecContext(ctx, "UPDATE organisations SET corporate_number = NULL WHERE id = (SELECT MAX(id) FROM organisations)"); err != nil {
			t.Fatal(err)
		}
		if names, err := d.Migrate(ctx); err != nil || len(names) != 1 || names[0] != migration {
			t.Fatalf("migrate after the merge: %v, %v", names, err)
		}
		if _, err := e.svc.CreateOrganisation(ctx, admin, telework("7123456789012")); workflow.ErrorCode(err) != workflow.Conflict {
			t.Fatalf("after the migration: %v", err)
		}
	})
}
