package runner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/driftmgr/driftmgr/agent/discovery"
	"github.com/driftmgr/driftmgr/internal/drift"
	pb "github.com/driftmgr/driftmgr/proto/driftmgr/v1"
	"github.com/driftmgr/driftmgr/storage/outbox"
)

// Bounds the controller enforces on a finding (controller/fsm/validate.go).
// A finding past them would make the controller refuse its whole batch, so
// the agent clips it instead and says so in the value.
const (
	maxChanges    = 10000
	maxFieldBytes = 64 << 10
	// chunkRecords bounds one outbox Append: admission is all or nothing,
	// so a scan is appended in pieces well below the outbox's MaxBytes.
	chunkRecords = 2000
)

// requestScan asks for a scan. One can be pending while one runs; more
// requests in the meantime coalesce into it.
func (a *Agent) requestScan(trigger string) {
	select {
	case a.trigger <- trigger:
	default:
	}
}

// scanLoop runs scans one at a time: on start, on schedule and on command.
func (a *Agent) scanLoop(ctx context.Context) error {
	every, _ := a.intervals()
	timer := time.NewTimer(jitter(every))
	defer timer.Stop()
	for {
		var trigger string
		select {
		case <-ctx.Done():
			return nil
		case trigger = <-a.trigger:
		case <-timer.C:
			trigger = "schedule"
		case <-a.intervalCh:
			every, _ = a.intervals()
			timer.Reset(jitter(every))
			continue
		}
		if err := a.scan(ctx, trigger); err != nil && ctx.Err() == nil {
			a.log.Error("scan not recorded", "trigger", trigger, "err", err)
		}
		every, _ = a.intervals()
		timer.Reset(jitter(every))
	}
}

// runScanner turns a panic in the scanner (a discovery bug on one odd
// resource) into a failed scan rather than a dead agent.
func (a *Agent) runScanner(ctx context.Context) (res *drift.Result, skips []discovery.Skip, err error) {
	defer func() {
		if r := recover(); r != nil {
			a.log.Error("scanner panicked", "panic", r, "stack", string(debug.Stack()))
			res, skips, err = nil, nil, fmt.Errorf("scanner panicked: %v", r)
		}
	}()
	return a.cfg.Scanner.Scan(ctx)
}

// entry is one record to append and what it changes in the delta state
// once appended.
type entry struct {
	raw    []byte
	put    string
	hash   [32]byte
	del    string
	synced bool
}

