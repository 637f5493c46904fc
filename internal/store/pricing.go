package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/saasplane/saasplane/internal/errs"
	"github.com/saasplane/saasplane/internal/pricing"
)

// pricingStore adapts DB to pricing.Store.
type pricingStore struct{ db *DB }

// Pricing returns the pricing catalog's view of the database.
func (db *DB) Pricing() pricing.Store { return pricingStore{db} }

var (
	_ pricing.Store = pricingStore{}
	_ pricing.Tx    = (*Tx)(nil)
)

func (s pricingStore) ReadTx(ctx context.Context, fn func(pricing.Tx) error) error {
	return s.db.Read(ctx, func(tx *Tx) error { return fn(tx) })
}

func (s pricingStore) WriteTx(ctx context.Context, fn func(pricing.Tx) error) error {
	return s.db.Write(ctx, func(tx *Tx) error { return fn(tx) })
}

// byIDs appends "AND col IN (...)" when ids is non-empty.
func byIDs(query, col string, ids []string) string {
	if len(ids) == 0 {
		return query
	}
	return query + " AND " + col + " IN (" + placeholders(len(ids)) + ")"
}

// affected maps "no row changed" to errs.ErrNotExist.
func affected(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errs.ErrNotExist
	}
	return nil
}

// ---- catalog version ----

