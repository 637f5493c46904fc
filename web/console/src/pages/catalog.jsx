import { useEffect, useRef, useState } from 'preact/hooks';
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

// Table lists rows; with onEdit, each row ends with an Edit button named
// after the row's first column.
function Table({ caption, cols, rows, empty, onEdit }) {
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
            {onEdit && (
              <th scope="col" class="actions">
                <span class="visually-hidden">Actions</span>
              </th>
            )}
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
              {onEdit && (
                <td class="actions">
                  <button type="button" class="ghost" aria-label={`Edit ${cols[0].get(r)}`} onClick={() => onEdit(r)}>
                    Edit
                  </button>
                </td>
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

// num sends a number field as a number when it reads as one, and as typed
// otherwise, so that the API says what is wrong with it.
const num = (s) => (s === '' || s === null || isNaN(Number(s)) ? s : Number(s));

// EditDialog is a modal dialog around an edit form. Escape or Cancel
// closes it, and the focus goes back to the button that opened it.
function EditDialog({ title, onClose, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const opener = document.activeElement;
    const d = ref.current;
    d.showModal();
    return () => {
      if (d.open) d.close();
      if (opener && opener.isConnected && opener.focus) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="edit"
      aria-labelledby="edit-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="edit-title">{title}</h2>
      {children}
    </dialog>
  );
}

// Buttons ends a form: Save (or the create label) and, in a dialog, Cancel.
function Buttons({ f, label, onCancel, savedText }) {
  return (
    <div class="dialog-actions">
      <button type="submit" disabled={f.busy}>
        {f.busy ? 'Saving…' : label}
      </button>
      {onCancel && (
        <button type="button" class="plain" onClick={onCancel}>
          Cancel
        </button>
      )}
      <span role="status" class="saved">
        {f.status === 'saved' && savedText ? savedText : ''}
      </span>
    </div>
  );
}

function EditMeter({ item, onSaved, onCancel }) {
  const f = useForm(
    ['unit_name', 'display_name', 'description', 'aggregate_usage'],
    (v) => {
      const body = { unit_name: v.get('unit_name'), display_name: v.get('display_name'), description: v.get('description') };
      if (v.get('aggregate_usage')) body.aggregate_usage = v.get('aggregate_usage');
      return api('PATCH', `/v1/pricing/metering/units/${encodeURIComponent(item.id)}`, body);
    },
    onSaved,
    { reset: false },
  );
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={`Edit metering unit ${item.unit_name}`}>
      {item.used && <p class="hint">This meter is in use: its name and aggregation cannot change.</p>}
      <div class="row">
        <Field form="edit-meter" name="unit_name" label="Name" defaultValue={item.unit_name} error={f.errors.unit_name} />
        <Field form="edit-meter" name="display_name" label="Display name" defaultValue={item.display_name} error={f.errors.display_name} />
      </div>
      <div class="row">
        <Field form="edit-meter" name="description" label="Description" defaultValue={item.description} error={f.errors.description} />
        <Field form="edit-meter" name="aggregate_usage" label="Aggregate" error={f.errors.aggregate_usage}>
          {(p) => (
            <select {...p}>
              <option value="" selected={!item.aggregate_usage}>
                sum (default)
              </option>
              <option value="sum" selected={item.aggregate_usage === 'sum'}>
                sum
              </option>
              <option value="max" selected={item.aggregate_usage === 'max'}>
                max
              </option>
            </select>
          )}
        </Field>
      </div>
      <FormErrors errors={f.errors} />
      <Buttons f={f} label="Save" onCancel={onCancel} />
    </form>
  );
}

// EditUnit replaces a pricing unit: the body is the stored unit with the
// edited fields; its type, currency, meter and tiers are sent as stored.
function EditUnit({ item, onSaved, onCancel }) {
  const t = item.type;
  const hasAmount = t === 'fixed' || t === 'usage';
  const hasUpper = t !== 'fixed';
  const fields = ['name', 'display_name', 'description', 'unit_amount', 'recurring_interval', 'upper_count'];
  const f = useForm(
    fields,
    (v) => {
      const body = { name: v.get('name'), display_name: v.get('display_name'), description: v.get('description'), type: t, currency: item.currency };
      if (hasAmount) body.unit_amount = num(v.get('unit_amount'));
      if (t === 'fixed') body.recurring_interval = v.get('recurring_interval');
      if (hasUpper) {
        body.upper_count = num(v.get('upper_count'));
        body.metering_unit_name = item.metering_unit_name;
        if (item.aggregate_usage) body.aggregate_usage = item.aggregate_usage;
      }
      if (item.tiers) body.tiers = item.tiers;
      return api('PATCH', `/v1/pricing/units/${encodeURIComponent(item.id)}`, body);
    },
    onSaved,
    { reset: false },
  );
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={`Edit pricing unit ${item.name}`}>
      <dl class="readonly">
        <dt>Type</dt>
        <dd>{t}</dd>
        <dt>Currency</dt>
        <dd>{item.currency}</dd>
        {item.metering_unit_name && (
          <>
            <dt>Meter</dt>
            <dd>{item.metering_unit_name}</dd>
          </>
        )}
        {item.tiers && (
          <>
            <dt>Tiers</dt>
            <dd>{item.tiers.length} tiers, kept as they are</dd>
          </>
        )}
      </dl>
      {item.used && <p class="hint">This unit is in use: only its name, display name and description can change.</p>}
      <div class="row">
        <Field form="edit-unit" name="name" label="Name" defaultValue={item.name} error={f.errors.name} />
        <Field form="edit-unit" name="display_name" label="Display name" defaultValue={item.display_name} error={f.errors.display_name} />
      </div>
      <div class="row">
        <Field form="edit-unit" name="description" label="Description" defaultValue={item.description} error={f.errors.description} />
      </div>
      <div class="row">
        {hasAmount && (
          <Field
            form="edit-unit"
            name="unit_amount"
            label={`Amount (${item.currency}, smallest unit)`}
            inputMode="numeric"
            defaultValue={String(item.unit_amount)}
            error={f.errors.unit_amount}
          />
        )}
        {t === 'fixed' && (
          <Field form="edit-unit" name="recurring_interval" label="Interval" error={f.errors.recurring_interval}>
            {(p) => (
              <select {...p}>
                <option value="month" selected={item.recurring_interval === 'month'}>
                  month
                </option>
                <option value="year" selected={item.recurring_interval === 'year'}>
                  year
                </option>
              </select>
            )}
          </Field>
        )}
        {hasUpper && (
          <Field
            form="edit-unit"
            name="upper_count"
            label="Upper count"
            inputMode="numeric"
            defaultValue={String(item.upper_count ?? 0)}
            hint="0: no limit"
            error={f.errors.upper_count}
          />
        )}
      </div>
      <FormErrors errors={f.errors} />
      <Buttons f={f} label="Save" onCancel={onCancel} />
    </form>
  );
}

// SetForm creates or replaces a menu (a list of units) or a plan (a list of
// menus). The members keep their stored order; new ones follow in catalog
// order.
function SetForm({ kind, item, options, onSaved, onCancel }) {
  const menu = kind === 'menu';
  const listKey = menu ? 'unit_ids' : 'menu_ids';
  const id = (item ? 'edit-' : '') + kind;
  const stored = item ? (menu ? item.units : item.pricing_menus).map((x) => x.id) : [];
  const f = useForm(
    ['name', 'display_name', 'description', listKey],
    (v) => {
      const chosen = v.getAll(listKey);
      const body = {
        name: v.get('name'),
        display_name: v.get('display_name'),
        description: v.get('description'),
        [listKey]: [...stored.filter((x) => chosen.includes(x)), ...chosen.filter((x) => !stored.includes(x))],
      };
      const base = menu ? '/v1/pricing/menus' : '/v1/pricing/plans';
      return item ? api('PATCH', `${base}/${encodeURIComponent(item.id)}`, body) : api('POST', base, body);
    },
    onSaved,
    { reset: !item },
  );
  const what = menu ? 'menu' : 'plan';
  const err = f.errors[listKey];
  return (
    <form
      class={item ? undefined : 'create'}
      onSubmit={f.onSubmit}
      noValidate
      aria-labelledby={item ? undefined : `${id}-title`}
      aria-label={item ? `Edit ${what} ${item.name}` : undefined}
    >
      {!item && <h3 id={`${id}-title`}>New {what}</h3>}
      {item && item.used && <p class="hint">This {what} is in use: its {menu ? 'units' : 'menus'} cannot change.</p>}
      <div class="row">
        <Field form={id} name="name" label="Name" defaultValue={item ? item.name : ''} error={f.errors.name} />
        <Field form={id} name="display_name" label="Display name" defaultValue={item ? item.display_name : ''} error={f.errors.display_name} />
        <Field form={id} name="description" label="Description" defaultValue={item ? item.description : ''} error={f.errors.description} />
      </div>
      <fieldset class={'checklist' + (err ? ' invalid' : '')} aria-describedby={err ? `${id}-${listKey}-error` : undefined}>
        <legend>{menu ? 'Pricing units' : 'Menus'}</legend>
        {options.length ? (
          <ul>
            {options.map((o) => (
              <li class="check">
                <input type="checkbox" id={`${id}-${listKey}-${o.id}`} name={listKey} value={o.id} defaultChecked={stored.includes(o.id)} />
                <label for={`${id}-${listKey}-${o.id}`}>
                  {o.name} <span class="muted">{o.display_name}</span>
                </label>
              </li>
            ))}
          </ul>
        ) : (
          <Empty>No {menu ? 'pricing units' : 'menus'} yet.</Empty>
        )}
        {err && (
          <p class="field-error" id={`${id}-${listKey}-error`}>
            {err}
          </p>
        )}
      </fieldset>
      <FormErrors errors={f.errors} />
      <Buttons f={f} label={item ? 'Save' : `Create ${what}`} onCancel={onCancel} savedText={item ? '' : `${menu ? 'Menu' : 'Plan'} created.`} />
    </form>
  );
}

// EditTax changes what upstream lets change on a tax rate: its display
// name and description.
function EditTax({ item, onSaved, onCancel }) {
  const f = useForm(
    ['display_name', 'description'],
    (v) => api('PATCH', `/v1/pricing/tax-rates/${encodeURIComponent(item.id)}`, { display_name: v.get('display_name'), description: v.get('description') }),
    onSaved,
    { reset: false },
  );
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label={`Edit tax rate ${item.name}`}>
      <dl class="readonly">
        <dt>Name</dt>
        <dd>{item.name}</dd>
        <dt>Percentage</dt>
        <dd>{item.percentage} %</dd>
        <dt>Inclusive</dt>
        <dd>{yes(item.inclusive)}</dd>
        <dt>Country</dt>
        <dd>{item.country}</dd>
      </dl>
      <p class="hint">Only the display name and the description of a tax rate can change.</p>
      <div class="row">
        <Field form="edit-tax" name="display_name" label="Display name" defaultValue={item.display_name} error={f.errors.display_name} />
        <Field form="edit-tax" name="description" label="Description" defaultValue={item.description} error={f.errors.description} />
      </div>
      <FormErrors errors={f.errors} />
      <Buttons f={f} label="Save" onCancel={onCancel} />
    </form>
  );
}

const kinds = {
  meter: { title: (x) => `Edit metering unit ${x.unit_name}`, name: (x) => x.unit_name, Form: EditMeter },
  unit: { title: (x) => `Edit pricing unit ${x.name}`, name: (x) => x.name, Form: EditUnit },
  menu: { title: (x) => `Edit menu ${x.name}`, name: (x) => x.name, Form: (p) => <SetForm kind="menu" {...p} /> },
  plan: { title: (x) => `Edit plan ${x.name}`, name: (x) => x.name, Form: (p) => <SetForm kind="plan" {...p} /> },
  tax: { title: (x) => `Edit tax rate ${x.name}`, name: (x) => x.name, Form: EditTax },
};

export function Catalog() {
  const state = useLoad(load, []);
  // editing: the kind and item in the edit dialog; saved: the last save.
  const [editing, setEditing] = useState(null);
  const [saved, setSaved] = useState({ kind: '', text: '' });
  const edit = (kind) => (item) => {
    setSaved({ kind: '', text: '' });
    setEditing({ kind, item });
  };
  const Saved = ({ kind }) => (
    <p role="status" class="saved" data-saved={kind}>
      {saved.kind === kind ? saved.text : ''}
    </p>
  );
  return (
    <section aria-labelledby="catalog-title">
      <h1 id="catalog-title">Catalog</h1>
      <Loaded state={state} what="the catalog">
        {(d) => {
          const k = editing && kinds[editing.kind];
          const options = editing && (editing.kind === 'menu' ? d.units : d.menus);
          return (
            <>
              <section aria-labelledby="meters" class="panel">
                <h2 id="meters">Metering units</h2>
                <Table
                  caption="Metering units"
                  empty="No metering units yet."
                  rows={d.meters}
                  onEdit={edit('meter')}
                  cols={[
                    { label: 'Name', get: (m) => m.unit_name },
                    { label: 'Display name', get: (m) => m.display_name },
                    { label: 'Aggregate', get: (m) => m.aggregate_usage || 'sum' },
                    { label: 'Description', get: (m) => m.description },
                    { label: 'In use', get: (m) => yes(m.used) },
                  ]}
                />
                <Saved kind="meter" />
                <NewMeter onCreated={state.reload} />
              </section>
              <section aria-labelledby="units" class="panel">
                <h2 id="units">Pricing units</h2>
                <Table
                  caption="Pricing units"
                  empty="No pricing units yet."
                  rows={d.units}
                  onEdit={edit('unit')}
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
                <Saved kind="unit" />
              </section>
              <section aria-labelledby="menus" class="panel">
                <h2 id="menus">Menus</h2>
                <Table
                  caption="Menus"
                  empty="No menus yet."
                  rows={d.menus}
                  onEdit={edit('menu')}
                  cols={[
                    { label: 'Name', get: (m) => m.name },
                    { label: 'Display name', get: (m) => m.display_name },
                    { label: 'Units', get: (m) => m.units.map((u) => u.name).join(', ') },
                    { label: 'In use', get: (m) => yes(m.used) },
                  ]}
                />
                <Saved kind="menu" />
                <SetForm kind="menu" options={d.units} onSaved={state.reload} />
              </section>
              <section aria-labelledby="plans" class="panel">
                <h2 id="plans">Plans</h2>
                <Table
                  caption="Plans"
                  empty="No plans yet."
                  rows={d.plans}
                  onEdit={edit('plan')}
                  cols={[
                    { label: 'Name', get: (p) => p.name },
                    { label: 'Display name', get: (p) => p.display_name },
                    { label: 'Menus', get: (p) => p.pricing_menus.map((m) => m.name).join(', ') },
                    { label: 'In use', get: (p) => yes(p.used) },
                  ]}
                />
                <Saved kind="plan" />
                <SetForm kind="plan" options={d.menus} onSaved={state.reload} />
              </section>
              <section aria-labelledby="taxes" class="panel">
                <h2 id="taxes">Tax rates</h2>
                <Table
                  caption="Tax rates"
                  empty="No tax rates yet."
                  rows={d.taxes}
                  onEdit={edit('tax')}
                  cols={[
                    { label: 'Name', get: (x) => x.name },
                    { label: 'Display name', get: (x) => x.display_name },
                    { label: 'Percentage', get: (x) => `${x.percentage} %`, num: true },
                    { label: 'Inclusive', get: (x) => yes(x.inclusive) },
                    { label: 'Country', get: (x) => x.country },
                    { label: 'Description', get: (x) => x.description },
                  ]}
                />
                <Saved kind="tax" />
                <NewTaxRate onCreated={state.reload} />
              </section>
              {k && (
                <EditDialog key={editing.kind + editing.item.id} title={k.title(editing.item)} onClose={() => setEditing(null)}>
                  <k.Form
                    key={editing.kind + editing.item.id}
                    item={editing.item}
                    options={options}
                    onCancel={() => setEditing(null)}
                    onSaved={() => {
                      setSaved({ kind: editing.kind, text: `Saved ${k.name(editing.item)}.` });
                      setEditing(null);
                      state.reload();
                    }}
                  />
                </EditDialog>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
