package workflow

import "testing"

// TestNameKey: names of the same organisation have one key, whatever the
// legal form's position and notation, width, case, spaces and punctuation;
// different organisations keep different keys; a bare legal form has none.
func TestNameKey(t *testing.T) {
	const base = "テレワク工房" // the key of テレワーク工房
	same := []string{
		"テレワーク工房",
		"株式会社テレワーク工房",
		"テレワーク工房株式会社",
		"テレワーク工房 株式会社",
		"株式会社　テレワーク工房",
		"(株)テレワーク工房",
		"（株）テレワーク工房",
		"テレワーク工房（株）",
		"㈱テレワーク工房",
		"テレワーク工房㈱",
		"㍿テレワーク工房",
		"ﾃﾚﾜｰｸ工房",
		"ﾃﾚﾜｰｸ工房 (株)",
		"テレワーク　工房",
		"テレ・ワーク工房",
		"テレワ－ク工房", // full-width hyphen-minus for the long-vowel mark
		"テレワーク工房。",
		"「テレワーク工房」",
		"有限会社テレワーク工房",
		"テレワーク工房有限会社",
		"(有)テレワーク工房",
		"㈲テレワーク工房",
		"合同会社テレワーク工房",
		"テレワーク工房合同会社",
		"(同)テレワーク工房",
		"合資会社テレワーク工房",
		"(資)テレワーク工房",
		"合名会社テレワーク工房",
		"(名)テレワーク工房",
		"一般社団法人テレワーク工房",
		"(一社)テレワーク工房",
		"公益社団法人テレワーク工房",
		"(公社)テレワーク工房",
		"一般財団法人テレワーク工房",
		"(一財)テレワーク工房",
		"公益財団法人テレワーク工房",
		"(公財)テレワーク工房",
		"特定非営利活動法人テレワーク工房",
		"NPO法人テレワーク工房",
		"ＮＰＯ法人テレワーク工房",
		"認定NPO法人テレワーク工房",
		"テレワーク工房(特非)",
		"社会福祉法人テレワーク工房",
		"(福)テレワーク工房",
		"医療法人テレワーク工房",
		"医療法人社団テレワーク工房",
		"学校法人テレワーク工房",
		"テレワーク工房 Co., Ltd.",
		"テレワーク工房Co.,Ltd.",
		"テレワーク工房 CO., LTD.",
		"テレワーク工房 Inc.",
		"テレワーク工房 K.K.",
		"テレワーク工房 LLC",
		"テレワーク工房 Corp.",
		"テレワーク工房 Corporation",
		"テレワーク工房 Limited",
	}
	for _, name := range same {
		if got := NameKey(name); got != base {
			t.Errorf("NameKey(%q) = %q, want %q", name, got, base)
		}
	}
	for _, c := range []struct{ a, b string }{
		{"Telework Kobo Co., Ltd.", "TELEWORK KOBO"},
		{"Telework Kobo Inc.", "telework-kobo"},
		{"Ｔｅｌｅｗｏｒｋ　Ｋｏｂｏ", "Telework Kobo K.K."},
		{"ABC株式会社", "ａｂｃ"},
		{"霞ヶ関商事", "霞ケ関商事"},
		{"霞ヶ関商事株式会社", "(株)霞ケ関商事"},
		{"スリーヵ年計画", "スリーカ年計画"},
		{"エヌ・ティ・ティ", "エヌティティ"},
		{"第１工業", "第1工業"},
		{"Incubator", "Incubator Inc."},
		{"Co-op Tokyo", "CO-OP TOKYO Co., Ltd."},
	} {
		if ka, kb := NameKey(c.a), NameKey(c.b); ka != kb || ka == "" {
			t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q; want the same, not empty", c.a, ka, c.b, kb)
		}
	}
	for _, c := range []struct{ a, b string }{
		{"テレワーク工房", "テレワーク工業"},
		{"株式会社テレワーク", "株式会社テレワーク工房"},
		{"Incubator", "Cubator"}, // "inc" is dropped as a word, not inside one
		{"Cooperative Japan", "Operative Japan"},
		{"第1工業", "第2工業"},
	} {
		if ka, kb := NameKey(c.a), NameKey(c.b); ka == kb {
			t.Errorf("NameKey(%q) = NameKey(%q) = %q; want different", c.a, c.b, ka)
		}
	}
	for _, name := range []string{"", " ", "株式会社", "（株）", "㈱", "Co., Ltd.", "合同会社 LLC", "・", "特定非営利活動法人"} {
		if got := NameKey(name); got != "" {
			t.Errorf("NameKey(%q) = %q, want empty", name, got)
		}
	}
}
