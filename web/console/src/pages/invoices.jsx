import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, get, getExact } from '../api.js';
import { Chart } from '../chart.jsx';
import { dateTime, ym } from '../format.js';
import { Link, navigate } from '../router.jsx';
import { Empty, Field, FormErrors, Loaded, useForm, useLoad } from '../ui.jsx';

// Money, exactly as the API gives it: integers in the currency's smallest
// unit (docs/money.md), as numbers, BigInts (beyond 2^53, see getExact) or
// strings of digits. Never a float: sums are BigInt, and the decimal point
// is put in the digits' text.
const minorDigits = { JPY: 0, USD: 2 };
const symbols = { JPY: '¥', USD: '$' };

export function toBig(v) {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return 0n;
}

// money writes an amount in minor units: money(110000, 'USD') is
// "$1,100.00", money(-5, 'JPY') "-¥5".
export function money(v, currency) {
  const n = toBig(v);
  const neg = n < 0n;
  let int = (neg ? -n : n).toString();
  const d = minorDigits[currency] || 0;
  let frac = '';
  if (d > 0) {
    int = int.padStart(d + 1, '0');
    frac = '.' + int.slice(-d);
    int = int.slice(0, -d);
  }
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sym = symbols[currency];
  const text = sym ? sym + grouped + frac : grouped + frac + (currency ? ' ' + currency : '');
  return (neg ? '-' : '') + text;
}

// zdate writes an instant as the day it is in the SaaS's time zone.
function zdate(unix, tz) {
  const d = new Date(unix * 1000);
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone: tz || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  } catch {
    return d.toISOString().slice(0, 10);
  }
}

// span is a window [from, to) as its first and last day.
const span = (from, to, tz) => {
  const a = zdate(from, tz);
  const b = zdate(Math.max(from, to - 1), tz);
  return a === b ? a : `${a} – ${b}`;
};

const names = (list, key = 'name') => Object.fromEntries(list.map((x) => [x.id, x.display_name || x[key]]));

async function loadNames() {
  const [tenants, plans] = await Promise.all([get('/v1/auth/tenants'), get('/v1/pricing/plans')]);
  return { tenants: tenants.tenants, tenantName: names(tenants.tenants), planName: names(plans.pricing_plans) };
}

// loadInvoices follows the pages of finalized invoices, newest first, up
// to 5,000.
async function loadInvoices(tenant) {
  const invoices = [];
  let before;
  for (let page = 0; page < 5; page++) {
    const q = new URLSearchParams({ limit: '1000' });
    if (tenant) q.set('tenant_id', tenant);
    if (before !== undefined) q.set('before', String(before));
    const r = await getExact('/v1/billing/invoices?' + q);
    invoices.push(...r.invoices);
    if (r.next_before === undefined) return { invoices, more: false };
    before = r.next_before;
  }
  return { invoices, more: true };
}

// totals adds the invoices' totals up per currency, in BigInt.
function totals(invoices) {
  const out = {};
  for (const inv of invoices) if (inv.currency) out[inv.currency] = (out[inv.currency] || 0n) + toBig(inv.total);
  return out;
}

// Revenue charts the totals of the last 12 months, one chart per currency
// (a yearly invoice counts in its period's first month).
function Revenue({ invoices }) {
  const data = useMemo(() => {
    const now = new Date();
    const months = Array.from({ length: 12 }, (_, i) => new Date(now.getFullYear(), now.getMonth() - 11 + i, 1));
    const keys = months.map(ym);
    const by = {};
    for (const inv of invoices) {
      if (!inv.currency) continue;
      const i = keys.indexOf(inv.period.length === 4 ? inv.period + '-01' : inv.period);
      if (i < 0) continue;
      (by[inv.currency] ||= keys.map(() => 0n))[i] += toBig(inv.total);
    }
    return Object.keys(by)
      .sort()
      .map((cur) => ({
        cur,
        format: (v) => money(BigInt(Math.round(v)), cur),
        series: [{ label: `Total (${cur})`, values: by[cur].map(Number), cells: by[cur].map((s) => money(s, cur)) }],
        months,
        keys,
      }));
  }, [invoices]);
  if (!data.length) return null;
  return (
    <>
      {data.map((d) => (
        <Chart
          id={'revenue-' + d.cur.toLowerCase()}
          unit="month"
          title={`Invoiced per month, ${d.cur} (last 12 months, by billing period)`}
          x={d.months}
          labels={d.keys}
          series={d.series}
          format={d.format}
          height={200}
        />
      ))}
    </>
  );
}

