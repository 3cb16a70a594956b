package emulator

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// KeyLastUsage is GetKeyLastUsage's answer for a key (kms v1.63.0, API reference
// "GetKeyLastUsage"): the tracking start date is "the date from which KMS began recording
// cryptographic activity for this key, or the date the KMS key was created, whichever is
// later"; Data is "an empty object" when the key has not been used since tracking began.
type KeyLastUsage struct {
	TrackingStartDate time.Time
	Data              kmstypes.KeyLastUsageData
}

// Used reports whether the key was used since its tracking start.
func (u *KeyLastUsage) Used() bool { return u != nil && u.Data.Timestamp != nil }

// UsageTrackingBegan is when the emulated KMS began recording key use: 240 days before Now.
func (w *World) UsageTrackingBegan() time.Time { return w.Now.AddDate(0, 0, -240) }

// generateLastUsage gives every key its last use, from a stream of its own per key, so the
// rest of the World is the same with or without it:
//   - "symmetric-static" (the legacy key), "disabled" and "pending-deletion" keys: unused
//     since their tracking start;
//   - "symmetric-rotating" (the shared application key): used within the last day;
//   - the others: used within the last day, days to months ago, or not at all.
func (w *World) generateLastUsage() {
	began := w.UsageTrackingBegan()
	for _, rd := range w.Regions {
		for _, k := range rd.Keys {
			r := newRNG(w.Config.Seed, "last-usage", rd.Account, rd.Region, k.ID())
			start := began
			if k.Metadata.CreationDate.After(start) {
				start = *k.Metadata.CreationDate
			}
			u := &KeyLastUsage{TrackingStartDate: start}
			k.LastUsage = u
			var at time.Time
			switch k.Kind {
			case "symmetric-static", "disabled", "pending-deletion":
				continue
			case "symmetric-rotating":
				at = r.timeBetween(w.Now.Add(-20*time.Hour), w.Now.Add(-5*time.Minute))
			default:
				switch p := r.Float64(); {
				case p < 0.3:
					continue
				case p < 0.5:
					at = r.timeBetween(w.Now.Add(-20*time.Hour), w.Now.Add(-5*time.Minute))
				default:
					at = r.timeBetween(w.Now.AddDate(0, 0, -150), w.Now.AddDate(0, 0, -2))
				}
				if !at.After(start) {
					continue
				}
			}
			ops := trackedOperations(k.Metadata)
			u.Data = kmstypes.KeyLastUsageData{
				Timestamp:         aws.Time(at),
				Operation:         ops[r.IntN(len(ops))],
				CloudTrailEventId: aws.String(r.uuid()),
				KmsRequestId:      aws.String(r.uuid()),
			}
		}
	}
}

// trackedOperations are the tracked operations (KeyLastUsageTrackingOperation) a key's usage allows.
func trackedOperations(md kmstypes.KeyMetadata) []kmstypes.KeyLastUsageTrackingOperation {
	switch {
	case md.KeyUsage == kmstypes.KeyUsageTypeSignVerify:
		return []kmstypes.KeyLastUsageTrackingOperation{kmstypes.KeyLastUsageTrackingOperationSign, kmstypes.KeyLastUsageTrackingOperationVerify}
	case md.KeyUsage == kmstypes.KeyUsageTypeGenerateVerifyMac:
		return []kmstypes.KeyLastUsageTrackingOperation{kmstypes.KeyLastUsageTrackingOperationGenerateMac, kmstypes.KeyLastUsageTrackingOperationVerifyMac}
	case md.KeySpec != kmstypes.KeySpecSymmetricDefault:
		return []kmstypes.KeyLastUsageTrackingOperation{kmstypes.KeyLastUsageTrackingOperationDecrypt, kmstypes.KeyLastUsageTrackingOperationEncrypt}
	}
	return []kmstypes.KeyLastUsageTrackingOperation{
		kmstypes.KeyLastUsageTrackingOperationDecrypt, kmstypes.KeyLastUsageTrackingOperationEncrypt,
		kmstypes.KeyLastUsageTrackingOperationGenerateDataKey, kmstypes.KeyLastUsageTrackingOperationReEncrypt,
	}
}
