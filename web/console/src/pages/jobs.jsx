import { useState } from 'preact/hooks';
import { api, get } from '../api.js';
import { dateTime, number } from '../format.js';
import { Empty, Loaded, useLoad } from '../ui.jsx';

// The views of the queue, by the states River gives a job.
const views = [
  { key: 'failing', label: 'Failing', states: ['retryable', 'discarded', 'cancelled'] },
  { key: 'queued', label: 'Queued', states: ['available', 'scheduled', 'pending', 'running'] },
  { key: 'done', label: 'Completed', states: ['completed'] },
  { key: 'all', label: 'All', states: [] },
];

const failed = new Set(['retryable', 'discarded', 'cancelled']);

// What each state means to an operator.
const stateText = {
  available: 'due now',
  scheduled: 'scheduled',
  pending: 'pending',
  running: 'running',
  retryable: 'failed, will retry',
  discarded: 'out of attempts',
  cancelled: 'cancelled',
  completed: 'completed',
};

function JobRow({ job, onRetried }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  async function retry() {
    setBusy(true);
    setError('');
    try {
      await api('POST', `/v1/background/jobs/${job.id}/retry`);
      onRetried(job);
    } catch (e) {
      setError(e.message);
    } finally {
      setBusy(false);
    }
  }
  const when = job.finalized_at ? dateTime(job.finalized_at) : dateTime(job.scheduled_at);
  return (
    <tr data-job={job.id}>
      <td>
        <code>{job.id}</code>
      </td>
      <th scope="row">
        <code>{job.kind}</code>
      </th>
      <td>
        <span class={'badge job-' + job.state}>{stateText[job.state] || job.state}</span>
      </td>
      <td class="num">
        {job.attempt} / {job.max_attempts}
      </td>
      <td>{dateTime(job.created_at)}</td>
      <td>{when}</td>
      <td class="job-error">{job.last_error ? <span title={job.last_error}>{job.last_error}</span> : <span class="muted">none</span>}</td>
      <td>
        {failed.has(job.state) && (
          <button type="button" class="soft" onClick={retry} disabled={busy} aria-label={`Retry job ${job.id}`}>
            {busy ? 'Retrying…' : 'Retry now'}
          </button>
        )}
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

// Counts shows how many of the listed jobs are in each view.
function Counts({ jobs }) {
  const count = (v) => (v.states.length ? jobs.filter((j) => v.states.includes(j.state)).length : jobs.length);
  return (
    <dl class="job-counts" aria-label="Jobs by state">
      {views.map((v) => (
        <div class={'job-count job-count-' + v.key} data-count={v.key}>
          <dt>{v.label}</dt>
          <dd>{number(count(v))}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Jobs() {
  const [view, setView] = useState('failing');
  const [notice, setNotice] = useState('');
  // All of the SaaS's kept jobs (up to 1000), counted by state; the table
  // shows the chosen view.
  const state = useLoad(() => get('/v1/background/jobs?limit=1000'), []);
  const chosen = views.find((v) => v.key === view);
  function retried(job) {
    setNotice(`Job ${job.id} (${job.kind}) will run again now.`);
    state.reload();
  }
  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">Jobs</h1>
      <p class="hint jobs-intro">
        The background work done for this SaaS: webhook and EventBridge deliveries, marketplace usage reports, invoice runs. Failed
        jobs are retried with backoff; a job out of attempts waits here for a manual retry. Finished jobs are kept an hour, discarded
        ones a week.
      </p>
      {notice && (
        <p class="notice-inline" role="status">
          {notice}
        </p>
      )}
      <Loaded state={state} what="the jobs">
        {(d) => {
          const shown = chosen.states.length ? d.jobs.filter((j) => chosen.states.includes(j.state)) : d.jobs;
          return (
            <>
              <Counts jobs={d.jobs} />
              <div class="job-tabs" role="group" aria-label="Show jobs">
                {views.map((v) => (
                  <button type="button" class={v.key === view ? 'plain job-tab chosen' : 'plain job-tab'} aria-pressed={v.key === view} onClick={() => setView(v.key)}>
                    {v.label}
                  </button>
                ))}
                <button type="button" class="ghost" onClick={state.reload}>
                  Refresh
                </button>
              </div>
              {shown.length ? (
                <div class="table-wrap">
                  <table class="jobs">
                    <caption class="visually-hidden">{chosen.label} jobs, newest first</caption>
                    <thead>
                      <tr>
                        <th scope="col">Id</th>
                        <th scope="col">Kind</th>
                        <th scope="col">State</th>
                        <th scope="col">Attempts</th>
                        <th scope="col">Created</th>
                        <th scope="col">Next run or finished</th>
                        <th scope="col">Last error</th>
                        <th scope="col">
                          <span class="visually-hidden">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {shown.map((j) => (
                        <JobRow job={j} onRetried={retried} />
                      ))}
                    </tbody>
                  </table>
                </div>
              ) : (
                <Empty>{view === 'failing' ? 'No failing jobs: every job of this SaaS succeeded or is on its way.' : 'No jobs here.'}</Empty>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