// scan runs the scanner once and appends its outcome to the outbox as
// deltas: ScanStarted, the findings whose content changed, resolutions of
// findings sent before and absent now, and the completed Scan.
func (a *Agent) scan(ctx context.Context, trigger string) error {
	prev, synced, gen, err := a.delta.load()
	if err != nil {
		return err
	}
	scanID := newScanID()
	started := a.cfg.Now()
	a.log.Info("scan started", "scan", scanID, "trigger", trigger)
	res, skips, scanErr := a.runScanner(ctx)
	finished := a.cfg.Now()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	dur := finished.Sub(started)
	a.scanHist.Observe(dur.Seconds())
	a.count(func(c *counters) {
		c.scans++
		c.lastScan, c.lastScanDuration = finished, dur
		if scanErr != nil {
			c.scanErrors++
		}
	})

	var entries []entry
	add := func(r *pb.Record, e entry) error {
		raw, err := proto.Marshal(r)
		if err != nil {
			return err
		}
		e.raw = raw
		entries = append(entries, e)
		return nil
	}
	if err := add(&pb.Record{Kind: &pb.Record_ScanStarted{ScanStarted: &pb.ScanStarted{ScanId: scanID,
		StartedAt: timestamppb.New(started), Trigger: trigger}}}, entry{}); err != nil {
		return err
	}
	full := scanErr == nil && !synced
	if !synced {
		// Without a record of a completed scan, what the controller holds
		// is unknown: send everything, and let full_sync resolve the rest.
		prev = map[string][32]byte{}
	}
	scan := &pb.Scan{Id: scanID, StartedAt: timestamppb.New(started), FinishedAt: timestamppb.New(finished),
		Trigger: trigger, FullSync: full, Skips: toSkips(skips)}
	var sent, resolved int
	if scanErr != nil {
		// A failed scan saw only part of the cloud: it resolves nothing.
		scan.Error = scanErr.Error()
	} else if res != nil {
		scan.Summary = toSummary(res.Summary)
		seen := make(map[string]bool, len(res.Findings))
		for i := range res.Findings {
			f, ok := a.toFinding(&res.Findings[i], scanID, started)
			if !ok || seen[f.GetId()] {
				continue
			}
			seen[f.GetId()] = true
			h := contentHash(f)
			if old, ok := prev[f.GetId()]; ok && old == h {
				continue
			}
			if err := add(&pb.Record{Kind: &pb.Record_Finding{Finding: f}}, entry{put: f.GetId(), hash: h}); err != nil {
				return err
			}
			sent++
		}
		for id := range prev {
			if seen[id] || isSecurityKey(id) {
				continue
			}
			if err := add(&pb.Record{Kind: &pb.Record_Resolved{Resolved: &pb.FindingResolved{FindingId: id, ScanId: scanID,
				At: timestamppb.New(finished)}}}, entry{del: id}); err != nil {
				return err
			}
			resolved++
		}
	}
	if ss, ok := a.cfg.Scanner.(SecurityScanner); ok && scanErr == nil && res != nil {
		if scan.Security, err = a.securityRecords(ctx, ss, scanID, started, prev, add); err != nil {
			return err
		}
	}
	if err := add(&pb.Record{Kind: &pb.Record_ScanCompleted{ScanCompleted: scan}}, entry{synced: scanErr == nil}); err != nil {
		return err
	}
	if err := a.appendEntries(ctx, gen, entries); err != nil {
		return fmt.Errorf("scan %s: %w", scanID, err)
	}
	a.count(func(c *counters) { c.scansRecorded++ })
	a.log.Info("scan recorded", "scan", scanID, "trigger", trigger, "duration", dur, "findings_sent", sent,
		"resolved", resolved, "full_sync", full, "skips", len(skips), "scan_error", scanErr)
	a.up.wakeUp()
	return nil
}

// appendEntries appends in chunks, updating the delta state after each
// chunk is durable. A failure leaves the delta state matching what the
// outbox holds, so the next scan re-sends whatever did not make it.
func (a *Agent) appendEntries(ctx context.Context, gen uint64, entries []entry) error {
	for len(entries) > 0 {
		n := min(len(entries), chunkRecords)
		chunk := entries[:n]
		raws := make([][]byte, n)
		put := map[string][32]byte{}
		var del []string
		synced := false
		for i, e := range chunk {
			raws[i] = e.raw
			if e.put != "" {
				put[e.put] = e.hash
			}
			if e.del != "" {
				del = append(del, e.del)
			}
			synced = synced || e.synced
		}
		_, err := a.ob.Append(ctx, raws)
		if errors.Is(err, outbox.ErrFull) {
			// Make room from batches past their age, then try once more.
			a.prune(ctx)
			_, err = a.ob.Append(ctx, raws)
		}
		if err != nil {
			return fmt.Errorf("append to outbox: %w", err)
		}
		if err := a.delta.apply(gen, put, del, synced); err != nil {
			return fmt.Errorf("delta state: %w", err)
		}
		entries = entries[n:]
	}
	return nil
}

func newScanID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "scn-" + hex.EncodeToString(b)
}

// FindingID is the stable id of a finding: the hex SHA-256 of
// provider|account|region|type|id, truncated to 32 characters. The same
// resource drifting again gets the same id, so the controller updates one
// finding instead of piling up new ones.
func FindingID(provider, account, region, typ, id string) string {
	sum := sha256.Sum256([]byte(provider + "|" + account + "|" + region + "|" + typ + "|" + id))
	return hex.EncodeToString(sum[:])[:32]
}

