package workflow

import (
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/awardflow/awardflow/workflow/expr"
)

// FieldType is the type of an application-form field.
type FieldType string

// The field types. Canonical answer values: text, long_text, choice, date
// ("2026-07-31"), prefecture ("13") and industry ("G") are strings; integer
// is an int64; decimal is its exact decimal text ("4.5"); boolean is a bool;
// multi_choice is a []string of choice keys.
const (
	FieldText        FieldType = "text"
	FieldLongText    FieldType = "long_text"
	FieldInteger     FieldType = "integer"
	FieldDecimal     FieldType = "decimal"
	FieldChoice      FieldType = "choice"
	FieldMultiChoice FieldType = "multi_choice"
	FieldBoolean     FieldType = "boolean"
	FieldDate        FieldType = "date"
	FieldPrefecture  FieldType = "prefecture"
	FieldIndustry    FieldType = "industry"
)

var fieldTypes = map[FieldType]expr.Type{
	FieldText: expr.String, FieldLongText: expr.String, FieldInteger: expr.Number,
	FieldDecimal: expr.Number, FieldChoice: expr.String, FieldMultiChoice: 0,
	FieldBoolean: expr.Bool, FieldDate: expr.String, FieldPrefecture: expr.String,
	FieldIndustry: expr.String,
}

// Default text lengths, in characters.
const (
	defaultTextLength     = 200
	defaultLongTextLength = 4000
)

// Form is a programme's application form.
type Form struct {
	Fields []Field
}

// Field is one typed question of a form. Only fields marked Public are ever
// published.
type Field struct {
	Key       string
	Label     Text
	Help      Text
	Type      FieldType
	Required  bool
	Public    bool
	Min       *float64 // integer, decimal: value; multi_choice: selections
	Max       *float64 // as Min
	MaxLength int      // text, long_text: characters
	Choices   []Choice // choice, multi_choice
}

// Choice is one option of a choice or multi_choice field.
type Choice struct {
	Key   string
	Label Text
}

// Answers holds a nomination's answers by field key, in canonical form (see FieldType).
type Answers map[string]any

var fieldKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// orgVars are the organisation's figures that eligibility conditions may use.
var orgVars = map[string]expr.Type{
	"org.total_headcount":   expr.Number,
	"org.regular_headcount": expr.Number,
	"org.capital":           expr.Number,
	"org.sme":               expr.Bool,
	"org.small":             expr.Bool,
	"org.prefecture":        expr.String,
	"org.industry":          expr.String,
}

// check validates the form and returns the variables its conditions may use.
func (f *Form) check(v *checker, path string) map[string]expr.Type {
	vars := map[string]expr.Type{}
	for k, t := range orgVars {
		vars[k] = t
	}
	if len(f.Fields) == 0 {
		v.add(path+".fields", "at least one field is required")
	}
	for i, fd := range f.Fields {
		fp := fmt.Sprintf("%s.fields[%d]", path, i)
		if !fieldKeyPattern.MatchString(fd.Key) {
			v.add(fp+".key", fmt.Sprintf("must start with a letter and hold only a-z, 0-9 and _, not %q", fd.Key))
		} else if _, dup := vars[fd.Key]; dup {
			v.add(fp+".key", fmt.Sprintf("duplicate field key %q", fd.Key))
		}
		v.text(fp+".label", fd.Label)
		v.optionalText(fp+".help", fd.Help, true)
		t, ok := fieldTypes[fd.Type]
		if !ok {
			v.add(fp+".type", fmt.Sprintf("unknown field type %q", fd.Type))
			continue
		}
		if t != 0 {
			vars[fd.Key] = t
		} else {
			vars[fd.Key] = 0 // declared, but not usable in conditions
		}
		numeric := fd.Type == FieldInteger || fd.Type == FieldDecimal || fd.Type == FieldMultiChoice
		if !numeric && (fd.Min != nil || fd.Max != nil) {
			v.add(fp, "min and max apply only to integer, decimal and multi_choice fields")
		}
		if fd.Min != nil && fd.Max != nil && *fd.Max < *fd.Min {
			v.add(fp+".max", "must be ≥ min")
		}
		if fd.Type == FieldInteger || fd.Type == FieldMultiChoice {
			for name, lim := range map[string]*float64{"min": fd.Min, "max": fd.Max} {
				if lim != nil && *lim != float64(int64(*lim)) {
					v.add(fp+"."+name, "must be a whole number")
				}
			}
		}
		text := fd.Type == FieldText || fd.Type == FieldLongText
		switch {
		case fd.MaxLength != 0 && !text:
			v.add(fp+".max_length", "applies only to text and long_text fields")
		case fd.MaxLength < 0:
			v.add(fp+".max_length", "must be positive")
		}
		choice := fd.Type == FieldChoice || fd.Type == FieldMultiChoice
		if choice && len(fd.Choices) == 0 {
			v.add(fp+".choices", "a choice field needs at least one choice")
		}
		if !choice && len(fd.Choices) > 0 {
			v.add(fp+".choices", "apply only to choice and multi_choice fields")
		}
		keys := map[string]bool{}
		for j, c := range fd.Choices {
			cp := fmt.Sprintf("%s.choices[%d]", fp, j)
			v.key(cp+".key", c.Key)
			if keys[c.Key] {
				v.add(cp+".key", fmt.Sprintf("duplicate choice key %q", c.Key))
			}
			keys[c.Key] = true
			v.text(cp+".label", c.Label)
		}
	}
	for k, t := range vars {
		if t == 0 {
			delete(vars, k)
		}
	}
	return vars
}

