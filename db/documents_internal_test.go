package db

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/awardflow/awardflow/workflow"
)

// fill sets every exported field reachable from v to a distinct non-zero
// value (lists and maps get two and one entries), so a converter that
// forgets a field loses a value the round trip then misses.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString(fmt.Sprintf("s%d", *n))
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(int64(*n))
	case reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 7, 1, 9, 0, *n, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	default:
		panic("fill: no value for " + v.Type().String())
	}
}

func filled[T any]() T {
	var x T
	n := 0
	fill(reflect.ValueOf(&x).Elem(), &n)
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
}
