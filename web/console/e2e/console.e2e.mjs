// End-to-end test of the console in headless Chromium, driven by
// playwright-core against Debian's chromium. Run by
// internal/console/browser_test.go, which starts the server, seeds it and
// passes what it made in the environment:
//
//   CONSOLE_URL, CHROMIUM, SCREENSHOTS, E2E (JSON: saas_id, api_key,
//   secret_key, acme, globex, ann, ann_token, invitation)
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

  // lacks waits until the locator's text contains want but not gone.
  async function lacks(locator, want, gone, timeout = 10000) {
    const end = Date.now() + timeout;
    let got = '';
    while (Date.now() < end) {
      got = (await locator.count()) ? await locator.first().textContent() : '';
      if (got.includes(want) && !got.includes(gone)) return got;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`expected ${locator} to contain ${JSON.stringify(want)} without ${JSON.stringify(gone)}, got ${JSON.stringify(got)}`);
  }

  await run('the users page lists the SaaS users and searches them', async () => {
    await nav('Users');
    const users = page.getByTestId('saas-users');
    for (const want of ['ann', 'bob', 'dana@example.com']) await text(users, want);
    await text(page.locator('#user-count'), '3 of 3');
    await text(users.locator('tbody tr').first(), 'Acme');
    await page.getByLabel('Search by email or sign-in id').fill('DANA');
    await text(page.locator('#user-count'), '1 of 3');
    await text(users.locator('tbody'), 'dana@example.com');
    await page.getByLabel('Search by email or sign-in id').fill('');
    await text(page.locator('#user-count'), '3 of 3');
  });

  await run("a tenant's users show their roles per env, and its invitations their validity", async () => {
    await page.getByLabel('Tenant', { exact: true }).selectOption({ label: 'Acme' });
    await text(page.locator(`[data-member="${data.ann}"] [data-env="3"]`), 'Administrator');
    const inv = page.locator(`[data-invitation="${data.invitation}"]`);
    await text(inv, 'carol@example.com');
    await text(inv, 'Production: Viewer');
    await text(inv, 'pending');
    await text(inv.getByTestId('validity'), 'yes');
  });

  await run('a role added to a user shows in the env, and can be removed', async () => {
    await page.getByLabel('User', { exact: true }).selectOption({ label: 'ann' });
    await page.getByLabel('Env', { exact: true }).selectOption({ label: 'Production' });
    await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Viewer' });
    await page.getByRole('button', { name: 'Add role' }).click();
    await text(page.locator('#members-status'), 'Added the role Viewer to ann in Production.');
    const cell = page.locator(`[data-member="${data.ann}"] [data-env="3"]`);
    await text(cell, 'Viewer');
    await text(cell, 'Administrator');
    await page.getByRole('button', { name: 'Remove the role Viewer of ann in Production' }).click();
    await text(page.locator('#members-status'), 'Removed the role Viewer of ann in Production.');
    await lacks(cell, 'Administrator', 'Viewer');
  });

  await run("adding an unknown user to a tenant shows the API's message, then a user is added", async () => {
    await page.getByLabel('Email or sign-in id', { exact: true }).fill('zed');
    await page.getByRole('button', { name: 'Add user' }).click();
    await text(page.locator('#member-login-error'), 'no user of the SaaS has the sign-in id "zed"');
    check((await page.locator('#member-login').getAttribute('aria-invalid')) === 'true', 'the field is marked invalid');
    await page.getByLabel('Email or sign-in id', { exact: true }).fill('dana@example.com');
    await page.getByRole('button', { name: 'Add user' }).click();
    await text(page.locator('#members-status'), 'Added dana@example.com to Acme.');
    await text(page.getByTestId('members'), 'dana@example.com');
  });

  await run("an invitation without a member's token shows the API's message, then is sent", async () => {
    await page.locator('#invite-email').fill('erin@example.com');
    await page.locator('#invite-3-admin').check();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await text(page.locator('#invite-access_token-error'), 'access_token: no token');
    await heading('Users'); // a refused user token does not end the console's session
    await page.locator('#invite-access_token').fill(data.ann_token);
    await page.getByRole('button', { name: 'Send invitation' }).click();
    const row = page.getByTestId('invitations').locator('tr', { hasText: 'erin@example.com' });
    await text(row, 'Production: Administrator');
    await text(row, 'pending');
    await page.evaluate(() => document.querySelector('.tenant-pick').scrollIntoView({ block: 'start' }));
    await shot('users');
    await page.reload();
    await heading('Users');
    await text(page.getByTestId('members'), 'dana@example.com');
    await text(page.getByTestId('invitations'), 'erin@example.com');
    await page.getByRole('button', { name: 'Withdraw the invitation of erin@example.com' }).click();
    await text(page.locator('#invitations-status'), 'Withdrew the invitation of erin@example.com.');
    await lacks(page.getByTestId('invitations'), 'carol@example.com', 'erin@example.com');
  });

  await run("editing a metering unit shows the API's message next to the field, then saves", async () => {
    await nav('Catalog');
    await page.getByRole('button', { name: 'Edit seats', exact: true }).click();
    const dlg = page.getByRole('dialog', { name: 'Edit metering unit seats' });
    await dlg.waitFor();
    await dlg.getByLabel('Name', { exact: true }).fill('');
    await dlg.getByLabel('Display name').fill('Seats in use');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await text(page.locator('#edit-meter-unit_name-error'), 'unit_name: must not be empty');
    check((await page.locator('#edit-meter-unit_name').getAttribute('aria-invalid')) === 'true', 'the field is marked invalid');
    // The focus goes to the field in error.
    await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'edit-meter-unit_name', null, { timeout: 5000 });
    await shot('catalog-edit');
    await dlg.getByLabel('Name', { exact: true }).fill('seats');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await dlg.waitFor({ state: 'hidden' });
    await text(page.locator('[data-saved=meter]'), 'Saved seats.');
    await text(page.locator('#meters ~ .table-wrap'), 'Seats in use');
    // The focus goes back to the Edit button.
    await page.waitForFunction(() => document.activeElement && document.activeElement.getAttribute('aria-label') === 'Edit seats', null, { timeout: 5000 });
  });

  await run("a change the API refuses on a plan in use shows its message; Cancel keeps the plan", async () => {
    await page.getByRole('button', { name: 'Edit pro', exact: true }).click();
    const dlg = page.getByRole('dialog', { name: 'Edit plan pro' });
    await dlg.waitFor();
    await dlg.getByLabel('starter_menu').check();
    await dlg.getByRole('button', { name: 'Save' }).click();
    await text(dlg.getByRole('alert'), 'menu_ids');
    await dlg.getByRole('button', { name: 'Cancel' }).click();
    await dlg.waitFor({ state: 'hidden' });
    await lacks(page.locator('#plans ~ .table-wrap tr', { hasText: 'pro' }), 'pro_menu', 'starter_menu');
  });

  await run("creating a menu and a plan shows the API's message, then succeeds", async () => {
    await page.getByRole('button', { name: 'Create menu' }).click();
    await text(page.locator('#menu-name-error'), 'name: must not be empty');
    await page.locator('#menu-name').fill('extras_menu');
    await page.locator('#menu-display_name').fill('Extras');
    await page.locator('form[aria-labelledby=menu-title]').getByLabel('pro_fee').check();
    await page.getByRole('button', { name: 'Create menu' }).click();
    await text(page.locator('#menus ~ .table-wrap tr', { hasText: 'extras_menu' }), 'pro_fee');
    await page.locator('#plan-name').fill('team');
    await page.locator('#plan-display_name').fill('Team');
    await page.locator('form[aria-labelledby=plan-title]').getByLabel('extras_menu').check();
    await page.getByRole('button', { name: 'Create plan' }).click();
    await text(page.locator('#plans ~ .table-wrap tr', { hasText: 'team' }), 'extras_menu');
  });

  await run("editing a plan's menus, a pricing unit and a tax rate shows the new values after a reload", async () => {
    await page.getByRole('button', { name: 'Edit team', exact: true }).click();
    let dlg = page.getByRole('dialog', { name: 'Edit plan team' });
    await dlg.getByLabel('Display name').fill('Team plan');
    await dlg.getByLabel('pro_menu').check();
    await dlg.getByRole('button', { name: 'Save' }).click();
    await dlg.waitFor({ state: 'hidden' });
    await text(page.locator('#plans ~ .table-wrap tr', { hasText: 'team' }), 'extras_menu, pro_menu');

    await page.getByRole('button', { name: 'Edit pro_fee', exact: true }).click();
    dlg = page.getByRole('dialog', { name: 'Edit pricing unit pro_fee' });
    await dlg.getByLabel('Amount', { exact: false }).fill('3500');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await text(dlg.getByRole('alert'), 'is used: only name, display_name and description can change');
    await dlg.getByLabel('Amount', { exact: false }).fill('3000');
    // The description only: the invoice pages show the names.
    await dlg.getByLabel('Description').fill('Monthly fee of the Pro plan');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await dlg.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'Edit vat', exact: true }).click();
    dlg = page.getByRole('dialog', { name: 'Edit tax rate vat' });
    await dlg.getByLabel('Display name').fill('German VAT');
    await dlg.getByRole('button', { name: 'Save' }).click();
    await dlg.waitFor({ state: 'hidden' });

    // Escape closes a dialog without saving.
    await page.getByRole('button', { name: 'Edit team', exact: true }).click();
    dlg = page.getByRole('dialog', { name: 'Edit plan team' });
    await dlg.getByLabel('Display name').fill('Not saved');
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'hidden' });
    await page.reload();
    await heading('Catalog');
    await text(page.locator('#meters ~ .table-wrap'), 'Seats in use');
    await text(page.locator('#plans ~ .table-wrap tr', { hasText: 'team' }), 'Team plan');
    await text(page.locator('#plans ~ .table-wrap tr', { hasText: 'team' }), 'extras_menu, pro_menu');
    await text(page.locator('#taxes ~ .table-wrap'), 'German VAT');
    await page.getByRole('button', { name: 'Edit pro_fee', exact: true }).click();
    dlg = page.getByRole('dialog', { name: 'Edit pricing unit pro_fee' });
    check((await dlg.getByLabel('Description').inputValue()) === 'Monthly fee of the Pro plan', 'the unit keeps its new description');
    await page.keyboard.press('Escape');
    await dlg.waitFor({ state: 'hidden' });
  });

  await run('invoices are listed with their totals, a revenue chart and the invoice runs', async () => {
    await nav('Invoices');
    await text(page.locator('#invoice-count'), '3 invoices');
    // Globex: ¥1,100 the month before last, ¥1,650 last month; Initech 1: ¥3,300 last month.
    await text(page.locator('[data-stat=total-JPY]'), '¥6,050');
    const first = page.locator(`[data-invoice="${data.invoice}"]`);
    for (const want of ['No. 1', 'Globex', data.month_before, '¥1,100', 'JPY', 'Finalized']) await text(first, want);
    await page.locator('[data-chart=revenue-jpy] canvas').first().waitFor();
    const chart = page.locator('[data-chart=revenue-jpy] details tbody tr');
    await text(chart.filter({ hasText: data.last_month }), '¥4,950');
    await text(chart.filter({ hasText: data.month_before }), '¥1,100');
    const run = page.locator(`[data-run="${data.run}"]`);
    for (const want of [data.last_month, 'hand', 'done']) await text(run, want);
    check((await run.locator('td.num').allTextContents()).join(' ') === '2 2 0 0 0', 'the run: 2 tenants, 2 finalized: ' + (await run.textContent()));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('invoices');
  });

  await run('invoices are filtered by tenant', async () => {
    await page.locator('#invoice-tenant').selectOption({ label: 'Globex' });
    await text(page.locator('#invoice-count'), '2 invoices of Globex');
    await text(page.locator('[data-stat=total-JPY]'), '¥2,750');
    check(!(await page.locator('[data-testid=invoices]').textContent()).includes('Initech'), 'only Globex');
    await page.locator('#invoice-tenant').selectOption({ label: 'Acme' });
    await text(page.locator('#invoice-count'), '0 invoices of Acme');
    await text(page.locator('main .empty'), 'No finalized invoice for this tenant yet');
    await page.locator('#invoice-tenant').selectOption({ label: 'All tenants' });
    await text(page.locator('#invoice-count'), '3 invoices');
  });

  await run("running invoices for a period that has not ended shows the API's message", async () => {
    const now = new Date();
    const month = `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
    await page.locator('#run-period').fill(month);
    await page.getByRole('button', { name: 'Run invoices' }).click();
    await text(page.locator('form[aria-labelledby=run-title] [role=alert]'), 'its invoices can be run once it has ended');
  });

  await run("an invoice's detail shows its lines, taxes and totals, and prints without the console around it", async () => {
    await page.locator(`[data-invoice="${data.last_invoice}"] th a`).click();
    await page.getByRole('heading', { level: 1, name: 'Invoice No. 2' }).waitFor();
    await text(page.getByTestId('invoice-tenant'), 'Globex');
    await text(page.getByTestId('invoice-total'), '¥1,650');
    const lines = page.getByTestId('invoice-lines');
    await text(lines.locator('tbody tr').nth(0), 'Unit base');
    await text(lines.locator('tbody tr').nth(0), '¥1,000');
    for (const want of ['Unit calls_fee', '250', '¥2', '¥500', 'meter calls']) await text(lines.locator('tbody tr').nth(1), want);
    const taxes = page.getByTestId('invoice-taxes');
    for (const want of ['Consumption tax', '10%', 'added', '¥1,500', '¥150']) await text(taxes, want);
    const totals = (await page.getByTestId('invoice-totals').textContent()).replace(/\s+/g, ' ');
    check(totals.includes('Subtotal¥1,500') && totals.includes('Tax¥150') && totals.includes('Total¥1,650'), 'the totals: ' + totals);
    await shot('invoice');
    await page.evaluate(() => {
      window.printed = 0;
      window.print = () => window.printed++;
    });
    await page.getByRole('button', { name: 'Print' }).click();
    check((await page.evaluate(() => window.printed)) === 1, 'Print calls window.print');
    await page.emulateMedia({ media: 'print' });
    check(!(await page.getByRole('navigation', { name: 'Console' }).isVisible()), 'the nav is hidden in print');
    check(!(await page.getByRole('button', { name: 'Print' }).isVisible()), 'the Print button is hidden in print');
    check(!(await page.getByRole('button', { name: 'Sign out' }).isVisible()), 'the header is hidden in print');
    check(await page.getByTestId('invoice-lines').isVisible(), 'the invoice prints');
    await shot('invoice-print');
    await page.emulateMedia({ media: 'screen' });
  });

  await run("a tenant's current-period invoice is previewed", async () => {
    await nav('Invoices');
    await page.locator('#preview-tenant').selectOption({ label: 'Globex' });
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Invoice preview' }).waitFor();
    await text(page.getByTestId('invoice-tenant'), 'Globex');
    await text(page.getByTestId('invoice'), 'Preview');
    // Starter's ¥1,000 and 7 calls a day at ¥2 on the first days of this
    // month (at most 5), plus 10% tax rounded down.
    const calls = 7 * Math.min(new Date().getUTCDate(), 5);
    const subtotal = 1000 + 2 * calls;
    const total = subtotal + Math.floor(subtotal / 10);
    await text(page.getByTestId('invoice-total'), '¥' + total.toLocaleString('en'));
    await text(page.getByTestId('invoice-lines').locator('tbody tr').nth(1), String(calls));
    await shot('invoice-preview');
  });

  await run('the marketplace page shows the AWS buyer and the Azure subscription with its operation', async () => {
    await nav('Marketplace');
    const aws = page.getByTestId('aws-customers');
    for (const want of [data.aws_customer, 'Initech 2', 'basic_month', 'Starter', 'subscribed']) await text(aws, want);
    await text(page.getByTestId('aws-state'), 'Connected');
    await text(page.getByTestId('aws-plans'), 'basic_month');
    const subs = page.getByTestId('azure-subscriptions');
    for (const want of ['Initech seats', data.azure_subscription, 'Initech 3', 'gold', 'Pro', '8', 'Subscribed']) await text(subs, want);
    const ops = page.getByTestId('azure-operations');
    for (const want of ['Initech seats', 'ChangeQuantity', 'reconcile', 'applied']) await text(ops, want);
    await shot('marketplace');
  });

  await run('with no buyers, the marketplace page explains how to connect', async () => {
    const none = (key) => (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ [key]: [] }) });
    await page.route('**/console/api/v1/awsmarketplace/customers', none('customers'));
    await page.route('**/console/api/v1/azuremarketplace/subscriptions', none('subscriptions'));
    await page.reload();
    await heading('Marketplace');
    await text(page.getByTestId('aws-empty'), 'No AWS Marketplace buyer is linked to a tenant yet');
    await text(page.getByTestId('aws-empty'), 'PUT /v1/awsmarketplace/plans');
    await text(page.getByTestId('azure-empty'), 'No Azure Marketplace subscription is linked to a tenant yet');
    await page.getByRole('button', { name: 'Get the CloudFormation link' }).click();
    const link = page.getByRole('link', { name: 'Open the CloudFormation quick-create page (us-east-1)' });
    await link.waitFor();
    check((await link.getAttribute('href')).includes('cloudformation'), 'the launch link: ' + (await link.getAttribute('href')));
    await shot('marketplace-empty');
    await page.unroute('**/console/api/v1/awsmarketplace/customers');
    await page.unroute('**/console/api/v1/azuremarketplace/subscriptions');
  });

  await run("the API log lists the day's calls and finds a trace id", async () => {
    await nav('API log');
    const today = new Date().toISOString().slice(0, 10);
    await text(page.locator('#apilog-count'), 'on ' + today);
    await text(page.getByTestId('apilog'), '/v1/billing/invoices');
    await page.getByLabel('Trace id').fill(data.trace);
    await page.getByRole('button', { name: 'Show calls' }).click();
    await text(page.locator('#apilog-count'), `1 call with trace id ${data.trace}`);
    const row = page.getByTestId('apilog').locator('tbody tr');
    for (const want of ['POST', '/v1/billing/invoices', '201', data.trace]) await text(row, want);
    await shot('apilog');
  });

  await run("an API log entry shows the call's request and response bodies", async () => {
    await page.getByTestId('apilog').locator('tbody tr a').first().click();
    await page.getByRole('heading', { level: 1, name: 'POST /v1/billing/invoices' }).waitFor();
    await text(page.getByTestId('entry-trace'), data.trace);
    await text(page.getByTestId('request-body'), `"tenant_id": "${data.globex}"`);
    await text(page.getByTestId('request-body'), `"period": "${data.month_before}"`);
    await text(page.getByTestId('response-body'), `"invoice_id": "${data.invoice}"`);
    await text(page.getByTestId('response-body'), '"total": 1100');
    await shot('apilog-entry');
  });

  await run('the API log is filtered by day', async () => {
    await page.locator('main .crumbs').getByRole('link', { name: 'API log' }).click();
    await heading('API log');
    await page.getByLabel('Day (UTC)').fill('2020-01-01');
    await page.getByLabel('Trace id').fill('');
    await page.getByRole('button', { name: 'Show calls' }).click();
    await text(page.locator('#apilog-count'), '0 calls on 2020-01-01');
    await text(page.locator('main .empty'), 'No call was recorded on 2020-01-01');
    check(errors.length === 0, 'script errors in the invoices, marketplace or API log pages: ' + errors.join('; '));
  });

  await run('a failed job shows with its error, and a retry runs it again', async () => {
    await nav('Jobs');
    await text(page.locator('[data-count="failing"] dd'), '1');
    const failing = (await page.locator('[data-count="failing"] dd').textContent()).trim();
    check(failing === '1', `failing jobs counted ${failing}, want 1`);
    const row = page.locator(`tr[data-job="${data.job}"]`);
    await text(row, 'console_test.export_report');
    await text(row, 'cancelled');
    await text(row, 'the report endpoint refused the upload (HTTP 403)');
    await shot('jobs');
    await page.getByRole('button', { name: `Retry job ${data.job}` }).click();
    await text(page.locator('.notice-inline'), `Job ${data.job} (console_test.export_report) will run again now.`);
    // The engine works it within moments: it shows among the completed.
    await page.getByRole('button', { name: 'Completed', exact: true }).click();
    const end = Date.now() + 15000;
    for (;;) {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(200);
      const row = page.locator(`tr[data-job="${data.job}"]`);
      if ((await row.count()) > 0 && (await row.textContent()).includes('completed')) break;
      check(Date.now() < end, 'the retried job did not complete within 15 s');
    }
    check(errors.length === 0, 'script errors on the jobs page: ' + errors.join('; '));
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
