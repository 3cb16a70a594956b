package testsource

import "time"

// Key is a row of pgtest_keys: one column per type the destination must store natively.
type Key struct {
	KeyID   string
	Aliases []string
	Policy  map[string]any
	Created time.Time
	Enabled bool
}

// Grant is a row of pgtest_key_grants, a child table of pgtest_keys.
type Grant struct {
	GrantID    string
	Operations []string
}

// Event is a row of pgtest_events, an incremental table whose cursor lives in the state backend.
type Event struct {
	EventID int64
	Name    string
}

// Generation 1 has keys k1..k3. Generation 2 changes k1, drops k3 (and with it grant g4) and
// drops grant g2 from k1, so a second sync with overwrite-delete-stale must delete those rows.
var created = time.Date(2024, 3, 4, 5, 6, 7, 891011000, time.UTC)

// Keys returns the keys the source emits for a generation.
func Keys(generation int) []Key {
	if generation >= 2 {
		return []Key{
			{KeyID: "k1", Aliases: []string{"alias/one", "alias/one-renamed"}, Policy: policy("deny"), Created: created, Enabled: false},
			{KeyID: "k2", Aliases: []string{}, Policy: policy("allow"), Created: created.Add(time.Hour), Enabled: true},
		}
	}
	return []Key{
		{KeyID: "k1", Aliases: []string{"alias/one"}, Policy: policy("allow"), Created: created, Enabled: true},
		{KeyID: "k2", Aliases: []string{}, Policy: policy("allow"), Created: created.Add(time.Hour), Enabled: true},
		{KeyID: "k3", Aliases: nil, Policy: nil, Created: created.Add(2 * time.Hour), Enabled: true},
	}
}

// Grants returns the grants of one key for a generation.
func Grants(generation int, keyID string) []Grant {
	all := map[string][]Grant{
		"k1": {{GrantID: "g1", Operations: []string{"Decrypt", "Encrypt"}}, {GrantID: "g2", Operations: []string{"Sign"}}},
		"k2": {{GrantID: "g3", Operations: []string{"GenerateDataKey"}}},
		"k3": {{GrantID: "g4", Operations: nil}},
	}
	if generation >= 2 {
		all["k1"] = []Grant{{GrantID: "g1", Operations: []string{"Decrypt"}}}
	}
	return all[keyID]
}

// Events returns every event that exists in a generation; the source emits only those past its cursor.
func Events(generation int) []Event {
	n := 3
	if generation >= 2 {
		n = 5
	}
	events := make([]Event, n)
	for i := range events {
		events[i] = Event{EventID: int64(i + 1), Name: "event-" + string(rune('a'+i))}
	}
	return events
}

func policy(effect string) map[string]any {
	return map[string]any{"Statement": []any{map[string]any{"Effect": effect}}}
}
