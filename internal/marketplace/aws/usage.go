package aws

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// Usage reporting: meters linked to AWS dimensions are reported every hour
// for every buyer, through BatchMeterUsage. Each buyer, dimension and hour
// is written once to an outbox (aws_usage_reports) when the hour closes,
// then sent until AWS answers; AWS treats an identical record sent again
// as the same record, so a crash between AWS's answer and saasplane's
// bookkeeping never reports usage twice.

// maxAWSQuantity is BatchMeterUsage's largest Quantity (an int32).
const maxAWSQuantity = math.MaxInt32

// UsageReport is one buyer's usage of one dimension in one hour.
type UsageReport struct {
	CustomerIdentifier string
	Dimension          string
	Hour               time.Time // its start, UTC
	Quantity           int64
	Status             marketplace.ReportStatus
	Result             string // AWS's status: Success, CustomerNotSubscribed, DuplicateRecord
	MeteringRecordID   string
	Attempts           int
	LastError          string
	CreatedAt          time.Time
	SentAt             time.Time // zero until sent
}

// UsageRecord is what the AWS port sends for one report.
type UsageRecord struct {
	Buyer
	Dimension string
	Hour      time.Time
	Quantity  int64
}

// UsageResult is AWS's answer for one record.
type UsageResult struct {
	Status           string
	MeteringRecordID string
}

// UsageSender is the AWS port's BatchMeterUsage: one result per record
// (in order); ok is false for a record AWS left unprocessed.
type UsageSender interface {
	MeterUsage(ctx context.Context, role AWSRole, productCode string, records []UsageRecord) ([]UsageResult, []bool, error)
}

// LinkMeter reports the meter named meterName as dimension from now on.
// dimension follows the rules of AWS dimension API identifiers, like plan
// names.
func (s *Service) LinkMeter(ctx context.Context, saasID, meterName, dimension string) error {
	return marketplace.LinkMeter(ctx, s.store.WriteTx, saasID, meterName, dimension, ValidPlanName(dimension),
		"must be 1 to 36 ASCII letters, digits or underscores (an AWS dimension's API identifier)",
		func(tx Tx, meterID string) error { return tx.PutMeterDimension(ctx, saasID, meterID, dimension) })
}

// UnlinkMeter stops reporting a meter; reports already written stay.
func (s *Service) UnlinkMeter(ctx context.Context, saasID, meterName string) error {
	return marketplace.UnlinkMeter(ctx, s.store.WriteTx, saasID, meterName, "an AWS dimension",
		func(tx Tx, meterID string) error { return tx.DeleteMeterDimension(ctx, saasID, meterID) })
}

// MeterDimensions lists the linked meters.
func (s *Service) MeterDimensions(ctx context.Context, saasID string) (ds []marketplace.MeterDimension, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ds, err = tx.MeterDimensions(ctx, saasID)
		return err
	})
	return ds, err
}

// UsageReports returns the newest reports of the SaaS (of one buyer when
// customer is set), at most limit.
func (s *Service) UsageReports(ctx context.Context, saasID, customer string, limit int) (rs []UsageReport, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		rs, err = tx.UsageReports(ctx, saasID, customer, limit)
		return err
	})
	return rs, err
}

// UsageSaaSIDs lists the SaaS whose usage is reported: those with a meter
// linked to an AWS dimension. A round runs for each of them
// (jobs.ReportAWSUsage).
func (s *Service) UsageSaaSIDs(ctx context.Context) (ids []string, err error) {
	err = s.store.ReadTx(ctx, func(tx Tx) error {
		ids, err = tx.UsageSaaSIDs(ctx)
		return err
	})
	return ids, err
}

// ReportUsageOf closes the SaaS's finished hours and sends what is
// pending. Rounds of one SaaS must not overlap, or both would send the
// same reports (AWS would answer the second with DuplicateRecord): the
// jobs engine runs them, one at a time per SaaS (jobs.ReportAWSUsageOf).
func (s *Service) ReportUsageOf(ctx context.Context, saasID string) (marketplace.ReportRound, error) {
	var r marketplace.ReportRound
	st, err := s.settings(ctx, saasID)
	if err != nil {
		return r, err
	}
	if r.Closed, err = s.closeHours(ctx, saasID); err != nil {
		return r, err
	}
	if st.RoleARN == "" || st.ProductCode == "" {
		return r, errs.Conflict("the AWS Marketplace settings need role_arn and product_code to report usage").WithType("aws_settings_incomplete")
	}
	err = s.sendPending(ctx, saasID, st, &r)
	return r, err
}

