package azure

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace"
)

// AzureReconcileResult is what a reconciliation did.
type AzureReconcileResult struct {
	Subscriptions int // linked subscriptions compared with the marketplace
	Operations    int // outstanding operations handled
	Changed       int // subscriptions whose stored view changed
}

// SyncAzureSubscription handles the subscription's outstanding operations
// and makes it and its tenant follow the marketplace.
func (s *Service) SyncAzureSubscription(ctx context.Context, saasID, subscriptionID string) (AzureSubscription, error) {
	if _, err := s.GetAzureSubscription(ctx, saasID, subscriptionID); err != nil {
		return AzureSubscription{}, err
	}
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return AzureSubscription{}, err
	}
	if _, err := s.handleOutstanding(ctx, saasID, st, subscriptionID); err != nil {
		return AzureSubscription{}, err
	}
	return s.syncAzure(ctx, saasID, st, subscriptionID)
}

func (s *Service) handleOutstanding(ctx context.Context, saasID string, st AzureSettings, subscriptionID string) (int, error) {
	ops, err := s.azure.ListOutstandingOperations(ctx, st.creds(), subscriptionID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, op := range ops {
		rec := AzureOperationRecord{OperationID: op.ID, SubscriptionID: subscriptionID, Action: op.Action, Source: "reconcile"}
		outcome, err := s.handleAzureOperation(ctx, saasID, st, rec, &op)
		if err != nil {
			return n, err
		}
		if outcome != marketplace.OutcomeDuplicate {
			n++
		}
	}
	return n, nil
}

// ReconcileAzure compares every linked subscription with the marketplace's
// list, handles outstanding operations, and applies what webhooks missed.
func (s *Service) ReconcileAzure(ctx context.Context, saasID string) (AzureReconcileResult, error) {
	var r AzureReconcileResult
	st, err := s.azureReady(ctx, saasID)
	if err != nil {
		return r, err
	}
	asked := s.now()
	infos, err := s.azure.ListSubscriptions(ctx, st.creds())
	if err != nil {
		return r, err
	}
	linked, err := s.ListAzureSubscriptions(ctx, saasID, nil)
	if err != nil {
		return r, err
	}
	byID := make(map[string]AzureSubscription, len(linked))
	for _, sub := range linked {
		byID[sub.SubscriptionID] = sub
	}
	var errList []error
	for _, info := range infos {
		sub, ok := byID[info.ID]
		if !ok {
			continue
		}
		r.Subscriptions++
		if info.Status == AzureSubscribed {
			n, err := s.handleOutstanding(ctx, saasID, st, info.ID)
			r.Operations += n
			if err != nil {
				errList = append(errList, fmt.Errorf("subscription %s: %w", info.ID, err))
				continue
			}
			if n > 0 { // the list is older than the acknowledgements
				if info, err = s.azure.GetSubscription(ctx, st.creds(), info.ID); err != nil {
					errList = append(errList, fmt.Errorf("subscription %s: %w", info.ID, err))
					continue
				}
			}
		}
		if sub.Status != info.Status || sub.AzurePlanID != info.PlanID || sub.Quantity != info.Quantity {
			r.Changed++
		}
		if _, err := s.syncAzureAt(ctx, saasID, info, asked); err != nil {
			errList = append(errList, fmt.Errorf("subscription %s: %w", info.ID, err))
		}
	}
	return r, errors.Join(errList...)
}

// syncAzureAt stores a view read at asked and applies it.
func (s *Service) syncAzureAt(ctx context.Context, saasID string, info AzureSubscriptionInfo, asked time.Time) (AzureSubscription, error) {
	var sub AzureSubscription
	err := s.store.WriteTx(ctx, func(tx Tx) (err error) {
		sub, err = tx.AzureSubscription(ctx, saasID, info.ID)
		if errors.Is(err, errs.ErrNotExist) {
			return errs.NotFound("Azure subscription %q is not linked to a tenant", info.ID)
		}
		if err != nil || sub.SyncedAt.After(asked) {
			return err // a newer view is stored already
		}
		sub.follow(info, asked)
		return tx.PutAzureSubscription(ctx, saasID, sub)
	})
	if err != nil {
		return sub, err
	}
	return sub, s.applyAzurePlan(ctx, saasID, sub)
}

// ReconcileAllAzure reconciles every SaaS with complete Azure settings.
func (s *Service) ReconcileAllAzure(ctx context.Context) error {
	var ids []string
	if err := s.store.ReadTx(ctx, func(tx Tx) (err error) {
		ids, err = tx.AzureSaaSIDs(ctx)
		return err
	}); err != nil {
		return err
	}
	var errList []error
	for _, id := range ids {
		if _, err := s.ReconcileAzure(ctx, id); err != nil {
			errList = append(errList, fmt.Errorf("SaaS %s: %w", id, err))
		}
	}
	return errors.Join(errList...)
}
