import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { Link } from '../router.jsx';
import { Empty, Loaded, useLoad } from '../ui.jsx';

// when writes an RFC 3339 time as "YYYY-MM-DD HH:MM" in the browser's zone.
function when(s) {
  if (!s) return '';
  const d = new Date(s);
  if (isNaN(d)) return s;
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function loadNames() {
  const [tenants, plans] = await Promise.all([get('/v1/auth/tenants'), get('/v1/pricing/plans')]);
  const by = (list) => Object.fromEntries(list.map((x) => [x.id, x.display_name || x.name]));
  return { tenantName: by(tenants.tenants), planName: by(plans.pricing_plans) };
}

const TenantLink = ({ id, names }) =>
  id ? <Link to={`/tenants/${encodeURIComponent(id)}`}>{names.tenantName[id] || id}</Link> : <span class="muted">none</span>;

const Badge = ({ value }) => (
  <span class={'badge mp-' + String(value || '').toLowerCase()}>{value ? String(value).replace(/_/g, ' ') : 'unknown'}</span>
);

// Setting shows one setting, or that it is not set.
const Setting = ({ label, value }) => (
  <>
    <dt>{label}</dt>
    <dd>{value ? <code>{value}</code> : <span class="muted">not set</span>}</dd>
  </>
);

// LaunchLink fetches the CloudFormation link on demand: the first call
// makes the SaaS's external id.
function LaunchLink() {
  const [s, set] = useState({ link: '', error: '', busy: false });
  async function fetchLink() {
    set({ link: '', error: '', busy: true });
    try {
      const r = await get('/v1/awsmarketplace/cloudformation-launch-stack-link');
      set({ link: r.link, error: '', busy: false });
    } catch (e) {
      set({ link: '', error: e.message, busy: false });
    }
  }
  return (
    <div class="launch">
      {s.link ? (
        <a href={s.link} target="_blank" rel="noopener noreferrer">
          Open the CloudFormation quick-create page (us-east-1)
        </a>
      ) : (
        <button type="button" class="soft" onClick={fetchLink} disabled={s.busy}>
          Get the CloudFormation link
        </button>
      )}
      {s.error && (
        <p class="error" role="alert">
          {s.error}
        </p>
      )}
    </div>
  );
}

function AWS({ names }) {
  const state = useLoad(async () => {
    const [settings, listing, plans, customers] = await Promise.all([
      get('/v1/awsmarketplace/settings'),
      get('/v1/awsmarketplace/listing-status'),
      get('/v1/awsmarketplace/plans'),
      get('/v1/awsmarketplace/customers'),
    ]);
    return { settings, listing: listing.listing_status, plans: plans.plans, customers: customers.customers };
  }, []);
  return (
    <section class="panel" aria-labelledby="aws-title">
      <h2 id="aws-title">AWS Marketplace</h2>
      <Loaded state={state} what="the AWS Marketplace data">
        {(d) => {
          const s = d.settings;
          const connected = s.product_code && s.role_arn;
          const plan = (dim) => {
            const l = d.plans.find((p) => p.plan_name === dim);
            return l ? names.planName[l.plan_id] || l.plan_id : '';
          };
          return (
            <>
              <div class="grid2">
                <div>
                  <h3>Connection</h3>
                  <p data-testid="aws-state">
                    <span class={'badge ' + (connected ? 'mp-subscribed' : 'mp-pending')}>{connected ? 'Connected' : 'Not connected'}</span>{' '}
                    listing <Badge value={d.listing} />
                  </p>
                  <dl>
                    <Setting label="Product code" value={s.product_code} />
                    <Setting label="Role" value={s.role_arn} />
                    <Setting label="Fulfillment URL" value={s.redirect_sign_up_page_function_url} />
                    <Setting label="Sign-up page" value={s.sign_up_url} />
                  </dl>
                </div>
                <div>
                  <h3>Plans</h3>
                  <PlanLinks testid="aws-plans" caption="AWS plan names and their pricing plans" column="AWS dimension"
                    links={d.plans.map((p) => [p.plan_name, p.plan_id])} names={names}
                    empty="No AWS plan name is linked to a pricing plan." />
                </div>
              </div>
              <h3 id="aws-customers">Customers</h3>
              {d.customers.length ? (
                <div class="table-wrap">
                  <table aria-labelledby="aws-customers" data-testid="aws-customers">
                    <thead>
                      <tr>
                        <th scope="col">Customer</th>
                        <th scope="col">AWS account</th>
                        <th scope="col">Tenant</th>
                        <th scope="col">Dimension</th>
                        <th scope="col">Status</th>
                        <th scope="col">Entitled until</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.customers.map((c) => (
                        <tr>
                          <th scope="row">
                            <code>{c.customer_identifier}</code>
                          </th>
                          <td>{c.customer_aws_account_id}</td>
                          <td>
                            <TenantLink id={c.tenant_id} names={names} />
                          </td>
                          <td>
                            {c.dimension ? <code>{c.dimension}</code> : ''}
                            {plan(c.dimension) ? <span class="line-sub">{plan(c.dimension)}</span> : ''}
                          </td>
                          <td>
                            <Badge value={c.status} />
                          </td>
                          <td>{when(c.entitlement_expires_at)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <div class="empty-state" data-testid="aws-empty">
                  <p>
                    <strong>No AWS Marketplace buyer is linked to a tenant yet.</strong> To sell through AWS Marketplace:
                  </p>
                  <ol>
                    <li>
                      Create the seller resources (a role saasplane assumes, a queue for the product's topics) with the
                      CloudFormation link below, then save the stack's outputs with{' '}
                      <code>PUT /v1/awsmarketplace/settings</code>.
                    </li>
                    <li>Enter the fulfillment URL above as the product's fulfillment URL in AWS Marketplace.</li>
                    <li>
                      Link each contract dimension to a pricing plan: <code>PUT /v1/awsmarketplace/plans</code>.
                    </li>
                    <li>
                      Your sign-up page links each buyer to a tenant with <code>POST /v1/awsmarketplace/customers</code>;
                      they are listed here from then on.
                    </li>
                  </ol>
                  <LaunchLink />
                </div>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function Azure({ names }) {
  const state = useLoad(async () => {
    const [settings, plans, subs, ops] = await Promise.all([
      get('/v1/azuremarketplace/settings'),
      get('/v1/azuremarketplace/plans'),
      get('/v1/azuremarketplace/subscriptions'),
      get('/v1/azuremarketplace/operations?limit=50'),
    ]);
    return { settings, plans: plans.plans, subs: subs.subscriptions, ops: ops.operations };
  }, []);
  return (
    <section class="panel" aria-labelledby="azure-title">
      <h2 id="azure-title">Azure Marketplace</h2>
      <Loaded state={state} what="the Azure Marketplace data">
        {(d) => {
          const s = d.settings;
          const connected = s.tenant_id && s.client_id && s.client_secret_set;
          const subName = Object.fromEntries(d.subs.map((x) => [x.subscription_id, x.name || x.subscription_id]));
          const plan = (azurePlan) => {
            const l = d.plans.find((p) => p.azure_plan_id === azurePlan);
            return l ? names.planName[l.plan_id] || l.plan_id : '';
          };
          return (
            <>
              <div class="grid2">
                <div>
                  <h3>Connection</h3>
                  <p data-testid="azure-state">
                    <span class={'badge ' + (connected ? 'mp-subscribed' : 'mp-pending')}>{connected ? 'Connected' : 'Not connected'}</span>
                  </p>
                  <dl>
                    <Setting label="Entra tenant" value={s.tenant_id} />
                    <Setting label="App (client) id" value={s.client_id} />
                    <dt>Client secret</dt>
                    <dd>{s.client_secret_set ? 'set' : <span class="muted">not set</span>}</dd>
                    <Setting label="Webhook URL" value={s.webhook_url} />
                  </dl>
                </div>
                <div>
                  <h3>Plans</h3>
                  <PlanLinks testid="azure-plans" caption="Azure plan ids and their pricing plans" column="Azure plan"
                    links={d.plans.map((p) => [p.azure_plan_id, p.plan_id])} names={names}
                    empty="No Azure plan id is linked to a pricing plan." />
                </div>
              </div>
              <h3 id="azure-subs">Subscriptions</h3>
              {d.subs.length ? (
                <div class="table-wrap">
                  <table aria-labelledby="azure-subs" data-testid="azure-subscriptions">
                    <thead>
                      <tr>
                        <th scope="col">Subscription</th>
                        <th scope="col">Tenant</th>
                        <th scope="col">Offer / plan</th>
                        <th scope="col" class="num">Seats</th>
                        <th scope="col">Status</th>
                        <th scope="col">Synced</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.subs.map((x) => (
                        <tr>
                          <th scope="row">
                            {x.name || x.subscription_id}
                            <span class="line-sub">
                              <code>{x.subscription_id}</code>
                            </span>
                          </th>
                          <td>
                            <TenantLink id={x.tenant_id} names={names} />
                          </td>
                          <td>
                            <code>{x.offer_id}</code> / <code>{x.azure_plan_id}</code>
                            {plan(x.azure_plan_id) ? <span class="line-sub">{plan(x.azure_plan_id)}</span> : ''}
                          </td>
                          <td class="num">{x.quantity ? x.quantity : <span class="muted">not per seat</span>}</td>
                          <td>
                            <Badge value={x.status} />
                          </td>
                          <td>{when(x.synced_at)}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <div class="empty-state" data-testid="azure-empty">
                  <p>
                    <strong>No Azure Marketplace subscription is linked to a tenant yet.</strong> To sell through
                    Microsoft's commercial marketplace:
                  </p>
                  <ol>
                    <li>
                      Save the Entra app of the offer's technical configuration (tenant id, client id and secret) with{' '}
                      <code>PUT /v1/azuremarketplace/settings</code>.
                    </li>
                    <li>Register the webhook URL above as the offer's connection webhook.</li>
                    <li>
                      Link each Azure plan id to a pricing plan: <code>PUT /v1/azuremarketplace/plans</code>.
                    </li>
                    <li>
                      Your landing page resolves the marketplace's token (<code>POST /v1/azuremarketplace/subscriptions/resolve</code>)
                      and activates the subscription for a tenant (<code>…/activate</code>); it is listed here from then on.
                    </li>
                  </ol>
                </div>
              )}
              <h3 id="azure-ops">Operations</h3>
              {d.ops.length ? (
                <div class="table-wrap">
                  <table aria-labelledby="azure-ops" data-testid="azure-operations">
                    <thead>
                      <tr>
                        <th scope="col">Operation at</th>
                        <th scope="col">Subscription</th>
                        <th scope="col">Action</th>
                        <th scope="col">Received by</th>
                        <th scope="col">Outcome</th>
                      </tr>
                    </thead>
                    <tbody>
                      {d.ops.map((o) => (
                        <tr>
                          <th scope="row">{when(o.operation_at)}</th>
                          <td>{subName[o.subscription_id] || <code>{o.subscription_id}</code>}</td>
                          <td>{o.action}</td>
                          <td>{o.source}</td>
                          <td>
                            <Badge value={o.outcome} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <Empty>No operation from the marketplace has been handled yet.</Empty>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

// PlanLinks is a marketplace's plan links: its own plan names, each with
// the pricing plan it stands for.
function PlanLinks({ testid, caption, column, links, names, empty }) {
  if (!links.length) return <Empty>{empty}</Empty>;
  return (
    <table data-testid={testid}>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{column}</th>
          <th scope="col">Pricing plan</th>
        </tr>
      </thead>
      <tbody>
        {links.map(([own, planID]) => (
          <tr>
            <th scope="row">
              <code>{own}</code>
            </th>
            <td>{names.planName[planID] || planID}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Marketplace() {
  const names = useLoad(loadNames, []);
  return (
    <section aria-labelledby="marketplace-title">
      <h1 id="marketplace-title">Marketplace</h1>
      <p class="hint page-intro">Buyers from AWS Marketplace and Azure Marketplace, and the tenants they are linked to.</p>
      <Loaded state={names} what="the tenants and plans">
        {(n) => (
          <>
            <AWS names={n} />
            <Azure names={n} />
          </>
        )}
      </Loaded>
    </section>
  );
}
