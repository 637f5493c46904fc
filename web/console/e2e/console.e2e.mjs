// End-to-end test of the console in headless Chromium, driven by
// playwright-core against Debian's chromium. Run by
// internal/console/browser_test.go, which starts the server, seeds it and
// passes what it made in the environment:
//
//   CONSOLE_URL, CHROMIUM, SCREENSHOTS, E2E (JSON: saas_id, api_key,
//   secret_key, acme, globex)
//
// Every step prints "ok - name"; the first failure prints "not ok - name"
// with the error and exits 1.
import { chromium } from 'playwright-core';
import path from 'node:path';

const url = process.env.CONSOLE_URL;
const shots = process.env.SCREENSHOTS;
const data = JSON.parse(process.env.E2E);

let browser;
let page;
let context;
let step = '';

async function run(name, fn) {
  step = name;
  await fn();
  console.log(`ok - ${name}`);
}

async function shot(name) {
  await page.screenshot({ path: path.join(shots, name + '.png'), fullPage: false });
}

function check(cond, what) {
  if (!cond) throw new Error(what);
}

// text waits until the locator's text contains want.
async function text(locator, want, timeout = 10000) {
  const end = Date.now() + timeout;
  let got = '';
  while (Date.now() < end) {
    got = (await locator.count()) ? await locator.first().textContent() : '';
    if (got.includes(want)) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${locator} to contain ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

async function heading(name) {
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

async function nav(label) {
  await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: label }).click();
  await heading(label);
}

// call sends a request from the page, as the console's own script would.
function call(method, p, headers = {}) {
  return page.evaluate(
    async ([method, p, headers]) => {
      const r = await fetch(p, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: method === 'GET' ? undefined : '{}' });
      return { status: r.status, body: await r.text() };
    },
    [method, p, headers],
  );
}

