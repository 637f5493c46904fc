// The console's only way to the server: the session routes and the bridge
// to the real API (/console/api/v1/...). The CSRF token lives in memory
// only; the session itself is an HttpOnly cookie the script never sees.

let csrf = '';
let onSignedOut = () => {};

export function setCSRF(token) {
  csrf = token || '';
}

export function whenSignedOut(fn) {
  onSignedOut = fn;
}

export class APIError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

async function send(method, url, body, reviver) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-Console-CSRF'] = csrf;
  const r = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'same-origin',
  });
  const text = await r.text();
  let data = null;
  try {
    data = text ? JSON.parse(text, reviver) : null;
  } catch {
    data = null;
  }
  if (!r.ok) {
    throw new APIError(r.status, (data && data.type) || 'error', (data && data.message) || `${r.status} ${r.statusText}`);
  }
  return data;
}

// api calls the SaaSus API through the bridge: path starts with /v1/.
export async function api(method, path, body, reviver) {
  try {
    return await send(method, '/console/api' + path, body, reviver);
  } catch (e) {
    // Only the bridge's own 401 ends the session: a user token refused by
    // the API (invalid_token, e.g. an inviter's access token) does not.
    if (e instanceof APIError && e.status === 401 && e.type === 'unauthorized') onSignedOut();
    throw e;
  }
}

export const get = (path) => api('GET', path);

// exact is a JSON.parse reviver that keeps integers a double cannot hold
// (money in minor units beyond 2^53) exactly, as BigInt, from their source
// text; smaller numbers stay numbers.
export function exact(key, value, context) {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context && /^-?\d+$/.test(context.source)) {
    return BigInt(context.source);
  }
  return value;
}

// getExact is get, with exact integers (for amounts of money).
export const getExact = (path) => api('GET', path, undefined, exact);

export const session = {
  current: () => send('GET', '/console/session'),
  signIn: (saas_id, api_key, secret_key) => send('POST', '/console/session', { saas_id, api_key, secret_key }),
  signOut: () => send('DELETE', '/console/session'),
};

// fieldErrors splits an API validation message ("a: problem; b: problem")
// into the messages of the given fields, and the rest.
export function fieldErrors(message, fields) {
  const out = { rest: [] };
  for (const part of String(message).split('; ')) {
    const m = /^([a-z_]+)(\[[^\]]*\])?[:.]\s?/.exec(part);
    const f = m && fields.includes(m[1]) ? m[1] : null;
    if (f) out[f] = out[f] ? out[f] + '; ' + part : part;
    else out.rest.push(part);
  }
  return out;
}

// pool runs fn over items with at most n calls at once.
export async function pool(items, n, fn) {
  const results = new Array(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  }
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return results;
}