// toFinding converts an engine finding to the wire form; ok is false for
// a finding the controller would refuse (no provider, type or id).
func (a *Agent) toFinding(f *drift.Finding, scanID string, at time.Time) (*pb.Finding, bool) {
	if f.Provider == "" || f.Type == "" || f.ID == "" {
		a.log.Warn("finding without provider, type or id left out", "provider", f.Provider, "type", f.Type, "id", f.ID)
		return nil, false
	}
	ts := timestamppb.New(at)
	out := &pb.Finding{
		Id:       FindingID(f.Provider, f.Account, f.Region, f.Type, f.ID),
		Kind:     toKind(f.Kind),
		Severity: toSeverity(f.Severity),
		Resource: &pb.ResourceRef{Provider: f.Provider, Type: f.Type, Id: f.ID, Account: f.Account, Region: f.Region, Address: f.Address},
		Origin:   f.Origin, FirstSeen: ts, LastSeen: ts, ScanId: scanID,
	}
	if out.Kind == pb.DriftKind_DRIFT_KIND_UNSPECIFIED {
		a.log.Warn("finding of unknown kind left out", "kind", f.Kind, "type", f.Type, "id", f.ID)
		return nil, false
	}
	diffs := f.Diffs
	if len(diffs) > maxChanges {
		a.log.Warn("finding has more attribute changes than the controller accepts; the rest are left out",
			"type", f.Type, "id", f.ID, "changes", len(diffs), "kept", maxChanges)
		diffs = diffs[:maxChanges]
	}
	for _, d := range diffs {
		out.Changes = append(out.Changes, &pb.AttributeChange{Path: string(d.Path), StateJson: jsonValue(d.Expected), LiveJson: jsonValue(d.Actual)})
	}
	// A record must fit one outbox record; drop changes from the end until
	// it does (only a pathological resource gets here).
	for len(out.Changes) > 0 && proto.Size(out) > outbox.MaxRecordSize-1024 {
		out.Changes = out.Changes[:len(out.Changes)*3/4]
	}
	return out, true
}

// jsonValue renders one side of a change; absent is empty. Values come
// redacted from the engine.
func jsonValue(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		// NaN and other values JSON cannot carry travel as their text.
		b, _ = json.Marshal(fmt.Sprint(v))
	}
	if len(b) > maxFieldBytes {
		b, _ = json.Marshal(fmt.Sprintf("(value of %d bytes not shown: over the %d byte limit)", len(b), maxFieldBytes))
	}
	return string(b)
}

// contentHash identifies what a finding says, without when it was seen or
// by which scan, so an unchanged finding is not sent again.
func contentHash(f *pb.Finding) [32]byte {
	c := proto.Clone(f).(*pb.Finding)
	c.FirstSeen, c.LastSeen, c.ScanId = nil, nil, ""
	b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	return sha256.Sum256(b)
}

func toKind(k drift.Kind) pb.DriftKind {
	switch k {
	case drift.Missing:
		return pb.DriftKind_DRIFT_KIND_MISSING
	case drift.Unmanaged:
		return pb.DriftKind_DRIFT_KIND_UNMANAGED
	case drift.Modified:
		return pb.DriftKind_DRIFT_KIND_MODIFIED
	}
	return pb.DriftKind_DRIFT_KIND_UNSPECIFIED
}

func toSeverity(s drift.Severity) pb.Severity {
	switch s {
	case drift.Critical:
		return pb.Severity_SEVERITY_CRITICAL
	case drift.High:
		return pb.Severity_SEVERITY_HIGH
	case drift.Medium:
		return pb.Severity_SEVERITY_MEDIUM
	case drift.Low:
		return pb.Severity_SEVERITY_LOW
	case drift.Info:
		return pb.Severity_SEVERITY_INFO
	}
	return pb.Severity_SEVERITY_UNSPECIFIED
}

func toSummary(s drift.Summary) *pb.ScanSummary {
	return &pb.ScanSummary{Total: int64(s.Total), Managed: int64(s.Managed), Unmanaged: int64(s.Unmanaged),
		Missing: int64(s.Missing), Modified: int64(s.Modified), Coverage: s.Coverage}
}

func toSkips(skips []discovery.Skip) []*pb.Skip {
	out := make([]*pb.Skip, 0, len(skips))
	for _, s := range skips {
		out = append(out, &pb.Skip{Provider: s.Provider, Account: s.Account, Region: s.Region, Service: s.Service,
			Reason: string(s.Reason), Detail: s.Detail})
	}
	return out
}
