import { useState } from 'preact/hooks';
import { get, pool } from '../api.js';
import { Chart } from '../chart.jsx';
import { daysOf, monthsOf, ym, ymd } from '../format.js';
import { Loaded, useLoad } from '../ui.jsx';

async function loadChoices() {
  const [tenants, meters] = await Promise.all([get('/v1/auth/tenants'), get('/v1/pricing/metering/units')]);
  return { tenants: tenants.tenants, meters: meters.units };
}

// counts reads the all-meter count of each period ("date/2026-05-01" or
// "month/2026-05") of a tenant: { meter: [count per period] }.
async function counts(tenant, periods) {
  const out = {};
  await pool(periods, 6, async (p, i) => {
    const r = await get(`/v1/pricing/metering/tenants/${encodeURIComponent(tenant)}/units/${p}`);
    for (const c of r.counts) {
      (out[c.metering_unit_name] ||= new Array(periods.length).fill(0))[i] = c.count;
    }
  });
  return out;
}

function Charts({ tenant, meters, meter, month, year }) {
  const state = useLoad(async () => {
    const days = daysOf(month);
    const months = monthsOf(year).filter((m) => m <= new Date());
    const [daily, monthly] = await Promise.all([
      counts(tenant, days.map((d) => 'date/' + ymd(d))),
      counts(tenant, months.map((m) => 'month/' + ym(m))),
    ]);
    return { days, months, daily, monthly };
  }, [tenant, month, year]);
  const shown = meters.filter((m) => !meter || m.unit_name === meter);
  const series = (by, n) =>
    shown.map((m) => ({ label: m.display_name || m.unit_name, values: by[m.unit_name] || new Array(n).fill(0) }));
  return (
    <Loaded state={state} what="the usage">
      {(d) => (
        <div aria-busy={state.loading ? 'true' : 'false'}>
          <Chart id="usage-daily" title={`By day, ${month}`} x={d.days} labels={d.days.map(ymd)} series={series(d.daily, d.days.length)} />
          <Chart
            id="usage-monthly"
            unit="month"
            title={`By month, ${year}`}
            x={d.months}
            labels={d.months.map(ym)}
            series={series(d.monthly, d.months.length)}
          />
        </div>
      )}
    </Loaded>
  );
}

export function Usage({ query }) {
  const choices = useLoad(loadChoices, []);
  const now = new Date();
  const [sel, setSel] = useState({
    tenant: query.get('tenant') || '',
    meter: query.get('meter') || '',
    month: query.get('month') || ym(now),
  });
  function set(k, v) {
    const next = { ...sel, [k]: v };
    setSel(next);
    const q = new URLSearchParams(Object.entries(next).filter(([, x]) => x));
    history.replaceState(null, '', '?' + q.toString());
  }
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <Loaded state={choices} what="the tenants and meters">
        {(d) => {
          const tenant = sel.tenant || (d.tenants[0] && d.tenants[0].id) || '';
          const year = Number(sel.month.slice(0, 4)) || now.getFullYear();
          if (!d.tenants.length) return <p class="empty">No tenants yet.</p>;
          return (
            <>
              <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="What to show">
                <div class="field">
                  <label for="usage-tenant">Tenant</label>
                  <select id="usage-tenant" value={tenant} onChange={(e) => set('tenant', e.target.value)}>
                    {d.tenants.map((t) => (
                      <option value={t.id}>{t.name}</option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="usage-meter">Meter</label>
                  <select id="usage-meter" value={sel.meter} onChange={(e) => set('meter', e.target.value)}>
                    <option value="">All meters</option>
                    {d.meters.map((m) => (
                      <option value={m.unit_name}>{m.display_name || m.unit_name}</option>
                    ))}
                  </select>
                </div>
                <div class="field">
                  <label for="usage-month">Month</label>
                  <input
                    id="usage-month"
                    type="month"
                    value={sel.month}
                    max={ym(now)}
                    onChange={(e) => e.target.value && set('month', e.target.value)}
                  />
                </div>
              </form>
              <Charts tenant={tenant} meters={d.meters} meter={sel.meter} month={sel.month} year={year} />
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
