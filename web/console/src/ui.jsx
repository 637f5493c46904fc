import { useCallback, useEffect, useState } from 'preact/hooks';
import { fieldErrors } from './api.js';

// useLoad runs fn when deps change and keeps its outcome.
export function useLoad(fn, deps) {
  const [s, set] = useState({ loading: true, data: null, error: null });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    set((o) => ({ ...o, loading: true }));
    fn().then(
      (data) => live && set({ loading: false, data, error: null }),
      (error) => live && set({ loading: false, data: null, error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...s, reload };
}

// Loaded shows a loading line, an error, or its children with the data.
export function Loaded({ state, what, children }) {
  if (state.error)
    return (
      <p class="error" role="alert">
        Could not load {what}: {state.error.message}
      </p>
    );
  if (state.loading && !state.data)
    return (
      <p class="loading" role="status">
        Loading {what}…
      </p>
    );
  return children(state.data);
}

// Field is a labelled input with its error message (aria-describedby).
export function Field({ form, name, label, error, hint, children, ...input }) {
  const id = `${form}-${name}`;
  const described = [hint ? id + '-hint' : '', error ? id + '-error' : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={'field' + (error ? ' invalid' : '')}>
      <label for={id}>{label}</label>
      {children ? (
        children({ id, name, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': described })
      ) : (
        <input id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={described} {...input} />
      )}
      {hint && (
        <p class="hint" id={id + '-hint'}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={id + '-error'}>
          {error}
        </p>
      )}
    </div>
  );
}

// useForm submits a form's values through send, and splits a 400's
// message into the fields' errors. A form is cleared after a success
// unless reset is false. as maps API field names to the form's own (e.g.
// email and sign_in_id to one login field).
export function useForm(fields, send, onDone, { reset = true, as = {} } = {}) {
  const [errors, setErrors] = useState({ rest: [] });
  const [status, setStatus] = useState('');
  const [busy, setBusy] = useState(false);
  async function onSubmit(e) {
    e.preventDefault();
    const form = e.target;
    setBusy(true);
    setStatus('');
    try {
      const out = await send(new FormData(form));
      setErrors({ rest: [] });
      if (reset) form.reset();
      setStatus('saved');
      onDone && onDone(out);
    } catch (err) {
      const fe = err.status === 400 ? fieldErrors(err.message, [...fields, ...Object.keys(as)]) : { rest: [err.message] };
      for (const [from, to] of Object.entries(as)) {
        if (fe[from]) fe[to] = fe[to] ? fe[to] + '; ' + fe[from] : fe[from];
        delete fe[from];
      }
      setErrors(fe);
      // Take the keyboard to the first field in error.
      const first = fields.find((f) => fe[f]);
      setTimeout(() => {
        const el = first ? form.elements.namedItem(first) : null;
        if (el && el.focus) el.focus();
      });
    } finally {
      setBusy(false);
    }
  }
  return { errors, status, busy, onSubmit };
}

// FormErrors shows what a 400 said that belongs to no field, and other
// failures.
export function FormErrors({ errors }) {
  if (!errors.rest.length) return null;
  return (
    <div class="error" role="alert">
      {errors.rest.map((m) => (
        <p>{m}</p>
      ))}
    </div>
  );
}

export function Empty({ children }) {
  return <p class="empty">{children}</p>;
}
