package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/marketplace/aws"
)

// awsMarketplaceStore adapts DB to aws.Store.
type awsMarketplaceStore struct{ db *DB }

// AWSMarketplace returns the AWS Marketplace domain's view of the database.
func (db *DB) AWSMarketplace() aws.Store { return awsMarketplaceStore{db} }

var (
	_ aws.Store = awsMarketplaceStore{}
	_ aws.Tx    = (*Tx)(nil)
)

func (s awsMarketplaceStore) ReadTx(ctx context.Context, fn func(aws.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s awsMarketplaceStore) WriteTx(ctx context.Context, fn func(aws.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(tx) })
}

// The SaaS row is read with its settings, so a SaaS without settings reads
// as defaults and a missing SaaS as no row.
func (t *Tx) AWSSettings(ctx context.Context, saasID string) (aws.AWSSettings, error) {
	var s aws.AWSSettings
	var status string
	err := t.queryRow(ctx, `SELECT COALESCE(a.product_code, ''), COALESCE(a.role_arn, ''), COALESCE(a.role_external_id, ''),
		COALESCE(a.sns_topic_arn, ''), COALESCE(a.cas_bucket_name, ''), COALESCE(a.cas_sns_topic_arn, ''),
		COALESCE(a.seller_sns_topic_arn, ''), COALESCE(a.sqs_arn, ''), COALESCE(a.listing_status, ''), COALESCE(a.external_id, ''),
		COALESCE(a.sign_up_url, '')
		FROM saas s LEFT JOIN aws_settings a ON a.saas_id = s.id WHERE s.id = ?`, saasID).Scan(
		&s.ProductCode, &s.RoleARN, &s.RoleExternalID, &s.SNSTopicARN, &s.CASBucketName, &s.CASSNSTopicARN,
		&s.SellerSNSTopicARN, &s.SQSARN, &status, &s.ExternalID, &s.SignUpURL)
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.ErrNotExist
	}
	if err != nil {
		return s, mapErr(err)
	}
	s.ListingStatus = aws.ListingStatus(status)
	if status == "" {
		s.ListingStatus = aws.ListingNoListing
	}
	return s, nil
}

func (t *Tx) PutAWSSettings(ctx context.Context, saasID string, s aws.AWSSettings) error {
	_, err := t.exec(ctx, `INSERT INTO aws_settings (saas_id, product_code, role_arn, role_external_id, sns_topic_arn,
		cas_bucket_name, cas_sns_topic_arn, seller_sns_topic_arn, sqs_arn, listing_status, external_id, sign_up_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (saas_id) DO UPDATE SET product_code = excluded.product_code, role_arn = excluded.role_arn,
		role_external_id = excluded.role_external_id, sns_topic_arn = excluded.sns_topic_arn,
		cas_bucket_name = excluded.cas_bucket_name, cas_sns_topic_arn = excluded.cas_sns_topic_arn,
		seller_sns_topic_arn = excluded.seller_sns_topic_arn, sqs_arn = excluded.sqs_arn,
		listing_status = excluded.listing_status, external_id = excluded.external_id, sign_up_url = excluded.sign_up_url`,
		saasID, s.ProductCode, s.RoleARN, s.RoleExternalID, s.SNSTopicARN, s.CASBucketName, s.CASSNSTopicARN,
		s.SellerSNSTopicARN, s.SQSARN, string(s.ListingStatus), s.ExternalID, s.SignUpURL)
	return err
}

func (t *Tx) AWSPlanLinks(ctx context.Context, saasID string) ([]aws.PlanLink, error) {
	rows, err := t.query(ctx, `SELECT plan_name, plan_id FROM aws_plans WHERE saas_id = ?`, saasID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []aws.PlanLink{}
	for rows.Next() {
		var l aws.PlanLink
		if err := rows.Scan(&l.PlanName, &l.PlanID); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *Tx) AWSPlanLink(ctx context.Context, saasID, planName string) (aws.PlanLink, error) {
	l := aws.PlanLink{PlanName: planName}
	err := t.queryRow(ctx, `SELECT plan_id FROM aws_plans WHERE saas_id = ? AND plan_name = ?`, saasID, planName).Scan(&l.PlanID)
	if errors.Is(err, sql.ErrNoRows) {
		return l, errs.ErrNotExist
	}
	return l, mapErr(err)
}

func (t *Tx) PutAWSPlanLink(ctx context.Context, saasID string, l aws.PlanLink) error {
	_, err := t.exec(ctx, `INSERT INTO aws_plans (saas_id, plan_name, plan_id) VALUES (?, ?, ?)
		ON CONFLICT (saas_id, plan_name) DO UPDATE SET plan_id = excluded.plan_id`, saasID, l.PlanName, l.PlanID)
	return err
}