func (t *Tx) CatalogVersion(ctx context.Context, saasID string) (int64, error) {
	var v int64
	err := t.queryRow(ctx, `SELECT version FROM catalog_versions WHERE saas_id = ?`, saasID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

func (t *Tx) BumpCatalogVersion(ctx context.Context, saasID string) error {
	_, err := t.exec(ctx, `INSERT INTO catalog_versions (saas_id, version) VALUES (?, 1)
		ON CONFLICT (saas_id) DO UPDATE SET version = catalog_versions.version + 1`, saasID)
	return err
}

// ---- meters ----

const meterColumns = `id, unit_name, display_name, description, aggregate_usage, used`

func scanMeter(row interface{ Scan(...any) error }) (m pricing.Meter, err error) {
	var agg string
	err = row.Scan(&m.ID, &m.Name, &m.DisplayName, &m.Description, &agg, &m.Used)
	m.AggregateUsage = pricing.AggregateUsage(agg)
	return m, err
}

func (t *Tx) Meters(ctx context.Context, saasID string, ids ...string) ([]pricing.Meter, error) {
	rows, err := t.query(ctx, byIDs(`SELECT `+meterColumns+` FROM meters WHERE saas_id = ?`, "id", ids)+` ORDER BY seq`,
		stringArgs([]any{saasID}, ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []pricing.Meter{}
	for rows.Next() {
		m, err := scanMeter(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (t *Tx) MeterByName(ctx context.Context, saasID, name string) (pricing.Meter, error) {
	m, err := scanMeter(t.queryRow(ctx, `SELECT `+meterColumns+` FROM meters WHERE saas_id = ? AND unit_name = ?`, saasID, name))
	if errors.Is(err, sql.ErrNoRows) {
		return m, errs.ErrNotExist
	}
	return m, err
}

func (t *Tx) InsertMeter(ctx context.Context, saasID string, m pricing.Meter) error {
	_, err := t.exec(ctx, `INSERT INTO meters (saas_id, id, unit_name, display_name, description, aggregate_usage, used) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		saasID, m.ID, m.Name, m.DisplayName, m.Description, string(m.AggregateUsage), m.Used)
	return err
}

func (t *Tx) UpdateMeter(ctx context.Context, saasID string, m pricing.Meter) error {
	return affected(t.exec(ctx, `UPDATE meters SET unit_name = ?, display_name = ?, description = ?, aggregate_usage = ? WHERE saas_id = ? AND id = ?`,
		m.Name, m.DisplayName, m.Description, string(m.AggregateUsage), saasID, m.ID))
}

func (t *Tx) DeleteMeter(ctx context.Context, saasID, id string) error {
	return affected(t.exec(ctx, `DELETE FROM meters WHERE saas_id = ? AND id = ?`, saasID, id))
}

func (t *Tx) exists(ctx context.Context, query string, args ...any) (bool, error) {
	var one int
	err := t.queryRow(ctx, query+` LIMIT 1`, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

func (t *Tx) MeterReferenced(ctx context.Context, saasID, id string) (bool, error) {
	ref, err := t.exists(ctx, `SELECT 1 FROM pricing_units WHERE saas_id = ? AND meter_id = ?`, saasID, id)
	if err != nil || ref {
		return ref, err
	}
	return t.exists(ctx, `SELECT 1 FROM metering_entries WHERE saas_id = ? AND meter_id = ?`, saasID, id)
}

// ---- units ----

type tierJSON struct {
	UpTo       uint64 `json:"up_to"`
	UnitAmount uint64 `json:"unit_amount"`
	FlatAmount uint64 `json:"flat_amount"`
	Inf        bool   `json:"inf"`
}

func encodeTiers(ts []pricing.Tier) (string, error) {
	js := make([]tierJSON, len(ts))
	for i, t := range ts {
		js[i] = tierJSON(t)
	}
	b, err := json.Marshal(js)
	return string(b), err
}

func decodeTiers(s string) ([]pricing.Tier, error) {
	var js []tierJSON
	if err := json.Unmarshal([]byte(s), &js); err != nil {
		return nil, fmt.Errorf("decode stored tiers: %w", err)
	}
	if len(js) == 0 {
		return nil, nil
	}
	ts := make([]pricing.Tier, len(js))
	for i, j := range js {
		ts[i] = pricing.Tier(j)
	}
	return ts, nil
}

func (t *Tx) Units(ctx context.Context, saasID string, ids ...string) ([]pricing.Unit, error) {
	q := byIDs(`SELECT u.id, u.name, u.display_name, u.description, u.type, u.currency, u.unit_amount,
		u.recurring_interval, u.upper_count, COALESCE(u.meter_id, ''), COALESCE(m.unit_name, ''), u.aggregate_usage, u.tiers, u.used
		FROM pricing_units u LEFT JOIN meters m ON m.saas_id = u.saas_id AND m.id = u.meter_id
		WHERE u.saas_id = ?`, "u.id", ids) + ` ORDER BY u.seq`
	rows, err := t.query(ctx, q, stringArgs([]any{saasID}, ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []pricing.Unit{}
	for rows.Next() {
		var u pricing.Unit
		var typ, cur, interval, agg, tiers string
		var amount, upper int64
		if err := rows.Scan(&u.ID, &u.Name, &u.DisplayName, &u.Description, &typ, &cur, &amount, &interval,
			&upper, &u.MeterID, &u.MeterName, &agg, &tiers, &u.Used); err != nil {
			return nil, err
		}
		u.Type, u.Currency, u.Interval, u.AggregateUsage = pricing.UnitType(typ), pricing.Currency(cur), pricing.Interval(interval), pricing.AggregateUsage(agg)
		u.UnitAmount, u.UpperCount = uint64(amount), uint64(upper)
		if u.Tiers, err = decodeTiers(tiers); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// unitArgs returns the stored columns of u, in unitColumns order.
func unitArgs(u pricing.Unit) ([]any, error) {
	tiers, err := encodeTiers(u.Tiers)
	if err != nil {
		return nil, err
	}
	var meter any
	if u.MeterID != "" {
		meter = u.MeterID
	}
	return []any{u.Name, u.DisplayName, u.Description, string(u.Type), string(u.Currency), int64(u.UnitAmount),
		string(u.Interval), int64(u.UpperCount), meter, string(u.AggregateUsage), tiers, u.Used}, nil
}

func (t *Tx) InsertUnit(ctx context.Context, saasID string, u pricing.Unit) error {
	args, err := unitArgs(u)
	if err != nil {
		return err
	}
	_, err = t.exec(ctx, `INSERT INTO pricing_units (name, display_name, description, type, currency, unit_amount,
		recurring_interval, upper_count, meter_id, aggregate_usage, tiers, used, saas_id, id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, saasID, u.ID)...)
	return err
}

func (t *Tx) UpdateUnit(ctx context.Context, saasID string, u pricing.Unit) error {
	args, err := unitArgs(u)
	if err != nil {
		return err
	}
	args = args[:len(args)-1] // every column but used: only MarkPlansUsed sets it
	return affected(t.exec(ctx, `UPDATE pricing_units SET name = ?, display_name = ?, description = ?, type = ?, currency = ?,
		unit_amount = ?, recurring_interval = ?, upper_count = ?, meter_id = ?, aggregate_usage = ?, tiers = ?
		WHERE saas_id = ? AND id = ?`, append(args, saasID, u.ID)...))
}

func (t *Tx) DeleteUnit(ctx context.Context, saasID, id string) error {
	return affected(t.exec(ctx, `DELETE FROM pricing_units WHERE saas_id = ? AND id = ?`, saasID, id))
}

func (t *Tx) UnitReferenced(ctx context.Context, saasID, id string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM pricing_menu_units WHERE saas_id = ? AND unit_id = ?`, saasID, id)
}

// ---- menus and plans: a parent row plus an ordered child list ----

// bundle describes a parent table with an ordered list of child ids.
type bundle struct {
	table, link, parentCol, childCol string
}

var (
	menuBundle = bundle{"pricing_menus", "pricing_menu_units", "menu_id", "unit_id"}
	planBundle = bundle{"pricing_plans", "pricing_plan_menus", "plan_id", "menu_id"}
)

type bundleRow struct {
	ID, Name, DisplayName, Description string
	Used                               bool
	Children                           []string
}

func (t *Tx) bundles(ctx context.Context, b bundle, saasID string, ids []string) ([]bundleRow, error) {
	rows, err := t.query(ctx, byIDs(`SELECT id, name, display_name, description, used FROM `+b.table+` WHERE saas_id = ?`, "id", ids)+` ORDER BY seq`,
		stringArgs([]any{saasID}, ids)...)
	if err != nil {
		return nil, err
	}
	var out []bundleRow
	index := map[string]int{}
	for rows.Next() {
		var r bundleRow
		if err := rows.Scan(&r.ID, &r.Name, &r.DisplayName, &r.Description, &r.Used); err != nil {
			rows.Close()
			return nil, err
		}
		r.Children = []string{}
		index[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	// Without ids every parent of the SaaS was read: read every link too,
	// without a long IN list.
	links := `SELECT ` + b.parentCol + `, ` + b.childCol + ` FROM ` + b.link + ` WHERE saas_id = ?`
	args := []any{saasID}
	if len(ids) > 0 {
		parents := make([]string, len(out))
		for i, r := range out {
			parents[i] = r.ID
		}
		links += ` AND ` + b.parentCol + ` IN (` + placeholders(len(parents)) + `)`
		args = stringArgs(args, parents)
	}
	rows, err = t.query(ctx, links+` ORDER BY `+b.parentCol+`, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var parent, child string
		if err := rows.Scan(&parent, &child); err != nil {
			return nil, err
		}
		if i, ok := index[parent]; ok {
			out[i].Children = append(out[i].Children, child)
		}
	}
	return out, rows.Err()
}

func (t *Tx) writeChildren(ctx context.Context, b bundle, saasID, parent string, children []string) error {
	if _, err := t.exec(ctx, `DELETE FROM `+b.link+` WHERE saas_id = ? AND `+b.parentCol+` = ?`, saasID, parent); err != nil {
		return err
	}
	for i, c := range children {
		if _, err := t.exec(ctx, `INSERT INTO `+b.link+` (saas_id, `+b.parentCol+`, position, `+b.childCol+`) VALUES (?, ?, ?, ?)`,
			saasID, parent, i, c); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) insertBundle(ctx context.Context, b bundle, saasID string, r bundleRow) error {
	if _, err := t.exec(ctx, `INSERT INTO `+b.table+` (saas_id, id, name, display_name, description, used) VALUES (?, ?, ?, ?, ?, ?)`,
		saasID, r.ID, r.Name, r.DisplayName, r.Description, r.Used); err != nil {
		return err
	}
	return t.writeChildren(ctx, b, saasID, r.ID, r.Children)
}

func (t *Tx) updateBundle(ctx context.Context, b bundle, saasID string, r bundleRow) error {
	if err := affected(t.exec(ctx, `UPDATE `+b.table+` SET name = ?, display_name = ?, description = ? WHERE saas_id = ? AND id = ?`,
		r.Name, r.DisplayName, r.Description, saasID, r.ID)); err != nil {
		return err
	}
	return t.writeChildren(ctx, b, saasID, r.ID, r.Children)
}

func (t *Tx) deleteBundle(ctx context.Context, b bundle, saasID, id string) error {
	if _, err := t.exec(ctx, `DELETE FROM `+b.link+` WHERE saas_id = ? AND `+b.parentCol+` = ?`, saasID, id); err != nil {
		return err
	}
	return affected(t.exec(ctx, `DELETE FROM `+b.table+` WHERE saas_id = ? AND id = ?`, saasID, id))
}

func (t *Tx) Menus(ctx context.Context, saasID string, ids ...string) ([]pricing.MenuRecord, error) {
	rows, err := t.bundles(ctx, menuBundle, saasID, ids)
	out := make([]pricing.MenuRecord, len(rows))
	for i, r := range rows {
		out[i] = pricing.MenuRecord{Menu: pricing.Menu{ID: r.ID, Name: r.Name, DisplayName: r.DisplayName, Description: r.Description, Used: r.Used}, UnitIDs: r.Children}
	}
	return out, err
}

func menuRow(m pricing.MenuRecord) bundleRow {
	return bundleRow{ID: m.ID, Name: m.Name, DisplayName: m.DisplayName, Description: m.Description, Used: m.Used, Children: m.UnitIDs}
}

func (t *Tx) InsertMenu(ctx context.Context, saasID string, m pricing.MenuRecord) error {
	return t.insertBundle(ctx, menuBundle, saasID, menuRow(m))
}

func (t *Tx) UpdateMenu(ctx context.Context, saasID string, m pricing.MenuRecord) error {
	return t.updateBundle(ctx, menuBundle, saasID, menuRow(m))
}

func (t *Tx) DeleteMenu(ctx context.Context, saasID, id string) error {
	return t.deleteBundle(ctx, menuBundle, saasID, id)
}

func (t *Tx) MenuReferenced(ctx context.Context, saasID, id string) (bool, error) {
	return t.exists(ctx, `SELECT 1 FROM pricing_plan_menus WHERE saas_id = ? AND menu_id = ?`, saasID, id)
}

func (t *Tx) Plans(ctx context.Context, saasID string, ids ...string) ([]pricing.PlanRecord, error) {
	rows, err := t.bundles(ctx, planBundle, saasID, ids)
	out := make([]pricing.PlanRecord, len(rows))
	for i, r := range rows {
		out[i] = pricing.PlanRecord{Plan: pricing.Plan{ID: r.ID, Name: r.Name, DisplayName: r.DisplayName, Description: r.Description, Used: r.Used}, MenuIDs: r.Children}
	}
	return out, err
}

func planRow(p pricing.PlanRecord) bundleRow {
	return bundleRow{ID: p.ID, Name: p.Name, DisplayName: p.DisplayName, Description: p.Description, Used: p.Used, Children: p.MenuIDs}
}

func (t *Tx) InsertPlan(ctx context.Context, saasID string, p pricing.PlanRecord) error {
	return t.insertBundle(ctx, planBundle, saasID, planRow(p))
}

func (t *Tx) UpdatePlan(ctx context.Context, saasID string, p pricing.PlanRecord) error {
	return t.updateBundle(ctx, planBundle, saasID, planRow(p))
}

func (t *Tx) DeletePlan(ctx context.Context, saasID, id string) error {
	return t.deleteBundle(ctx, planBundle, saasID, id)
}

func (t *Tx) MarkPlansUsed(ctx context.Context, saasID string, planIDs []string) error {
	if len(planIDs) == 0 {
		return nil
	}
	in := placeholders(len(planIDs))
	args := stringArgs([]any{saasID}, planIDs)
	steps := []string{
		`UPDATE pricing_plans SET used = TRUE WHERE saas_id = ? AND id IN (` + in + `)`,
		`UPDATE pricing_menus SET used = TRUE WHERE saas_id = ? AND id IN (
			SELECT menu_id FROM pricing_plan_menus WHERE saas_id = pricing_menus.saas_id AND plan_id IN (` + in + `))`,
		`UPDATE pricing_units SET used = TRUE WHERE saas_id = ? AND id IN (
			SELECT mu.unit_id FROM pricing_menu_units mu JOIN pricing_plan_menus pm ON pm.saas_id = mu.saas_id AND pm.menu_id = mu.menu_id
			WHERE mu.saas_id = pricing_units.saas_id AND pm.plan_id IN (` + in + `))`,
		`UPDATE meters SET used = TRUE WHERE saas_id = ? AND id IN (
			SELECT u.meter_id FROM pricing_units u
			JOIN pricing_menu_units mu ON mu.saas_id = u.saas_id AND mu.unit_id = u.id
			JOIN pricing_plan_menus pm ON pm.saas_id = mu.saas_id AND pm.menu_id = mu.menu_id
			WHERE u.saas_id = meters.saas_id AND u.meter_id IS NOT NULL AND pm.plan_id IN (` + in + `))`,
	}
	for _, q := range steps {
		if _, err := t.exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// ---- tax rates ----

func (t *Tx) TaxRates(ctx context.Context, saasID string, ids ...string) ([]pricing.TaxRate, error) {
	rows, err := t.query(ctx, byIDs(`SELECT id, name, display_name, percentage, inclusive, country, description FROM tax_rates WHERE saas_id = ?`, "id", ids)+` ORDER BY seq`,
		stringArgs([]any{saasID}, ids)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []pricing.TaxRate{}
	for rows.Next() {
		var r pricing.TaxRate
		if err := rows.Scan(&r.ID, &r.Name, &r.DisplayName, &r.Percentage, &r.Inclusive, &r.Country, &r.Description); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *Tx) InsertTaxRate(ctx context.Context, saasID string, r pricing.TaxRate) error {
	_, err := t.exec(ctx, `INSERT INTO tax_rates (saas_id, id, name, display_name, percentage, inclusive, country, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		saasID, r.ID, r.Name, r.DisplayName, r.Percentage, r.Inclusive, r.Country, r.Description)
	return err
}

func (t *Tx) UpdateTaxRate(ctx context.Context, saasID string, r pricing.TaxRate) error {
	return affected(t.exec(ctx, `UPDATE tax_rates SET display_name = ?, description = ? WHERE saas_id = ? AND id = ?`,
		r.DisplayName, r.Description, saasID, r.ID))
}

func (t *Tx) DeleteCatalog(ctx context.Context, saasID string) error {
	// Counts belong to meters, and tenants refer to plans and tax rates:
	// usage, tenants' plans, reservations and histories go with the
	// catalog, so nothing is left dangling.
	for _, table := range []string{"metering_days", "metering_entries"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE saas_id = ?`, saasID); err != nil {
			return fmt.Errorf("delete %s: %w", table, err)
		}
	}
	if _, err := t.exec(ctx, `DELETE FROM tenant_plan_histories WHERE saas_id = ?`, saasID); err != nil {
		return fmt.Errorf("delete plan histories: %w", err)
	}
	if _, err := t.exec(ctx, `UPDATE tenants SET plan_id = NULL, next_plan_id = NULL, next_plan_at = NULL,
		next_tax_rate_id = NULL, next_proration = '', next_delete_usage = NULL WHERE saas_id = ?`, saasID); err != nil {
		return fmt.Errorf("clear tenant plans: %w", err)
	}
	for _, table := range []string{"pricing_plan_menus", "pricing_plans", "pricing_menu_units", "pricing_menus", "pricing_units", "meters", "tax_rates"} {
		if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE saas_id = ?`, saasID); err != nil {
			return fmt.Errorf("delete %s: %w", table, err)
		}
	}
	return nil
}