// Field returns the field with key k.
func (f *Form) Field(k string) (*Field, bool) {
	for i := range f.Fields {
		if f.Fields[i].Key == k {
			return &f.Fields[i], true
		}
	}
	return nil, false
}

// Apply merges a patch of raw answers (as decoded from JSON with UseNumber,
// or typed by hand) into a copy of a, normalising each value to its
// canonical form; a nil value clears the answer. Every problem is reported,
// with the path "answers.KEY". Required fields are not checked here (a draft
// may be incomplete): see Missing.
func (f *Form) Apply(a Answers, patch map[string]any) (Answers, []Problem) {
	out := make(Answers, len(a)+len(patch))
	for k, v := range a {
		out[k] = v
	}
	var ps []Problem
	keys := make([]string, 0, len(patch))
	for k := range patch {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		raw := patch[k]
		path := "answers." + k
		fd, ok := f.Field(k)
		if !ok {
			ps = append(ps, problem(path, "unknown_field", "この項目はフォームにありません", "is not a field of this form"))
			continue
		}
		if raw == nil {
			delete(out, k)
			continue
		}
		v, p := fd.normalise(raw)
		if p != nil {
			p.Path = path
			ps = append(ps, *p)
			continue
		}
		out[k] = v
	}
	return out, ps
}

// Missing reports the required fields without an answer, and any answer
// that no longer fits the form (after a new cycle version).
func (f *Form) Missing(a Answers) []Problem {
	var ps []Problem
	for _, fd := range f.Fields {
		v, ok := a[fd.Key]
		if !ok || isEmpty(v) {
			if fd.Required {
				ps = append(ps, problem("answers."+fd.Key, "required", "必須項目です", "is required"))
			}
			continue
		}
		if _, p := fd.normalise(v); p != nil {
			p.Path = "answers." + fd.Key
			ps = append(ps, *p)
		}
	}
	for k := range a {
		if _, ok := f.Field(k); !ok {
			ps = append(ps, problem("answers."+k, "unknown_field", "この項目はフォームにありません", "is not a field of this form"))
		}
	}
	return ps
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []any:
		return len(x) == 0
	}
	return v == nil
}

var decimalPattern = regexp.MustCompile(`^-?[0-9]{1,15}(\.[0-9]{1,6})?$`)

func bad(code, ja, en string) *Problem {
	p := problem("", code, ja, en)
	return &p
}

