import { useState } from 'preact/hooks';
import { api, get } from '../api.js';
import { dateTime } from '../format.js';
import { Link } from '../router.jsx';
import { Empty, Field, FormErrors, Loaded, useForm, useLoad } from '../ui.jsx';

async function loadList() {
  const [tenants, plans] = await Promise.all([get('/v1/auth/tenants'), get('/v1/pricing/plans')]);
  return { tenants: tenants.tenants, plans: plans.pricing_plans };
}

const planName = (plans, id) => {
  if (!id) return '';
  const p = plans.find((x) => x.id === id);
  return p ? p.display_name || p.name : id;
};

export function Tenants({ query }) {
  const state = useLoad(loadList, []);
  const [q, setQ] = useState(query.get('q') || '');
  function search(v) {
    setQ(v);
    history.replaceState(null, '', v ? `?q=${encodeURIComponent(v)}` : location.pathname);
  }
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants</h1>
      <form role="search" class="search" onSubmit={(e) => e.preventDefault()}>
        <label for="tenant-search">Search by name</label>
        <input id="tenant-search" type="search" value={q} onInput={(e) => search(e.target.value)} autocomplete="off" />
      </form>
      <Loaded state={state} what="the tenants">
        {(d) => {
          const needle = q.trim().toLowerCase();
          const rows = d.tenants.filter((t) => !needle || t.name.toLowerCase().includes(needle));
          return (
            <>
              <p role="status" class="hint" id="tenant-count">
                {rows.length} of {d.tenants.length} tenants
              </p>
              {rows.length ? (
                <div class="table-wrap">
                  <table>
                    <caption class="visually-hidden">Tenants</caption>
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Plan</th>
                        <th scope="col">Next plan</th>
                        <th scope="col">Attributes</th>
                      </tr>
                    </thead>
                    <tbody>
                      {rows.map((t) => (
                        <tr>
                          <th scope="row">
                            <Link to={`/tenants/${encodeURIComponent(t.id)}`}>{t.name}</Link>
                          </th>
                          <td>{planName(d.plans, t.plan_id) || <span class="muted">none</span>}</td>
                          <td>
                            {t.next_plan_id !== undefined
                              ? `${planName(d.plans, t.next_plan_id) || 'none'} from ${dateTime(t.using_next_plan_from)}`
                              : ''}
                          </td>
                          <td>
                            {Object.entries(t.attributes || {})
                              .map(([k, v]) => `${k}: ${v}`)
                              .join(', ')}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <Empty>No tenant matches “{q}”.</Empty>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

async function loadTenant(id) {
  const [tenant, plans, taxes, attrs] = await Promise.all([
    get(`/v1/auth/tenants/${encodeURIComponent(id)}`),
    get('/v1/pricing/plans'),
    get('/v1/pricing/tax-rates'),
    get('/v1/auth/tenant-attributes'),
  ]);
  return { tenant, plans: plans.pricing_plans, taxes: taxes.tax_rates, attrs: attrs.tenant_attributes };
}

// toUnix reads a datetime-local value as the browser's local time.
function toUnix(v) {
  if (!v) return undefined;
  const t = new Date(v).getTime();
  return isNaN(t) ? v : Math.floor(t / 1000);
}

function ChangePlan({ tenant, plans, taxes, onChanged }) {
  const fields = ['next_plan_id', 'using_next_plan_from', 'next_plan_tax_rate_id'];
  const f = useForm(
    fields,
    (v) => {
      const body = { next_plan_id: v.get('next_plan_id') };
      const from = toUnix(v.get('using_next_plan_from'));
      if (from !== undefined) body.using_next_plan_from = from;
      if (v.get('next_plan_tax_rate_id')) body.next_plan_tax_rate_id = v.get('next_plan_tax_rate_id');
      return api('PUT', `/v1/auth/tenants/${encodeURIComponent(tenant.id)}/plans`, body);
    },
    onChanged,
    { reset: false },
  );
  return (
    <form class="create" onSubmit={f.onSubmit} aria-labelledby="change-plan-title" noValidate>
      <h2 id="change-plan-title">Change plan</h2>
      <div class="row">
        <Field form="plan" name="next_plan_id" label="Plan" error={f.errors.next_plan_id}>
          {(p) => (
            <select {...p}>
              {plans.map((x) => (
                <option value={x.id} selected={x.id === tenant.plan_id}>
                  {x.display_name || x.name}
                </option>
              ))}
              <option value="" selected={!tenant.plan_id}>
                No plan (cancel the subscription)
              </option>
            </select>
          )}
        </Field>
        <Field
          form="plan"
          name="using_next_plan_from"
          label="From"
          type="datetime-local"
          error={f.errors.using_next_plan_from}
          hint="Empty: now. A later time reserves the change."
        />
        <Field form="plan" name="next_plan_tax_rate_id" label="Tax rate" error={f.errors.next_plan_tax_rate_id}>
          {(p) => (
            <select {...p}>
              <option value="">None</option>
              {taxes.map((x) => (
                <option value={x.id}>{x.display_name || x.name}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <FormErrors errors={f.errors} />
      <button type="submit" disabled={f.busy}>
        Change plan
      </button>
      <span role="status" class="saved">
        {f.status === 'saved' ? 'Plan changed.' : ''}
      </span>
    </form>
  );
}

export function TenantDetail({ id }) {
  const state = useLoad(() => loadTenant(id), [id]);
  return (
    <Loaded state={state} what="the tenant">
      {(d) => {
        const t = d.tenant;
        const label = (name) => {
          const a = d.attrs.find((x) => x.attribute_name === name);
          return a ? a.display_name || name : name;
        };
        const history = [...(t.plan_histories || [])].reverse();
        return (
          <section aria-labelledby="tenant-title">
            <p class="crumbs">
              <Link to="/tenants">Tenants</Link> /
            </p>
            <h1 id="tenant-title">{t.name}</h1>
            <div class="grid2">
              <section class="panel" aria-labelledby="tenant-about">
                <h2 id="tenant-about">Details</h2>
                <dl>
                  <dt>Id</dt>
                  <dd>
                    <code>{t.id}</code>
                  </dd>
                  <dt>Back-office e-mail</dt>
                  <dd>{t.back_office_staff_email}</dd>
                  <dt>Plan</dt>
                  <dd data-testid="current-plan">{planName(d.plans, t.plan_id) || 'none'}</dd>
                  {t.current_plan_period_start !== undefined && (
                    <>
                      <dt>Current period</dt>
                      <dd>
                        {dateTime(t.current_plan_period_start)} – {dateTime(t.current_plan_period_end)}
                      </dd>
                    </>
                  )}
                  {Object.entries(t.attributes || {}).map(([k, v]) => (
                    <>
                      <dt>{label(k)}</dt>
                      <dd>{String(v)}</dd>
                    </>
                  ))}
                </dl>
                <p>
                  <Link to={`/usage?tenant=${encodeURIComponent(t.id)}`}>Usage of {t.name}</Link>
                </p>
              </section>
              <section class="panel" aria-labelledby="tenant-reservation">
                <h2 id="tenant-reservation">Reservation</h2>
                {t.next_plan_id !== undefined ? (
                  <p data-testid="reservation">
                    {planName(d.plans, t.next_plan_id) || 'No plan'} from {dateTime(t.using_next_plan_from)}
                    {t.next_plan_tax_rate_id ? ` (tax rate ${d.taxes.find((x) => x.id === t.next_plan_tax_rate_id)?.name || t.next_plan_tax_rate_id})` : ''}
                  </p>
                ) : (
                  <Empty>No plan change is reserved.</Empty>
                )}
              </section>
            </div>
            <section class="panel" aria-labelledby="tenant-history">
              <h2 id="tenant-history">Plan history</h2>
              {history.length ? (
                <div class="table-wrap">
                  <table data-testid="plan-history">
                    <caption class="visually-hidden">Plan history, newest first</caption>
                    <thead>
                      <tr>
                        <th scope="col">Applied at</th>
                        <th scope="col">Plan</th>
                        <th scope="col">Tax rate</th>
                      </tr>
                    </thead>
                    <tbody>
                      {history.map((h) => (
                        <tr>
                          <th scope="row">{dateTime(h.plan_applied_at)}</th>
                          <td>{planName(d.plans, h.plan_id) || 'No plan'}</td>
                          <td>{h.tax_rate_id ? d.taxes.find((x) => x.id === h.tax_rate_id)?.name || h.tax_rate_id : ''}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <Empty>This tenant never had a plan.</Empty>
              )}
            </section>
            <ChangePlan tenant={t} plans={d.plans} taxes={d.taxes} onChanged={state.reload} />
          </section>
        );
      }}
    </Loaded>
  );
}

