package azure

import (
	"context"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// Azure usage reporting: meters linked to metering dimensions are reported
// every hour for every Subscribed subscription through the metering API's
// batchUsageEvent. Each subscription, dimension and hour is written once
// to an outbox (azure_usage_reports) when the hour closes, then sent until
// the API answers. The API keeps one event per resource, dimension and
// hour and answers Duplicate to a second: a crash between its answer and
// saasplane's bookkeeping never bills usage twice, and a Duplicate answer
// is recorded as sent.

// AzureUsageBatch is the metering API's largest batch.
const AzureUsageBatch = 25

// AzureUsageReport is one subscription's usage of one dimension in one hour.
type AzureUsageReport struct {
	SubscriptionID string
	Dimension      string
	Hour           time.Time // its start, UTC
	Quantity       int64
	PlanID         string // the Azure plan when the hour closed
	Status         marketplace.ReportStatus
	Result         string // the API's status: Accepted, Duplicate, Expired, ResourceNotActive...
	UsageEventID   string
	Attempts       int
	LastError      string
	CreatedAt      time.Time
	SentAt         time.Time
}

// LinkAzureMeter reports the meter named meterName as a metering dimension
// (the dimension id of the plans in Partner Center) from now on.
func (s *Service) LinkAzureMeter(ctx context.Context, saasID, meterName, dimension string) error {
	return marketplace.LinkMeter(ctx, s.store.WriteTx, saasID, meterName, dimension, azurePlanIDRE.MatchString(dimension),
		"must be 1 to 50 letters, digits, '.', '-' or '_' (a metering dimension id of the offer)",
		func(tx Tx, meterID string) error { return tx.PutAzureMeterDimension(ctx, saasID, meterID, dimension) })
}

// UnlinkAzureMeter stops reporting a meter; reports already written stay.
func (s *Service) UnlinkAzureMeter(ctx context.Context, saasID, meterName string) error {
	return marketplace.UnlinkMeter(ctx, s.store.WriteTx, saasID, meterName, "an Azure metering dimension",
		func(tx Tx, meterID string) error { return tx.DeleteAzureMeterDimension(ctx, saasID, meterID) })
}

// AzureMeterDimensions lists the linked meters.
func (s *Service) AzureMeterDimensions(ctx context.Context, saasID string) (ds []marketplace.MeterDimension, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ds, err = tx.AzureMeterDimensions(ctx, saasID)
		return err
	})
	return ds, err
}

// AzureUsageReports returns the newest reports (of one subscription when
// set), at most limit.
func (s *Service) AzureUsageReports(ctx context.Context, saasID, subscriptionID string, limit int) (rs []AzureUsageReport, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		rs, err = tx.AzureUsageReports(ctx, saasID, subscriptionID, limit)
		return err
	})
	return rs, err
}

// AzureUsageSaaSIDs lists the SaaS whose usage is reported: those with a
// meter linked to an Azure dimension. A round runs for each of them
// (jobs.ReportAzureUsage).
func (s *Service) AzureUsageSaaSIDs(ctx context.Context) (ids []string, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ids, err = tx.AzureUsageSaaSIDs(ctx)
		return err
	})
	return ids, err
}

// ReportAzureUsageOf closes the SaaS's finished hours and sends what is
// pending. Rounds of one SaaS must not overlap, or both would send the
// same reports (the metering API would answer the second with
// Duplicate): the jobs engine runs them, one at a time per SaaS
// (jobs.ReportAzureUsageOf).
func (s *Service) ReportAzureUsageOf(ctx context.Context, saasID string) (marketplace.ReportRound, error) {
	var r marketplace.ReportRound
	if _, err := s.azureSettings(ctx, saasID); err != nil {
		return r, err
	}
	var err error
	if r.Closed, err = s.closeAzureHours(ctx, saasID); err != nil {
		return r, err
	}
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return r, err
	}
	return r, s.sendAzurePending(ctx, saasID, st, &r)
}

