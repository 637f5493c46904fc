import { get, pool } from '../api.js';
import { Chart } from '../chart.jsx';
import { daysOf, number, ym, ymd } from '../format.js';
import { Link } from '../router.jsx';
import { Loaded, useLoad } from '../ui.jsx';

// maxTenants bounds the usage read for the overview's chart (one read per
// tenant and day).
const maxTenants = 50;

async function load() {
  const [tenants, plans, meters] = await Promise.all([
    get('/v1/auth/tenants'),
    get('/v1/pricing/plans'),
    get('/v1/pricing/metering/units'),
  ]);
  const month = ym(new Date());
  const days = daysOf(month);
  const some = tenants.tenants.slice(0, maxTenants);
  const names = meters.units.map((m) => m.unit_name);
  const totals = Object.fromEntries(names.map((n) => [n, days.map(() => 0)]));
  const jobs = [];
  for (const t of some) days.forEach((d, i) => jobs.push({ t, d, i }));
  await pool(jobs, 6, async ({ t, d, i }) => {
    const r = await get(`/v1/pricing/metering/tenants/${encodeURIComponent(t.id)}/units/date/${ymd(d)}`);
    for (const c of r.counts) if (totals[c.metering_unit_name]) totals[c.metering_unit_name][i] += c.count;
  });
  return {
    tenants: tenants.tenants.length,
    plans: plans.pricing_plans.length,
    meters: meters.units,
    month,
    days,
    totals,
    truncated: tenants.tenants.length > maxTenants,
  };
}

export function Overview() {
  const state = useLoad(load, []);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <Loaded state={state} what="the overview">
        {(d) => (
          <>
            <ul class="stats" aria-label="Counts">
              <li>
                <Link to="/tenants">
                  <span class="stat" data-stat="tenants">{number(d.tenants)}</span> tenants
                </Link>
              </li>
              <li>
                <Link to="/catalog#plans">
                  <span class="stat" data-stat="plans">{number(d.plans)}</span> plans
                </Link>
              </li>
              <li>
                <Link to="/catalog#meters">
                  <span class="stat" data-stat="meters">{number(d.meters.length)}</span> meters
                </Link>
              </li>
            </ul>
            <Chart
              id="overview-usage"
              title={`Usage in ${d.month} by day, all tenants`}
              x={d.days}
              labels={d.days.map(ymd)}
              series={d.meters.map((m) => ({ label: m.display_name || m.unit_name, values: d.totals[m.unit_name] }))}
            />
            {d.truncated && <p class="hint">The chart adds up the first {maxTenants} tenants only.</p>}
          </>
        )}
      </Loaded>
    </section>
  );
}
