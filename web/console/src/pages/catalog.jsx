import { api, get } from '../api.js';
import { Empty, Field, FormErrors, Loaded, useForm, useLoad } from '../ui.jsx';

async function load() {
  const [meters, units, menus, plans, taxes] = await Promise.all([
    get('/v1/pricing/metering/units'),
    get('/v1/pricing/units'),
    get('/v1/pricing/menus'),
    get('/v1/pricing/plans'),
    get('/v1/pricing/tax-rates'),
  ]);
  return { meters: meters.units, units: units.units, menus: menus.pricing_menus, plans: plans.pricing_plans, taxes: taxes.tax_rates };
}

const yes = (b) => (b ? 'yes' : 'no');

function Table({ caption, cols, rows, empty }) {
  if (!rows.length) return <Empty>{empty}</Empty>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <th scope="col" class={c.num ? 'num' : undefined}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              {cols.map((c, i) =>
                i === 0 ? (
                  <th scope="row">{c.get(r)}</th>
                ) : (
                  <td class={c.num ? 'num' : undefined}>{c.get(r)}</td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NewMeter({ onCreated }) {
  const f = useForm(
    ['unit_name', 'display_name', 'description', 'aggregate_usage'],
    (v) => {
      const body = { unit_name: v.get('unit_name'), display_name: v.get('display_name'), description: v.get('description') };
      if (v.get('aggregate_usage')) body.aggregate_usage = v.get('aggregate_usage');
      return api('POST', '/v1/pricing/metering/units', body);
    },
    onCreated,
  );
  return (
    <form class="create" onSubmit={f.onSubmit} aria-labelledby="new-meter-title" noValidate>
      <h3 id="new-meter-title">New metering unit</h3>
      <div class="row">
        <Field form="meter" name="unit_name" label="Name" error={f.errors.unit_name} hint="Letters, digits and underscores, e.g. api_calls" />
        <Field form="meter" name="display_name" label="Display name" error={f.errors.display_name} />
        <Field form="meter" name="description" label="Description" error={f.errors.description} />
        <Field form="meter" name="aggregate_usage" label="Aggregate" error={f.errors.aggregate_usage}>
          {(p) => (
            <select {...p}>
              <option value="">sum (default)</option>
              <option value="sum">sum</option>
              <option value="max">max</option>
            </select>
          )}
        </Field>
      </div>
      <FormErrors errors={f.errors} />
      <button type="submit" disabled={f.busy}>
        Create metering unit
      </button>
      <span role="status" class="saved">
        {f.status === 'saved' ? 'Metering unit created.' : ''}
      </span>
    </form>
  );
}

function NewTaxRate({ onCreated }) {
  const fields = ['name', 'display_name', 'percentage', 'inclusive', 'country', 'description'];
  const f = useForm(
    fields,
    (v) => {
      const pct = v.get('percentage');
      return api('POST', '/v1/pricing/tax-rates', {
        name: v.get('name'),
        display_name: v.get('display_name'),
        // Sent as typed: the API says what is wrong with it.
        percentage: pct === '' || isNaN(Number(pct)) ? pct : Number(pct),
        inclusive: v.get('inclusive') === 'on',
        country: v.get('country'),
        description: v.get('description'),
      });
    },
    onCreated,
  );
  return (
    <form class="create" onSubmit={f.onSubmit} aria-labelledby="new-tax-title" noValidate>
      <h3 id="new-tax-title">New tax rate</h3>
      <div class="row">
        <Field form="tax" name="name" label="Name" error={f.errors.name} />
        <Field form="tax" name="display_name" label="Display name" error={f.errors.display_name} />
        <Field form="tax" name="percentage" label="Percentage" inputMode="decimal" error={f.errors.percentage} />
        <Field form="tax" name="country" label="Country" error={f.errors.country} hint="ISO 3166-1 alpha-2, e.g. JP" />
        <Field form="tax" name="description" label="Description" error={f.errors.description} />
        <div class="field check">
          <input type="checkbox" id="tax-inclusive" name="inclusive" />
          <label for="tax-inclusive">Inclusive (prices include the tax)</label>
        </div>
      </div>
      <FormErrors errors={f.errors} />
      <button type="submit" disabled={f.busy}>
        Create tax rate
      </button>
      <span role="status" class="saved">
        {f.status === 'saved' ? 'Tax rate created.' : ''}
      </span>
    </form>
  );
}

const amount = (u) => (u.unit_amount === undefined ? (u.tiers ? `${u.tiers.length} tiers` : '') : `${u.unit_amount} ${u.currency}`);

export function Catalog() {
  const state = useLoad(load, []);
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Catalog</h1>
      <Loaded state={state} what="the catalog">
        {(d) => (
          <>
            <section aria-labelledby="meters" class="panel">
              <h2 id="meters">Metering units</h2>
              <Table
                caption="Metering units"
                empty="No metering units yet."
                rows={d.meters}
                cols={[
                  { label: 'Name', get: (m) => m.unit_name },
                  { label: 'Display name', get: (m) => m.display_name },
                  { label: 'Aggregate', get: (m) => m.aggregate_usage || 'sum' },
                  { label: 'Description', get: (m) => m.description },
                  { label: 'In use', get: (m) => yes(m.used) },
                ]}
              />
              <NewMeter onCreated={state.reload} />
            </section>
            <section aria-labelledby="units" class="panel">
              <h2 id="units">Pricing units</h2>
              <Table
                caption="Pricing units"
                empty="No pricing units yet."
                rows={d.units}
                cols={[
                  { label: 'Name', get: (u) => u.name },
                  { label: 'Display name', get: (u) => u.display_name },
                  { label: 'Type', get: (u) => u.type },
                  { label: 'Amount', get: amount, num: true },
                  { label: 'Meter', get: (u) => u.metering_unit_name || '' },
                  { label: 'Interval', get: (u) => u.recurring_interval },
                  { label: 'In use', get: (u) => yes(u.used) },
                ]}
              />
            </section>
            <section aria-labelledby="menus" class="panel">
              <h2 id="menus">Menus</h2>
              <Table
                caption="Menus"
                empty="No menus yet."
                rows={d.menus}
                cols={[
                  { label: 'Name', get: (m) => m.name },
                  { label: 'Display name', get: (m) => m.display_name },
                  { label: 'Units', get: (m) => m.units.map((u) => u.name).join(', ') },
                  { label: 'In use', get: (m) => yes(m.used) },
                ]}
              />
            </section>
            <section aria-labelledby="plans" class="panel">
              <h2 id="plans">Plans</h2>
              <Table
                caption="Plans"
                empty="No plans yet."
                rows={d.plans}
                cols={[
                  { label: 'Name', get: (p) => p.name },
                  { label: 'Display name', get: (p) => p.display_name },
                  { label: 'Menus', get: (p) => p.pricing_menus.map((m) => m.name).join(', ') },
                  { label: 'In use', get: (p) => yes(p.used) },
                ]}
              />
            </section>
            <section aria-labelledby="taxes" class="panel">
              <h2 id="taxes">Tax rates</h2>
              <Table
                caption="Tax rates"
                empty="No tax rates yet."
                rows={d.taxes}
                cols={[
                  { label: 'Name', get: (x) => x.name },
                  { label: 'Display name', get: (x) => x.display_name },
                  { label: 'Percentage', get: (x) => `${x.percentage} %`, num: true },
                  { label: 'Inclusive', get: (x) => yes(x.inclusive) },
                  { label: 'Country', get: (x) => x.country },
                  { label: 'Description', get: (x) => x.description },
                ]}
              />
              <NewTaxRate onCreated={state.reload} />
            </section>
          </>
        )}
      </Loaded>
    </section>
  );
}