// closeAzureHours writes the reports of every closed hour since the link,
// per Subscribed subscription and linked meter, once.
func (s *Service) closeAzureHours(ctx context.Context, saasID string) (int, error) {
	now := s.now().UTC()
	first, last := marketplace.ClosableHours(now)
	closed := 0
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		closed = 0
		ds, err := tx.AzureMeterDimensions(ctx, saasID)
		if err != nil || len(ds) == 0 {
			return err
		}
		subs, err := tx.AzureSubscriptions(ctx, saasID)
		if err != nil {
			return err
		}
		for _, sub := range subs {
			if sub.Status != AzureSubscribed {
				continue // the API accepts usage of Subscribed subscriptions only
			}
			from := first
			if start := sub.CreatedAt.UTC().Truncate(time.Hour); start.After(from) {
				from = start
			}
			for _, d := range ds {
				done, err := tx.AzureReportedHours(ctx, saasID, sub.SubscriptionID, d.Dimension, from)
				if err != nil {
					return err
				}
				for h := from; !h.After(last); h = h.Add(time.Hour) {
					if done[h.Unix()] {
						continue
					}
					q, err := tx.HourUsage(ctx, saasID, sub.TenantID, d.MeterID, h.Unix(), h.Add(time.Hour).Unix(), d.Max)
					if err != nil {
						return err
					}
					rep := AzureUsageReport{SubscriptionID: sub.SubscriptionID, Dimension: d.Dimension, Hour: h, Quantity: q,
						PlanID: sub.AzurePlanID, Status: marketplace.ReportPending, CreatedAt: now}
					if q == 0 {
						rep.Status = marketplace.ReportEmpty
					}
					if err := tx.InsertAzureUsageReport(ctx, saasID, rep); err != nil {
						return err
					}
					closed++
				}
			}
		}
		return nil
	})
	return closed, err
}

// sendAzurePending sends pending reports in batches until none is left
// that can be sent now.
func (s *Service) sendAzurePending(ctx context.Context, saasID string, st AzureSettings, r *marketplace.ReportRound) error {
	for range 1000 {
		now := s.now().UTC()
		var batch []AzureUsageReport
		if err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
			batch, err = tx.PendingAzureUsageReports(ctx, saasID, now, AzureUsageBatch)
			return err
		}); err != nil || len(batch) == 0 {
			return err
		}
		var send []int
		var events []AzureUsageEvent
		for i := range batch {
			rep := &batch[i]
			if !rep.Hour.After(now.Add(-marketplace.UsageWindow)) {
				rep.Status, rep.LastError = marketplace.ReportExpired, "older than the metering API's 24-hour window"
				r.Expired++
				continue
			}
			send = append(send, i)
			events = append(events, AzureUsageEvent{ResourceID: rep.SubscriptionID, PlanID: rep.PlanID, Dimension: rep.Dimension,
				Quantity: rep.Quantity, Hour: rep.Hour})
		}
		var results []AzureUsageResult
		var err error
		if len(events) > 0 {
			results, err = s.azure.BatchUsage(ctx, st.creds(), events)
			if err == nil && len(results) != len(events) {
				err = errs.E(errs.KindUnavailable, "the metering API answered %d results for %d events", len(results), len(events))
			}
		}
		for j, i := range send {
			rep := &batch[i]
			rep.Attempts++
			switch {
			case err != nil:
				rep.LastError = err.Error()
				r.Pending++
				continue
			}
			res := results[j]
			rep.Result, rep.UsageEventID, rep.LastError = res.Status, res.UsageEventID, res.Message
			switch res.Status {
			case "Accepted", "Duplicate":
				// Duplicate: an earlier attempt was accepted (its answer was
				// lost); the hour is reported.
				rep.Status, rep.SentAt, rep.LastError = marketplace.ReportSent, now, ""
				r.Sent++
			case "Expired":
				rep.Status = marketplace.ReportExpired
				r.Expired++
			default:
				rep.Status = marketplace.ReportFailed
				r.Failed++
			}
		}
		if werr := s.store.WriteTx(ctx, func(tx Tx) error {
			for _, rep := range batch {
				if err := tx.UpdateAzureUsageReport(ctx, saasID, rep, now.Add(marketplace.RetryDelay(max(rep.Attempts, 1)))); err != nil {
					return err
				}
			}
			return nil
		}); werr != nil {
			return werr
		}
		if err != nil {
			s.log.Warn("Azure usage report deferred", "saas_id", saasID, "events", len(events), "err", err)
			return nil // the next round tries again
		}
	}
	return nil
}