// normalise converts a raw answer to the field's canonical value.
func (fd *Field) normalise(raw any) (any, *Problem) {
	switch fd.Type {
	case FieldText, FieldLongText:
		s, ok := raw.(string)
		if !ok {
			return nil, bad("type", "文字列で入力してください", "must be text")
		}
		long := fd.Type == FieldLongText
		s = strings.TrimSpace(s)
		if p := textProblem("", s, long); p != nil {
			return nil, p
		}
		max := fd.MaxLength
		if max == 0 {
			max = defaultTextLength
			if long {
				max = defaultLongTextLength
			}
		}
		if n := utf8.RuneCountInString(s); n > max {
			return nil, bad("too_long", fmt.Sprintf("%d文字以内で入力してください", max), fmt.Sprintf("must be at most %d characters", max))
		}
		return s, nil
	case FieldInteger, FieldDecimal:
		text, ok := numberText(raw)
		if !ok || !decimalPattern.MatchString(text) || (fd.Type == FieldInteger && strings.Contains(text, ".")) {
			if fd.Type == FieldInteger {
				return nil, bad("not_integer", "整数で入力してください", "must be a whole number")
			}
			return nil, bad("not_number", "数値で入力してください", "must be a number")
		}
		r, _ := new(big.Rat).SetString(text)
		if p := fd.checkRange(r, "値", "value"); p != nil {
			return nil, p
		}
		if fd.Type == FieldInteger {
			n, _ := strconv.ParseInt(text, 10, 64)
			return n, nil
		}
		return canonicalDecimal(text), nil
	case FieldBoolean:
		b, ok := raw.(bool)
		if !ok {
			return nil, bad("type", "はい・いいえで回答してください", "must be true or false")
		}
		return b, nil
	case FieldDate:
		s, ok := raw.(string)
		if ok {
			s = normalise(s)
		}
		if _, err := time.Parse(time.DateOnly, s); !ok || err != nil {
			return nil, bad("not_date", "日付をYYYY-MM-DD形式で入力してください", "must be a date YYYY-MM-DD")
		}
		return s, nil
	case FieldPrefecture:
		s, ok := raw.(string)
		if ok {
			s = normalise(s)
		}
		if _, known := PrefectureByCode(s); !ok || !known {
			return nil, bad("unknown_prefecture", "都道府県コード（01〜47）で入力してください", "must be a prefecture code 01–47")
		}
		return s, nil
	case FieldIndustry:
		s, ok := raw.(string)
		if ok {
			s = normalise(s)
		}
		if _, known := IndustryByCode(s); !ok || !known {
			return nil, bad("unknown_industry", "日本標準産業分類の大分類（A〜T）で入力してください", "must be a JSIC major division A–T")
		}
		return s, nil
	case FieldChoice:
		s, ok := raw.(string)
		if !ok || !fd.hasChoice(s) {
			return nil, bad("unknown_choice", "選択肢から選んでください", "must be one of the choices")
		}
		return s, nil
	case FieldMultiChoice:
		var list []string
		switch x := raw.(type) {
		case []string:
			list = x
		case []any:
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, bad("unknown_choice", "選択肢から選んでください", "must be a list of choices")
				}
				list = append(list, s)
			}
		default:
			return nil, bad("type", "選択肢の一覧で回答してください", "must be a list of choices")
		}
		seen := map[string]bool{}
		out := make([]string, 0, len(list))
		for _, s := range list {
			if !fd.hasChoice(s) {
				return nil, bad("unknown_choice", "選択肢から選んでください", fmt.Sprintf("%q is not one of the choices", s))
			}
			if seen[s] {
				return nil, bad("duplicate_choice", "同じ選択肢が重複しています", fmt.Sprintf("%q is chosen twice", s))
			}
			seen[s] = true
			out = append(out, s)
		}
		if p := fd.checkRange(new(big.Rat).SetInt64(int64(len(out))), "選択数", "number of choices"); p != nil {
			return nil, p
		}
		return out, nil
	}
	return nil, bad("type", "不明な項目の型です", "has an unknown type")
}

func (fd *Field) hasChoice(k string) bool {
	for _, c := range fd.Choices {
		if c.Key == k {
			return true
		}
	}
	return false
}

func (fd *Field) checkRange(r *big.Rat, ja, en string) *Problem {
	if fd.Min != nil && r.Cmp(ratOf(*fd.Min)) < 0 {
		m := strconv.FormatFloat(*fd.Min, 'f', -1, 64)
		return bad("out_of_range", fmt.Sprintf("%sは%s以上にしてください", ja, m), fmt.Sprintf("%s must be at least %s", en, m))
	}
	if fd.Max != nil && r.Cmp(ratOf(*fd.Max)) > 0 {
		m := strconv.FormatFloat(*fd.Max, 'f', -1, 64)
		return bad("out_of_range", fmt.Sprintf("%sは%s以下にしてください", ja, m), fmt.Sprintf("%s must be at most %s", en, m))
	}
	return nil
}

// ratOf converts a configured limit exactly as written: 0.1 means one tenth,
// not the nearest binary fraction.
func ratOf(f float64) *big.Rat {
	r, _ := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	return r
}

// numberText returns the decimal text of a raw number: a JSON number, a Go
// number, or a string that may hold full-width digits (７), thousands
// separators are not accepted.
func numberText(raw any) (string, bool) {
	switch x := raw.(type) {
	case json.Number:
		return x.String(), true
	case string:
		return normalise(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// canonicalDecimal strips redundant zeros: "04.50" → "4.5", "-0.0" → "0".
func canonicalDecimal(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	intPart = strings.TrimLeft(intPart, "0")
	frac = strings.TrimRight(frac, "0")
	if intPart == "" {
		intPart = "0"
	}
	if frac != "" {
		intPart += "." + frac
	}
	if neg && intPart != "0" {
		return "-" + intPart
	}
	return intPart
}
