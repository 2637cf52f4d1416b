package db

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/awardflow/awardflow/workflow"
	"github.com/awardflow/awardflow/workflow/fieldtest"
)

func filled[T any]() T {
	var x T
	fieldtest.Fill(&x)
	return x
}

// roundTrip encodes a document as stored and decodes it again.
func roundTrip[D any](t *testing.T, d D) D {
	t.Helper()
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var out D
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDocumentsRoundTrip: every exported field of the domain types db
// stores as JSON survives each stored form's round trip, so a field added
// to a domain type cannot be forgotten by a converter.
func TestDocumentsRoundTrip(t *testing.T) {
	t.Run("cycle", func(t *testing.T) {
		c := filled[workflow.Cycle]()
		if got := roundTrip(t, fromCycle(&c)).cycle(); !reflect.DeepEqual(got, c) {
			t.Fatalf("cycle lost a field:\n got %+v\nwant %+v", got, c)
		}
		// The stored definition is the cycle's canonical encoding, the
		// format stored so far (pinned in workflow's canonical test).
		data, _ := json.Marshal(fromCycle(&c))
		if string(data) != string(workflow.CanonicalCycle(&c)) {
			t.Fatalf("stored definition differs from the canonical encoding:\n%s\n%s", data, workflow.CanonicalCycle(&c))
		}
	})
	t.Run("organisation snapshot", func(t *testing.T) {
		o := filled[workflow.Organisation]()
		if got := roundTrip(t, toOrganisationDoc(&o)).domain(); !reflect.DeepEqual(got, o) {
			t.Fatalf("snapshot lost a field:\n got %+v\nwant %+v", got, o)
		}
	})
	t.Run("publication content", func(t *testing.T) {
		p := filled[workflow.Publication]()
		c := roundTrip(t, fromPublicationContent(p.Fields, p.Rows))
		if got := c.fields(); !reflect.DeepEqual(got, p.Fields) {
			t.Fatalf("fields lost a field:\n got %+v\nwant %+v", got, p.Fields)
		}
		if got := c.rows(); !reflect.DeepEqual(got, p.Rows) {
			t.Fatalf("rows lost a field:\n got %+v\nwant %+v", got, p.Rows)
		}
	})
	t.Run("public correction", func(t *testing.T) {
		c := filled[workflow.PublicCorrection]()
		got := roundTrip(t, fromPublicCorrection(c)).correction()
		got.NominationID, got.UpdatedBy, got.UpdatedAt = c.NominationID, c.UpdatedBy, c.UpdatedAt // columns of the row
		if !reflect.DeepEqual(got, c) {
			t.Fatalf("correction lost a field:\n got %+v\nwant %+v", got, c)
		}
	})
	t.Run("proposal", func(t *testing.T) {
		p := filled[workflow.Proposal]()
		if got := toPairs(roundTrip(t, fromPairs(p.Pairs))); !reflect.DeepEqual(got, p.Pairs) {
			t.Fatalf("pairs lost a field:\n got %+v\nwant %+v", got, p.Pairs)
		}
		if got := roundTrip(t, fromReport(p.Report)).report(); !reflect.DeepEqual(got, p.Report) {
			t.Fatalf("report lost a field:\n got %+v\nwant %+v", got, p.Report)
		}
	})
	t.Run("decision", func(t *testing.T) {
		d := filled[workflow.Decision]()
		if got := roundTrip(t, fromDecisionSpec(d.Spec)).spec(); !reflect.DeepEqual(got, d.Spec) {
			t.Fatalf("spec lost a field:\n got %+v\nwant %+v", got, d.Spec)
		}
		if got := toOutcomes(roundTrip(t, fromOutcomes(d.Outcomes))); !reflect.DeepEqual(got, d.Outcomes) {
			t.Fatalf("outcomes lost a field:\n got %+v\nwant %+v", got, d.Outcomes)
		}
	})
}
