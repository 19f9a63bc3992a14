package respfilter

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkCount compares, in one run, tiktoken-go's o200k_base count (the
// length of EncodeOrdinary, which Count used to be) with Count, on a warm
// piece memo and on one emptied before every call.
func BenchmarkCount(b *testing.B) {
	_, ref := testTokenizers(b)
	tok, err := NewTokenizer()
	if err != nil {
		b.Fatal(err)
	}
	sized := sizedPayloads(b)
	texts := []struct{ name, text string }{
		{"json_2KB", string(sized[1].body)},
		{"json_100KB", string(sized[2].body)},
		{"prose_100KB", proseText(100 << 10)},
	}
	for _, tx := range texts {
		run := func(name string, count func(string) int, before func()) {
			b.Run(tx.name+"/"+name, func(b *testing.B) {
				b.SetBytes(int64(len(tx.text)))
				for b.Loop() {
					if before != nil {
						b.StopTimer()
						before()
						b.StartTimer()
					}
					count(tx.text)
				}
			})
		}
		run("tiktoken-go", ref.count, nil)
		run("Count", tok.Count, nil)
		// Emptying the memo is not timed.
		run("Count_cold", tok.Count, tok.memo.reset)
	}
}

// reset empties the memo.
func (m *pieceMemo) reset() {
	for i := range m.short {
		m.short[i].Store(0)
	}
	for i := range m.long {
		m.long[i].Store(nil)
	}
}

// commonWords make up most of the generated prose.
var commonWords = strings.Fields(`the of and to a in is it that was for on are as with he they be at one have
this from or had by word but what some we can out other were all there when up use your how said an each she which
do their time if will way about many then them write would like so these her long make thing see him two has look
more day could go come did number sound no most people my over know water than call first who may down side been
now find any new work part take get place made live where after back little only round man year came show every
good me give our under name very through just form sentence great think say help low line differ turn cause much
mean before move right boy old too same tell does set three want air well also play small end put home read hand
port large spell add even land here must big high such follow act why ask men change went light kind off need house
picture try us again animal point mother world near build self earth father request response server client deploy
release invoice customer shipping warehouse timeout retry database schema migration token budget filter cache`)

// proseText generates n bytes of English-like prose: sentences of common
// words with a long tail of rare made-up words, capitals, contractions,
// numbers, punctuation and paragraphs, from a fixed seed.
func proseText(n int) string {
	rng := rand.New(rand.NewPCG(42, 99))
	syllables := []string{"ka", "tor", "vin", "el", "qua", "mir", "sto", "zen", "bri", "lum", "ox", "dra", "fen", "ulp", "gri"}
	word := func() string {
		switch r := rng.IntN(100); {
		case r < 8:
			var w strings.Builder
			for range rng.IntN(3) + 2 {
				w.WriteString(syllables[rng.IntN(len(syllables))])
			}
			return w.String()
		case r < 10:
			return strconv.Itoa(rng.IntN(100000))
		case r < 12:
			return []string{"don't", "it's", "we'll", "they're", "you've", "I'm", "she'd"}[rng.IntN(7)]
		}
		// A squared index favours the first words, as real text does.
		f := rng.Float64()
		return commonWords[int(f*f*float64(len(commonWords)))]
	}
	var b strings.Builder
	for b.Len() < n {
		for s := range rng.IntN(5) + 2 {
			for i := range rng.IntN(14) + 4 {
				w := word()
				if i == 0 {
					w = strings.ToUpper(w[:1]) + w[1:]
					if s > 0 {
						b.WriteByte(' ')
					}
				} else {
					b.WriteByte(' ')
				}
				b.WriteString(w)
				if rng.IntN(12) == 0 {
					b.WriteByte(',')
				}
			}
			b.WriteString([]string{".", ".", ".", "?", "!", ":"}[rng.IntN(6)])
		}
		b.WriteString("\n\n")
	}
	return b.String()[:n]
}