function statusBadge(status) {
  return <span class={'badge inv-' + status}>{status === 'finalized' ? 'Finalized' : status === 'preview' ? 'Preview' : status}</span>;
}

function InvoiceTable({ invoices, tenantName }) {
  return (
    <div class="table-wrap">
      <table data-testid="invoices">
        <caption class="visually-hidden">Finalized invoices, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Number</th>
            <th scope="col">Tenant</th>
            <th scope="col">Period</th>
            <th scope="col" class="num">Total</th>
            <th scope="col">Currency</th>
            <th scope="col">Status</th>
            <th scope="col">Finalized</th>
          </tr>
        </thead>
        <tbody>
          {invoices.map((inv) => (
            <tr data-invoice={inv.invoice_id}>
              <th scope="row">
                <Link to={`/invoices/${encodeURIComponent(inv.invoice_id)}`} aria-label={`Invoice ${inv.number}`}>
                  No. {inv.number}
                </Link>
              </th>
              <td>
                {tenantName[inv.tenant_id] ? (
                  <Link to={`/tenants/${encodeURIComponent(inv.tenant_id)}`}>{tenantName[inv.tenant_id]}</Link>
                ) : (
                  <code>{inv.tenant_id}</code>
                )}
              </td>
              <td>{inv.period}</td>
              <td class="num">{money(inv.total, inv.currency)}</td>
              <td>{inv.currency || <span class="muted">none</span>}</td>
              <td>{statusBadge(inv.status)}</td>
              <td>{dateTime(inv.finalized_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// PreviewForm asks for a tenant and a period, and opens their preview.
function PreviewForm({ tenants, tenant, period }) {
  const [err, setErr] = useState('');
  function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const p = String(f.get('period') || '').trim();
    if (!/^\d{4}(-\d{2})?$/.test(p)) {
      setErr('period: use YYYY-MM, or YYYY for a tenant on a yearly plan');
      e.target.elements.namedItem('period').focus();
      return;
    }
    setErr('');
    navigate(`/invoices/preview?tenant=${encodeURIComponent(f.get('tenant'))}&period=${encodeURIComponent(p)}`);
  }
  return (
    <form class="panel no-print" onSubmit={submit} aria-labelledby="preview-title" noValidate>
      <h2 id="preview-title">Preview an invoice</h2>
      <p class="hint">What a tenant has run up so far in a period that has not ended, or the invoice of one that has.</p>
      <div class="row">
        <Field form="preview" name="tenant" label="Tenant">
          {(p) => (
            <select {...p}>
              {tenants.map((t) => (
                <option value={t.id} selected={t.id === tenant}>
                  {t.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field
          form="preview"
          name="period"
          label="Period"
          value={period || ym(new Date())}
          error={err}
          hint="YYYY-MM, or YYYY for a yearly plan"
          autocomplete="off"
          spellcheck={false}
        />
      </div>
      <button type="submit" disabled={!tenants.length}>
        Preview
      </button>
    </form>
  );
}

function runState(r) {
  if (r.status !== 'done') return `${r.status}${r.tenants ? `, ${r.done} of ${r.tenants}` : ''}`;
  return 'done';
}

// Runs lists the invoice runs and starts one for a period that has ended.
function Runs() {
  const state = useLoad(() => get('/v1/billing/invoice-runs?limit=20'), []);
  const busy = state.data && state.data.runs.some((r) => r.status !== 'done');
  // Follow a run that is queued or running.
  useEffect(() => {
    if (!busy) return undefined;
    const t = setTimeout(state.reload, 2000);
    return () => clearTimeout(t);
  }, [busy, state.data]);
  const f = useForm(['period'], (v) => api('POST', '/v1/billing/invoice-runs', { period: String(v.get('period')).trim() }), state.reload);
  const last = new Date();
  last.setDate(1);
  last.setMonth(last.getMonth() - 1);
  return (
    <section class="panel runs" aria-labelledby="runs-title">
      <h2 id="runs-title">Invoice runs</h2>
      <p class="hint">
        A run finalizes the invoice of every tenant for a period that has ended. The period close starts one by itself
        for each month once its grace is over.
      </p>
      <Loaded state={state} what="the invoice runs">
        {(d) =>
          d.runs.length ? (
            <div class="table-wrap">
              <table data-testid="runs">
                <caption class="visually-hidden">Invoice runs, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Period</th>
                    <th scope="col">Started by</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">Tenants</th>
                    <th scope="col" class="num">Finalized</th>
                    <th scope="col" class="num">Existing</th>
                    <th scope="col" class="num">Skipped</th>
                    <th scope="col" class="num">Failed</th>
                    <th scope="col">Created</th>
                  </tr>
                </thead>
                <tbody>
                  {d.runs.map((r) => (
                    <tr data-run={r.run_id}>
                      <th scope="row">{r.period}</th>
                      <td>{r.trigger === 'schedule' ? 'period close' : 'hand'}</td>
                      <td>
                        <span class={'badge run-' + r.status}>{runState(r)}</span>
                      </td>
                      <td class="num">{r.tenants}</td>
                      <td class="num">{r.finalized}</td>
                      <td class="num">{r.existing}</td>
                      <td class="num">{r.skipped}</td>
                      <td class="num">
                        {r.failed ? (
                          <span class="field-error" title={(r.failures || []).map((x) => `${x.tenant_id}: ${x.message}`).join('\n')}>
                            {r.failed}
                          </span>
                        ) : (
                          0
                        )}
                      </td>
                      <td>{dateTime(r.created_at)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>No invoice run yet.</Empty>
          )
        }
      </Loaded>
      <form class="create no-print" onSubmit={f.onSubmit} aria-labelledby="run-title" noValidate>
        <h3 id="run-title">Run invoices for a period</h3>
        <div class="row">
          <Field
            form="run"
            name="period"
            label="Period to run"
            value={ym(last)}
            error={f.errors.period}
            hint="A month (YYYY-MM) or year (YYYY) that has ended. Running it again is safe."
            autocomplete="off"
            spellcheck={false}
          />
        </div>
        <FormErrors errors={f.errors} />
        <button type="submit" disabled={f.busy}>
          Run invoices
        </button>
        <span role="status" class="saved">
          {f.status === 'saved' ? 'Run started.' : ''}
        </span>
      </form>
    </section>
  );
}

export function Invoices({ query }) {
  const choices = useLoad(loadNames, []);
  const [tenant, setTenant] = useState(query.get('tenant') || '');
  const list = useLoad(() => loadInvoices(tenant), [tenant]);
  function pick(v) {
    setTenant(v);
    history.replaceState(null, '', v ? `?tenant=${encodeURIComponent(v)}` : location.pathname);
  }
  return (
    <section aria-labelledby="invoices-title">
      <h1 id="invoices-title">Invoices</h1>
      <Loaded state={choices} what="the tenants">
        {(c) => (
          <>
            <form class="filters inv-filters no-print" onSubmit={(e) => e.preventDefault()} aria-label="Which invoices">
              <div class="field">
                <label for="invoice-tenant">Tenant</label>
                <select id="invoice-tenant" value={tenant} onChange={(e) => pick(e.target.value)}>
                  <option value="">All tenants</option>
                  {c.tenants.map((t) => (
                    <option value={t.id}>{t.name}</option>
                  ))}
                </select>
              </div>
            </form>
            <Loaded state={list} what="the invoices">
              {(d) => {
                const sums = totals(d.invoices);
                return (
                  <div aria-busy={list.loading ? 'true' : 'false'}>
                    <ul class="stats inv-stats" aria-label="Summary">
                      <li>
                        <span class="stat-box">
                          <span class="stat" data-stat="invoices">
                            {d.invoices.length}
                            {d.more ? '+' : ''}
                          </span>
                          finalized invoices
                        </span>
                      </li>
                      {Object.keys(sums)
                        .sort()
                        .map((cur) => (
                          <li>
                            <span class="stat-box">
                              <span class="stat" data-stat={'total-' + cur}>
                                {money(sums[cur], cur)}
                              </span>
                              invoiced in {cur}
                            </span>
                          </li>
                        ))}
                    </ul>
                    <Revenue invoices={d.invoices} />
                    <section class="panel" aria-labelledby="invoice-list-title">
                      <h2 id="invoice-list-title">Finalized invoices</h2>
                      <p role="status" class="hint" id="invoice-count">
                        {d.invoices.length} invoice{d.invoices.length === 1 ? '' : 's'}
                        {tenant ? ` of ${c.tenantName[tenant] || tenant}` : ''}
                        {d.more ? ' (the newest 5,000)' : ''}
                      </p>
                      {d.invoices.length ? (
                        <InvoiceTable invoices={d.invoices} tenantName={c.tenantName} />
                      ) : (
                        <Empty>
                          No finalized invoice{tenant ? ' for this tenant' : ''} yet. An invoice is finalized once its
                          period has ended: by the period close, by an invoice run, or by POST /v1/billing/invoices.
                        </Empty>
                      )}
                    </section>
                  </div>
                );
              }}
            </Loaded>
            <PreviewForm tenants={c.tenants} tenant={tenant || (c.tenants[0] && c.tenants[0].id)} />
            <Runs />
          </>
        )}
      </Loaded>
    </section>
  );
}

// InvoiceDocument is an invoice as it prints: who, which period, its lines,
// taxes and totals.
function InvoiceDocument({ inv, tenantName, planName }) {
  const cur = inv.currency;
  const tz = inv.time_zone;
  const m = (v) => money(v, cur);
  return (
    <article class="invoice" aria-labelledby="invoice-title" data-testid="invoice">
      <header class="invoice-head">
        <div>
          <h1 id="invoice-title">{inv.status === 'preview' ? 'Invoice preview' : `Invoice No. ${inv.number}`}</h1>
          <p class="invoice-to">
            <span class="muted">Billed to </span>
            <strong data-testid="invoice-tenant">{tenantName[inv.tenant_id] || inv.tenant_id}</strong>
          </p>
        </div>
        <div class="invoice-total">
          <span class="muted">Total</span>
          <strong data-testid="invoice-total">{m(inv.total)}</strong>
          {statusBadge(inv.status)}
        </div>
      </header>
      <dl class="invoice-meta">
        <dt>Period</dt>
        <dd>
          {inv.period}: {span(inv.period_start, inv.period_end, tz)} <span class="muted">({tz})</span>
        </dd>
        {inv.status === 'finalized' && (
          <>
            <dt>Finalized</dt>
            <dd>{dateTime(inv.finalized_at)}</dd>
          </>
        )}
        <dt>Currency</dt>
        <dd>{cur || 'none (nothing charged)'}</dd>
        {inv.rounding && (
          <>
            <dt>Rounding</dt>
            <dd>{inv.rounding === 'down' ? 'down to the unit' : 'half up'}</dd>
          </>
        )}
        {inv.invoice_id && (
          <>
            <dt>Invoice id</dt>
            <dd>
              <code>{inv.invoice_id}</code>
            </dd>
          </>
        )}
        {inv.run_id && (
          <>
            <dt>Invoice run</dt>
            <dd>
              <code>{inv.run_id}</code>
            </dd>
          </>
        )}
        <dt>Engine</dt>
        <dd>
          <code>{inv.engine}</code>
        </dd>
      </dl>
      <h2 id="lines-title">Lines</h2>
      {inv.lines.length ? (
        <div class="table-wrap">
          <table class="invoice-lines" aria-labelledby="lines-title" data-testid="invoice-lines">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Window</th>
                <th scope="col" class="num">Quantity</th>
                <th scope="col" class="num">Unit price</th>
                <th scope="col">Tax</th>
                <th scope="col" class="num">Amount</th>
              </tr>
            </thead>
            <tbody>
              {inv.lines.map((l) => {
                const u = (l.provenance && l.provenance.unit) || {};
                const pv = l.provenance || {};
                const prorated = l.type === 'fixed' && pv.covered_seconds !== undefined && pv.covered_seconds < pv.period_seconds;
                return (
                  <tr class={l.adjusts ? 'adjustment' : ''}>
                    <th scope="row">
                      {l.display_name || l.name}
                      <span class="line-sub">
                        {planName[l.plan_id] || 'plan ' + l.plan_id}
                        {l.metering_unit_name ? ` · meter ${l.metering_unit_name}` : ''}
                        {prorated ? ' · prorated by time' : ''}
                      </span>
                      {l.adjusts && (
                        <span class="line-sub">
                          Adjusts invoice No. {l.adjusts.number} ({l.adjusts.period}), line {l.adjusts.line + 1}
                        </span>
                      )}
                    </th>
                    <td>{span(l.from, l.to, tz)}</td>
                    <td class="num">{String(l.quantity)}</td>
                    <td class="num">
                      {l.type === 'fixed'
                        ? `${m(u.unit_amount)} / ${u.recurring_interval || 'month'}`
                        : l.type === 'usage'
                          ? m(u.unit_amount)
                          : 'tiered'}
                    </td>
                    <td>{pv.tax ? `${pv.tax.display_name || pv.tax.name} ${pv.tax.percentage}%` : <span class="muted">none</span>}</td>
                    <td class="num">{m(l.amount)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>Nothing to bill for this period: the tenant had no plan in it.</Empty>
      )}
      <div class="invoice-foot">
        {inv.taxes.length ? (
          <div class="table-wrap">
            <table class="invoice-taxes" data-testid="invoice-taxes">
              <caption>Taxes</caption>
              <thead>
                <tr>
                  <th scope="col">Tax rate</th>
                  <th scope="col" class="num">Rate</th>
                  <th scope="col">Kind</th>
                  <th scope="col" class="num">Taxable amount</th>
                  <th scope="col" class="num">Tax</th>
                </tr>
              </thead>
              <tbody>
                {inv.taxes.map((x) => (
                  <tr>
                    <th scope="row">{x.display_name || x.name}</th>
                    <td class="num">{x.percentage}%</td>
                    <td>{x.inclusive ? 'included in the price' : 'added'}</td>
                    <td class="num">{m(x.taxable_amount)}</td>
                    <td class="num">{m(x.tax_amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No tax applies.</p>
        )}
        <table class="invoice-totals" data-testid="invoice-totals">
          <caption class="visually-hidden">Totals</caption>
          <tbody>
            <tr>
              <th scope="row">Subtotal</th>
              <td class="num">{m(inv.subtotal)}</td>
            </tr>
            <tr>
              <th scope="row">Tax</th>
              <td class="num">{m(inv.tax_amount)}</td>
            </tr>
            <tr class="grand">
              <th scope="row">Total</th>
              <td class="num">{m(inv.total)}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </article>
  );
}

function Toolbar({ tenant }) {
  return (
    <div class="toolbar no-print">
      <button type="button" onClick={() => window.print()}>
        Print
      </button>
      {tenant && <Link to={`/invoices?tenant=${encodeURIComponent(tenant)}`}>All invoices of this tenant</Link>}
    </div>
  );
}

export function InvoiceDetail({ id }) {
  const state = useLoad(async () => {
    const [inv, n] = await Promise.all([getExact(`/v1/billing/invoices/${encodeURIComponent(id)}`), loadNames()]);
    return { inv, ...n };
  }, [id]);
  return (
    <Loaded state={state} what="the invoice">
      {(d) => (
        <section>
          <p class="crumbs no-print">
            <Link to="/invoices">Invoices</Link> /
          </p>
          <Toolbar tenant={d.inv.tenant_id} />
          <InvoiceDocument inv={d.inv} tenantName={d.tenantName} planName={d.planName} />
        </section>
      )}
    </Loaded>
  );
}

export function InvoicePreview({ query }) {
  const tenant = query.get('tenant') || '';
  const period = query.get('period') || ym(new Date());
  const names = useLoad(loadNames, []);
  const state = useLoad(
    () => getExact(`/v1/billing/invoices/preview?tenant_id=${encodeURIComponent(tenant)}&period=${encodeURIComponent(period)}`),
    [tenant, period],
  );
  return (
    <section>
      <p class="crumbs no-print">
        <Link to="/invoices">Invoices</Link> /
      </p>
      <Loaded state={names} what="the tenants">
        {(n) => (
          <>
            {state.error && <h1>Invoice preview</h1>}
            <Loaded state={state} what="the preview">
              {(inv) => (
                <>
                  <Toolbar tenant={inv.tenant_id} />
                  <p class="notice-inline no-print" role="note">
                    A preview is not an invoice: it shows what {n.tenantName[inv.tenant_id] || 'the tenant'} has run up
                    in {inv.period} so far, and changes as usage arrives.
                  </p>
                  <InvoiceDocument inv={inv} tenantName={n.tenantName} planName={n.planName} />
                </>
              )}
            </Loaded>
            <PreviewForm tenants={n.tenants} tenant={tenant} period={period} />
          </>
        )}
      </Loaded>
    </section>
  );
}