try {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-crash-reporter'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await run('the sign-in form is shown', async () => {
    await page.goto(url + '/console');
    await heading('Sign in to the saasplane console');
    await shot('signin');
  });

  await run('a wrong secret is refused with a message', async () => {
    await page.getByLabel('SaaS id').fill(data.saas_id);
    await page.getByLabel('API key').fill(data.api_key);
    await page.getByLabel('Secret key').fill('not-the-secret');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await text(page.getByRole('alert'), 'do not match an active API key');
    await shot('signin-refused');
  });

  await run('the right secret lands on the overview', async () => {
    await page.getByLabel('Secret key').fill(data.secret_key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Overview');
    await text(page.locator('[data-stat=tenants]'), '5');
    await text(page.locator('[data-stat=plans]'), '2');
    await text(page.locator('[data-stat=meters]'), '2');
    await text(page.getByTestId('saas-name'), 'apitest');
    await page.locator('[data-chart=overview-usage] canvas').first().waitFor();
    // Acme's and Globex's calls on the first day of the month: 10 + 7.
    await text(page.locator('[data-chart=overview-usage] details tbody tr').first(), '17');
    const cookies = await context.cookies();
    const c = cookies.find((x) => x.name === 'saasplane_console');
    check(c && c.httpOnly && c.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict: ' + JSON.stringify(c));
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    check(!stored.includes(data.secret_key), 'the secret is not in web storage');
    await shot('overview');
  });

  await run('the catalog shows every kind of item', async () => {
    await nav('Catalog');
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
    check(focused === 'Catalog', 'the focus moves to the new page\'s heading, got ' + focused);
    const main = page.locator('main');
    for (const want of ['calls', 'seats', 'calls_fee', 'starter_menu', 'Starter', 'Pro', 'jct', 'Consumption tax']) await text(main, want);
    await shot('catalog');
  });

  await run("creating a metering unit shows the API's message, then succeeds", async () => {
    await page.getByLabel('Display name', { exact: true }).first().fill('Storage');
    await page.getByRole('button', { name: 'Create metering unit' }).click();
    await text(page.locator('#meter-unit_name-error'), 'unit_name: must not be empty');
    check((await page.locator('#meter-unit_name').getAttribute('aria-invalid')) === 'true', 'the field is marked invalid');
    await page.locator('#meter-unit_name').fill('storage_gb');
    await page.locator('#meter-display_name').fill('Storage');
    await page.getByRole('button', { name: 'Create metering unit' }).click();
    await text(page.locator('#meters ~ .table-wrap'), 'storage_gb');
    check((await page.locator('#meter-unit_name-error').count()) === 0, 'the error is gone');
  });

  await run("creating a tax rate shows the API's messages next to the fields, then succeeds", async () => {
    await page.locator('#tax-name').fill('vat');
    await page.locator('#tax-display_name').fill('VAT');
    await page.locator('#tax-percentage').fill('200');
    await page.locator('#tax-country').fill('DEU');
    await page.getByRole('button', { name: 'Create tax rate' }).click();
    await text(page.locator('#tax-percentage-error'), 'percentage');
    await text(page.locator('#tax-country-error'), 'country');
    await page.locator('#tax-country').scrollIntoViewIfNeeded();
    await shot('catalog-validation');
    await page.locator('#tax-percentage').fill('19');
    await page.locator('#tax-country').fill('DE');
    await page.getByRole('button', { name: 'Create tax rate' }).click();
    await text(page.locator('#taxes ~ .table-wrap'), 'VAT');
  });

  await run('tenants are listed and searched by name', async () => {
    await nav('Tenants');
    await text(page.locator('#tenant-count'), '5 of 5');
    await page.getByLabel('Search by name').fill('glo');
    await text(page.locator('#tenant-count'), '1 of 5');
    await text(page.locator('main tbody'), 'Globex');
    await shot('tenants-search');
    await page.getByLabel('Search by name').fill('');
    await text(page.locator('#tenant-count'), '5 of 5');
    await shot('tenants');
  });

  await run("a tenant's detail shows attributes and plan history", async () => {
    await page.getByRole('link', { name: 'Acme' }).click();
    await heading('Acme');
    await text(page.locator('main dl'), 'Region');
    await text(page.locator('main dl'), 'eu');
    await text(page.getByTestId('current-plan'), 'Starter');
    await text(page.getByTestId('plan-history'), 'Starter');
  });

  await run("a plan change shows in the tenant's history", async () => {
    await page.getByLabel('Plan', { exact: true }).selectOption({ label: 'Pro' });
    await page.getByRole('button', { name: 'Change plan' }).click();
    await text(page.locator('main .saved'), 'Plan changed.');
    await text(page.getByTestId('current-plan'), 'Pro');
    await text(page.getByTestId('plan-history').locator('tbody tr').first(), 'Pro');
  });

  await run('a later plan change shows as the reservation', async () => {
    const year = new Date().getFullYear() + 1;
    await page.getByLabel('Plan', { exact: true }).selectOption({ label: 'Starter' });
    await page.getByLabel('From').fill(`${year}-01-01T09:00`);
    await page.getByRole('button', { name: 'Change plan' }).click();
    await text(page.getByTestId('reservation'), `Starter from ${year}-01-01 09:00`);
    await shot('tenant');
  });

  await run('usage is charted per tenant and meter, by day and by month', async () => {
    await page.getByRole('link', { name: 'Usage of Acme' }).click();
    await heading('Usage');
    await page.locator('[data-chart=usage-daily] canvas').first().waitFor();
    await page.locator('[data-chart=usage-monthly] canvas').first().waitFor();
    // Day 1: 10 calls and 3 seats.
    await text(page.locator('[data-chart=usage-daily] details tbody tr').first(), '10');
    await page.getByLabel('Meter').selectOption({ label: 'API calls' });
    const head = await text(page.locator('[data-chart=usage-monthly] details thead'), 'API calls');
    check(!head.includes('Seats'), 'one meter only: ' + head);
    await shot('usage');
  });

  await run('feedback shows with votes and comments', async () => {
    await nav('Feedback');
    const dark = page.locator(`[data-feedback="${data.feedback}"]`);
    await text(dark, 'Dark mode');
    await text(dark.getByTestId('votes'), '1 vote');
    await text(dark, 'Planned for the next release.');
    await text(page.locator('main'), 'CSV export');
    await shot('feedback');
  });

  await run('the bridge refuses a non-GET without the CSRF header', async () => {
    const r = await call('POST', '/console/api/v1/pricing/tax-rates');
    check(r.status === 403 && r.body.includes('X-Console-CSRF'), 'POST without the header: ' + JSON.stringify(r));
    const bad = await call('POST', '/console/api/v1/pricing/tax-rates', { 'X-Console-CSRF': 'forged' });
    check(bad.status === 403, 'POST with a wrong token: ' + JSON.stringify(bad));
    const g = await call('GET', '/console/api/v1/pricing/tax-rates');
    check(g.status === 200, 'GET: ' + JSON.stringify(g));
  });

  await run('signing out ends the session', async () => {
    const before = (await context.cookies()).find((x) => x.name === 'saasplane_console');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading('Sign in to the saasplane console');
    await text(page.getByRole('status'), 'You are signed out.');
    const r = await call('GET', '/console/api/v1/auth/tenants');
    check(r.status === 401, 'the bridge after sign-out: ' + JSON.stringify(r));
    // The old cookie, replayed, is refused too.
    await context.addCookies([before]);
    const replay = await call('GET', '/console/api/v1/auth/tenants');
    check(replay.status === 401, 'the replayed cookie: ' + JSON.stringify(replay));
    await shot('signed-out');
  });

  check(errors.length === 0, 'script errors in the page: ' + errors.join('; '));
  console.log('console e2e: all steps passed');
} catch (e) {
  console.log(`not ok - ${step}`);
  console.log(e && e.stack ? e.stack : String(e));
  if (page) {
    try {
      await shot('failure');
      console.log('failure screenshot: ' + path.join(shots, 'failure.png'));
    } catch {
      // The browser is gone.
    }
  }
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
}