// closeHours writes the reports of every hour that has closed since the
// last round, per buyer and linked meter, once.
func (s *Service) closeHours(ctx context.Context, saasID string) (int, error) {
	now := s.now().UTC()
	first, last := marketplace.ClosableHours(now)
	closed := 0
	err := s.store.WriteTx(ctx, func(tx Tx) error {
		closed = 0
		ds, err := tx.MeterDimensions(ctx, saasID)
		if err != nil || len(ds) == 0 {
			return err
		}
		cs, err := tx.ReportableCustomers(ctx, saasID, first)
		if err != nil {
			return err
		}
		for _, c := range cs {
			from, to := first, last
			if start := c.CreatedAt.UTC().Truncate(time.Hour); start.After(from) {
				from = start // usage before the link is not the buyer's on AWS
			}
			if c.Status == CustomerUnsubscribed {
				// Nothing after the end. The hour of the end closes a grace
				// after the end rather than after the hour, since AWS takes
				// a buyer's final usage only within an hour of leaving.
				end := c.UpdatedAt.UTC().Truncate(time.Hour)
				if now.Before(c.UpdatedAt.Add(marketplace.UsageGrace)) && last.Before(end) {
					end = last
				}
				to = end
			}
			for _, d := range ds {
				done, err := tx.ReportedHours(ctx, saasID, c.CustomerIdentifier, d.Dimension, from)
				if err != nil {
					return err
				}
				for h := from; !h.After(to); h = h.Add(time.Hour) {
					if done[h.Unix()] {
						continue
					}
					q, err := tx.HourUsage(ctx, saasID, c.TenantID, d.MeterID, h.Unix(), h.Add(time.Hour).Unix(), d.Max)
					if err != nil {
						return err
					}
					rep := UsageReport{CustomerIdentifier: c.CustomerIdentifier, Dimension: d.Dimension, Hour: h, Quantity: q,
						Status: marketplace.ReportPending, CreatedAt: now}
					switch {
					case q == 0:
						rep.Status = marketplace.ReportEmpty
					case q > maxAWSQuantity:
						rep.Status, rep.LastError = marketplace.ReportFailed, fmt.Sprintf("quantity %d exceeds AWS's largest, %d", q, maxAWSQuantity)
					}
					if err := tx.InsertUsageReport(ctx, saasID, rep); err != nil {
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

// sendPending sends the SaaS's pending reports in batches of 25 until none
// is left that can be sent now.
func (s *Service) sendPending(ctx context.Context, saasID string, st AWSSettings, r *marketplace.ReportRound) error {
	sender, ok := s.aws.(UsageSender)
	if !ok {
		return errs.E(errs.KindUnavailable, "this server has no AWS client configured")
	}
	for range 1000 { // bounded: each pass takes up to 25 reports out of pending, or stops
		now := s.now().UTC()
		var batch []UsageReport
		var buyers map[string]Buyer
		err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
			batch, err = tx.PendingUsageReports(ctx, saasID, now, 25)
			if err != nil || len(batch) == 0 {
				return err
			}
			buyers = map[string]Buyer{}
			for _, rep := range batch {
				if _, ok := buyers[rep.CustomerIdentifier]; !ok {
					c, err := tx.AWSCustomer(ctx, saasID, rep.CustomerIdentifier)
					if err != nil {
						return err
					}
					buyers[rep.CustomerIdentifier] = c.Buyer
				}
			}
			return nil
		})
		if err != nil || len(batch) == 0 {
			return err
		}
		var send []UsageReport
		var records []UsageRecord
		for i := range batch {
			rep := &batch[i]
			if !rep.Hour.After(now.Add(-marketplace.UsageWindow)) {
				rep.Status, rep.LastError = marketplace.ReportExpired, "older than AWS's 24-hour window"
				r.Expired++
				continue
			}
			send = append(send, *rep)
			records = append(records, UsageRecord{Buyer: buyers[rep.CustomerIdentifier], Dimension: rep.Dimension, Hour: rep.Hour, Quantity: rep.Quantity})
		}
		var results []UsageResult
		var processed []bool
		if len(records) > 0 {
			results, processed, err = sender.MeterUsage(ctx, st.role(), st.ProductCode, records)
		}
		sent := now
		for i := range send {
			rep := &send[i]
			rep.Attempts++
			switch {
			case err != nil && errs.KindOf(err) == errs.KindInvalid:
				rep.Status, rep.LastError = marketplace.ReportFailed, err.Error()
				r.Failed++
			case err != nil:
				rep.LastError = err.Error()
				r.Pending++
			case !processed[i]:
				rep.LastError = "left unprocessed by AWS"
				r.Pending++
			default:
				rep.Status, rep.Result, rep.MeteringRecordID, rep.SentAt, rep.LastError = marketplace.ReportSent, results[i].Status, results[i].MeteringRecordID, sent, ""
				r.Sent++
			}
		}
		for i := range batch {
			if batch[i].Status == marketplace.ReportExpired {
				send = append(send, batch[i])
			}
		}
		if werr := s.store.WriteTx(ctx, func(tx Tx) error {
			for _, rep := range send {
				// A report still pending may be tried again after a
				// backoff that grows with its attempts.
				retryAt := now.Add(marketplace.RetryDelay(rep.Attempts))
				if err := tx.UpdateUsageReport(ctx, saasID, rep, retryAt); err != nil {
					return err
				}
			}
			return nil
		}); werr != nil {
			return werr
		}
		if err != nil && errs.KindOf(err) != errs.KindInvalid {
			s.log.Warn("AWS usage report deferred", "saas_id", saasID, "records", len(records), "err", err)
			return nil // AWS is down: the next round tries again
		}
	}
	return nil
}
