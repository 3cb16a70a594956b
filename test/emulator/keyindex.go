package emulator

import "sync"

// keyIndex finds a region's key by id or ARN, with its place in ListKeys order, without a scan
// of the region's keys on every call (a region holds thousands). It answers as RegionData.Key
// does. A region's index is rebuilt when its key list is replaced or grows: the World's
// mutations add a key to a fresh copy of the list.
type keyIndex struct {
	regions sync.Map // *RegionData -> *regionKeys
}

type regionKeys struct {
	first **Key // &rd.Keys[0] when built, nil for an empty list
	n     int
	at    map[string]int // key id and key ARN -> position in rd.Keys
}

// find returns the key whose id or ARN is idOrARN and its 1-based place in rd.Keys, or nil
// and 0. The caller holds the World's lock (Read or Write).
func (x *keyIndex) find(rd *RegionData, idOrARN string) (*Key, int) {
	idx := x.current(rd)
	i, ok := idx.at[idOrARN]
	if !ok {
		return nil, 0
	}
	if k := rd.Keys[i]; k.ID() == idOrARN || k.ARN() == idOrARN {
		return k, i + 1
	}
	// The list was changed in place: build the index again.
	x.regions.Delete(rd)
	return x.find(rd, idOrARN)
}

func (x *keyIndex) current(rd *RegionData) *regionKeys {
	var first **Key
	if len(rd.Keys) > 0 {
		first = &rd.Keys[0]
	}
	if v, ok := x.regions.Load(rd); ok {
		if idx := v.(*regionKeys); idx.first == first && idx.n == len(rd.Keys) {
			return idx
		}
	}
	idx := &regionKeys{first: first, n: len(rd.Keys), at: make(map[string]int, 2*len(rd.Keys))}
	for i, k := range rd.Keys {
		// The first key in list order wins, as in RegionData.Key.
		if _, dup := idx.at[k.ID()]; !dup {
			idx.at[k.ID()] = i
		}
		if _, dup := idx.at[k.ARN()]; !dup {
			idx.at[k.ARN()] = i
		}
	}
	x.regions.Store(rd, idx)
	return idx
}
