package workflow

import (
	"testing"
	"time"
)

func TestEffectiveWindows(t *testing.T) {
	at := func(d int) time.Time { return time.Date(2026, 8, d, 0, 0, 0, 0, Tokyo) }
	file := Programme{Key: "p", Call: Window{at(1), at(10)},
		Stages: []Stage{{Key: "s", Judging: &Judging{Window: Window{at(11), at(20)}}}, {Key: "plain"}}}
	tests := []struct {
		name          string
		changes       []WindowChange
		call, judging Window
	}{
		{"no changes: the file's", nil, Window{at(1), at(10)}, Window{at(11), at(20)}},
		{"call extended", []WindowChange{{Programme: "p", Seq: 1, Window: Window{at(1), at(15)}}}, Window{at(1), at(15)}, Window{at(11), at(20)}},
		{"newest wins, in any order", []WindowChange{
			{Programme: "p", Stage: "s", Seq: 2, Window: Window{at(11), at(25)}},
			{Programme: "p", Stage: "s", Seq: 1, Window: Window{at(11), at(22)}},
		}, Window{at(1), at(10)}, Window{at(11), at(25)}},
		{"another programme's and unknown stages ignored", []WindowChange{
			{Programme: "q", Seq: 1, Window: Window{at(1), at(28)}},
			{Programme: "p", Stage: "plain", Seq: 1, Window: Window{at(1), at(28)}},
		}, Window{at(1), at(10)}, Window{at(11), at(20)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := EffectiveWindows(&file, tc.changes)
			if p.Call != tc.call || p.Stages[0].Judging.Window != tc.judging {
				t.Errorf("call %v judging %v, want %v %v", p.Call, p.Stages[0].Judging.Window, tc.call, tc.judging)
			}
			if file.Call != (Window{at(1), at(10)}) || file.Stages[0].Judging.Window != (Window{at(11), at(20)}) {
				t.Fatal("the stored programme was modified")
			}
		})
	}
}
