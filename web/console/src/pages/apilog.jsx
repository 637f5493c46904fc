import { useState } from 'preact/hooks';
import { get } from '../api.js';
import { dateTime } from '../format.js';
import { Link } from '../router.jsx';
import { Empty, Loaded, useLoad } from '../ui.jsx';

// The API log's days are UTC days (api/apilog.yaml), so this page shows
// UTC times.
const today = () => new Date().toISOString().slice(0, 10);
const utc = (unix) => new Date(unix * 1000).toISOString().slice(11, 19);
const utcFull = (unix) => new Date(unix * 1000).toISOString().slice(0, 19).replace('T', ' ') + ' UTC';

// indentJSON lays JSON text out over lines without parsing its values, so
// that numbers (amounts of money) stay exactly as recorded. Text that is
// not JSON (a body cut off at the size limit) is shown as it is.
export function indentJSON(text) {
  try {
    JSON.parse(text);
  } catch {
    return text;
  }
  let out = '';
  let depth = 0;
  let str = false;
  let esc = false;
  const nl = () => '\n' + '  '.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (str) {
      out += ch;
      if (esc) esc = false;
      else if (ch === '\\') esc = true;
      else if (ch === '"') str = false;
      continue;
    }
    if (ch === '"') {
      str = true;
      out += ch;
    } else if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') {
      // Layout of the original: replaced by ours.
    } else if (ch === '{' || ch === '[') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === (ch === '{' ? '}' : ']')) {
        out += ch + text[j];
        i = j;
      } else {
        depth++;
        out += ch + nl();
      }
    } else if (ch === '}' || ch === ']') {
      depth--;
      out += nl() + ch;
    } else if (ch === ',') {
      out += ',' + nl();
    } else if (ch === ':') {
      out += ': ';
    } else {
      out += ch;
    }
  }
  return out;
}

const Status = ({ code }) => <span class={'badge st-' + String(code).charAt(0)}>{code}</span>;

// first loads the day's newest calls; with a trace id, it looks through up
// to 10,000 of the day's calls for that trace's (the API filters by time
// only).
async function first(date, trace) {
  const q = (cursor, limit) => {
    const p = new URLSearchParams({ created_date: date, limit: String(limit) });
    if (cursor) p.set('cursor', cursor);
    return '/v1/apilog/logs?' + p;
  };
  if (!trace) {
    const r = await get(q('', 100));
    return { entries: r.api_logs, cursor: r.cursor || '', scanned: r.api_logs.length };
  }
  const entries = [];
  let cursor = '';
  let scanned = 0;
  for (let page = 0; page < 10; page++) {
    const r = await get(q(cursor, 1000));
    scanned += r.api_logs.length;
    entries.push(...r.api_logs.filter((e) => e.trace_id === trace));
    cursor = r.cursor || '';
    if (!cursor) break;
  }
  return { entries, cursor: '', scanned, more: !!cursor };
}

