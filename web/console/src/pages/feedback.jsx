import { get } from '../api.js';
import { dateTime } from '../format.js';
import { Empty, Loaded, useLoad } from '../ui.jsx';

// The four statuses SaaSus documents for its console.
const statuses = ['New', 'Under consideration', 'In progress', 'Done'];

export function Feedback() {
  const state = useLoad(() => get('/v1/communication/feedbacks'), []);
  return (
    <section aria-labelledby="feedback-title">
      <h1 id="feedback-title">Feedback</h1>
      <Loaded state={state} what="the feedback">
        {(d) =>
          d.feedbacks.length ? (
            <ol class="feedbacks">
              {d.feedbacks.map((f) => (
                <li class="panel" data-feedback={f.id}>
                  <article aria-labelledby={'fb-' + f.id}>
                    <header>
                      <h2 id={'fb-' + f.id}>{f.feedback_title}</h2>
                      <span class={'badge status-' + f.status}>{statuses[f.status] || `status ${f.status}`}</span>
                      <span class="votes" data-testid="votes">
                        {f.count} {f.count === 1 ? 'vote' : 'votes'}
                      </span>
                    </header>
                    <p>{f.feedback_description || <span class="muted">No description.</span>}</p>
                    <p class="hint">
                      By user <code>{f.user_id}</code> on {dateTime(f.created_at)}
                    </p>
                    {f.comments.length > 0 && (
                      <section aria-label={`Comments on ${f.feedback_title}`}>
                        <h3>
                          {f.comments.length} {f.comments.length === 1 ? 'comment' : 'comments'}
                        </h3>
                        <ul class="comments">
                          {f.comments.map((c) => (
                            <li>
                              <p>{c.body}</p>
                              <p class="hint">{dateTime(c.created_at)}</p>
                            </li>
                          ))}
                        </ul>
                      </section>
                    )}
                  </article>
                </li>
              ))}
            </ol>
          ) : (
            <Empty>No feedback yet.</Empty>
          )
        }
      </Loaded>
    </section>
  );
}