function Entries({ date, trace }) {
  const state = useLoad(() => first(date, trace), [date, trace]);
  const [extra, setExtra] = useState({ entries: [], cursor: null, busy: false, error: '' });
  async function more(cursor) {
    setExtra((x) => ({ ...x, busy: true, error: '' }));
    try {
      const p = new URLSearchParams({ created_date: date, limit: '100', cursor });
      const r = await get('/v1/apilog/logs?' + p);
      setExtra((x) => ({ entries: [...x.entries, ...r.api_logs], cursor: r.cursor || '', busy: false, error: '' }));
    } catch (e) {
      setExtra((x) => ({ ...x, busy: false, error: e.message }));
    }
  }
  return (
    <Loaded state={state} what="the API log">
      {(d) => {
        const rows = [...d.entries, ...extra.entries];
        const cursor = extra.cursor === null ? d.cursor : extra.cursor;
        return (
          <>
            <p role="status" class="hint" id="apilog-count">
              {trace
                ? `${rows.length} call${rows.length === 1 ? '' : 's'} with trace id ${trace} on ${date} (of ${d.scanned} looked at${d.more ? ', the newest 10,000' : ''})`
                : `${rows.length} call${rows.length === 1 ? '' : 's'} on ${date}${cursor ? ', newest first; more below' : ''}`}
            </p>
            {rows.length ? (
              <div class="table-wrap">
                <table data-testid="apilog">
                  <caption class="visually-hidden">API calls, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Time (UTC)</th>
                      <th scope="col">Call</th>
                      <th scope="col">Status</th>
                      <th scope="col">Trace id</th>
                      <th scope="col">API key</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((e) => (
                      <tr data-log={e.api_log_id}>
                        <td class="nowrap">{utc(e.created_at)}</td>
                        <th scope="row">
                          <Link to={`/apilog/${encodeURIComponent(e.api_log_id)}`} class="call">
                            <span class="method">{e.request_method}</span> <code>{e.request_uri}</code>
                          </Link>
                        </th>
                        <td>
                          <Status code={e.response_status} />
                        </td>
                        <td>
                          <code class="trace">{e.trace_id}</code>
                        </td>
                        <td>
                          <code>{e.api_key}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <Empty>
                {trace ? `No call with trace id “${trace}” on ${date}.` : `No call was recorded on ${date}.`} Calls are kept for the
                log's retention period.
              </Empty>
            )}
            {extra.error && (
              <p class="error" role="alert">
                {extra.error}
              </p>
            )}
            {cursor && !trace && (
              <button type="button" class="soft more" onClick={() => more(cursor)} disabled={extra.busy}>
                {extra.busy ? 'Loading…' : 'Load older calls'}
              </button>
            )}
          </>
        );
      }}
    </Loaded>
  );
}

export function APILog({ query }) {
  const [sel, setSel] = useState({ date: query.get('date') || today(), trace: query.get('trace') || '' });
  function submit(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const next = { date: String(f.get('date') || '') || today(), trace: String(f.get('trace') || '').trim() };
    setSel(next);
    const q = new URLSearchParams(Object.entries(next).filter(([, v]) => v));
    history.replaceState(null, '', '?' + q.toString());
  }
  return (
    <section aria-labelledby="apilog-title">
      <h1 id="apilog-title">API log</h1>
      <p class="hint page-intro">The calls made to this SaaS's API, the console's own included, with their request and response bodies.</p>
      <form class="filters apilog-filters" onSubmit={submit} aria-label="Which calls">
        <div class="field">
          <label for="apilog-date">Day (UTC)</label>
          <input id="apilog-date" name="date" type="date" value={sel.date} max={today()} />
        </div>
        <div class="field wide">
          <label for="apilog-trace">Trace id</label>
          <input id="apilog-trace" name="trace" type="search" value={sel.trace} autocomplete="off" spellcheck={false} />
        </div>
        <button type="submit">Show calls</button>
      </form>
      <Entries key={sel.date + '|' + sel.trace} date={sel.date} trace={sel.trace} />
    </section>
  );
}

function Body({ id, title, text }) {
  return (
    <section class="panel body" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {text ? (
        <pre tabIndex={0} aria-labelledby={id} data-testid={id}>
          {indentJSON(text)}
        </pre>
      ) : (
        <Empty>No body.</Empty>
      )}
    </section>
  );
}

export function APILogEntry({ id }) {
  const state = useLoad(() => get(`/v1/apilog/logs/${encodeURIComponent(id)}`), [id]);
  return (
    <Loaded state={state} what="the API call">
      {(e) => (
        <section aria-labelledby="apilog-entry-title">
          <p class="crumbs">
            <Link to={`/apilog?date=${e.created_date}`}>API log</Link> /
          </p>
          <h1 id="apilog-entry-title" class="call-title">
            <span class="method">{e.request_method}</span> <code>{e.request_uri}</code>
          </h1>
          <div class="panel">
            <dl class="apilog-meta">
              <dt>Status</dt>
              <dd>
                <Status code={e.response_status} />
              </dd>
              <dt>Time</dt>
              <dd>
                {utcFull(e.created_at)} <span class="muted">({dateTime(e.created_at)} here)</span>
              </dd>
              <dt>Trace id</dt>
              <dd>
                <code data-testid="entry-trace">{e.trace_id}</code>{' '}
                <Link to={`/apilog?date=${e.created_date}&trace=${encodeURIComponent(e.trace_id)}`}>All calls of this trace</Link>
              </dd>
              <dt>API key</dt>
              <dd>
                <code>{e.api_key}</code>
              </dd>
              <dt>From</dt>
              <dd>
                {e.remote_address}
                {e.referer ? ` (referer ${e.referer})` : ''}
              </dd>
              <dt>Entry</dt>
              <dd>
                <code>{e.api_log_id}</code>, kept until {utcFull(e.ttl)}
              </dd>
            </dl>
          </div>
          <div class="grid2 bodies">
            <Body id="request-body" title="Request body" text={e.request_body} />
            <Body id="response-body" title="Response body" text={e.response_body} />
          </div>
        </section>
      )}
    </Loaded>
  );
}
