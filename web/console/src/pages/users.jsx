import { useEffect, useState } from 'preact/hooks';
import { api, APIError, get, pool } from '../api.js';
import { dateTime } from '../format.js';
import { Link } from '../router.jsx';
import { Empty, Field, FormErrors, Loaded, useForm, useLoad } from '../ui.jsx';

// The SaaS's users (/v1/auth/users), and per tenant its members with their
// roles per env and its invitations.

const login = (u) => u.email || u.sign_in_id;
const T = (id) => `/v1/auth/tenants/${encodeURIComponent(id)}`;

async function loadAll() {
  const [users, members, tenants, envs, roles] = await Promise.all([
    get('/v1/auth/users'),
    get('/v1/auth/tenants/all/users'),
    get('/v1/auth/tenants'),
    get('/v1/auth/envs'),
    get('/v1/auth/roles'),
  ]);
  return { users: users.users, members: members.users, tenants: tenants.tenants, envs: envs.envs, roles: roles.roles };
}

async function loadTenant(id) {
  const [members, invitations] = await Promise.all([get(T(id) + '/users'), get(T(id) + '/invitations')]);
  const validity = await pool(invitations.invitations, 4, (i) =>
    get(`/v1/auth/invitations/${encodeURIComponent(i.id)}/validity`).then(
      (v) => v.is_valid,
      () => undefined,
    ),
  );
  return { members: members.users, invitations: invitations.invitations.map((i, n) => ({ ...i, is_valid: validity[n] })) };
}

function setQuery(k, v) {
  const q = new URLSearchParams(location.search);
  if (v) q.set(k, v);
  else q.delete(k);
  const s = q.toString();
  history.replaceState(null, '', s ? `?${s}` : location.pathname);
}

const envLabel = (e) => e.display_name || e.name;
const roleLabel = (r) => r.display_name || r.role_name;

function SaasUsers({ d, query }) {
  const [q, setQ] = useState(query.get('q') || '');
  const needle = q.trim().toLowerCase();
  const rows = d.users.filter((u) => !needle || u.email.toLowerCase().includes(needle) || u.sign_in_id.toLowerCase().includes(needle));
  const tenantsOf = (id) => d.members.filter((m) => m.id === id);
  return (
    <section class="panel" aria-labelledby="saas-users">
      <h2 id="saas-users">SaaS users</h2>
      <form role="search" class="search" onSubmit={(e) => e.preventDefault()}>
        <label for="user-search">Search by email or sign-in id</label>
        <input
          id="user-search"
          type="search"
          value={q}
          autocomplete="off"
          spellcheck={false}
          onInput={(e) => {
            setQ(e.target.value);
            setQuery('q', e.target.value);
          }}
        />
      </form>
      <p role="status" class="hint" id="user-count">
        {rows.length} of {d.users.length} users
      </p>
      {rows.length ? (
        <div class="table-wrap">
          <table data-testid="saas-users">
            <caption class="visually-hidden">Users of the SaaS</caption>
            <thead>
              <tr>
                <th scope="col">Login</th>
                <th scope="col">Signs in with</th>
                <th scope="col">Tenants</th>
                <th scope="col">Id</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((u) => (
                <tr>
                  <th scope="row">{login(u)}</th>
                  <td>{u.email ? 'email' : 'sign-in id'}</td>
                  <td>
                    {tenantsOf(u.id).length ? (
                      tenantsOf(u.id).map((m, i) => (
                        <>
                          {i > 0 && ', '}
                          <Link to={`/users?tenant=${encodeURIComponent(m.tenant_id)}`}>{m.tenant_name}</Link>
                        </>
                      ))
                    ) : (
                      <span class="muted">none</span>
                    )}
                  </td>
                  <td>
                    <code class="muted">{u.id}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>{d.users.length ? `No user matches “${q}”.` : 'No users yet.'}</Empty>
      )}
    </section>
  );
}

// RoleChips lists a member's roles in one env, each with a remove button.
function RoleChips({ member, env, onRemove, busy }) {
  const held = (member.envs.find((e) => e.id === env.id) || { roles: [] }).roles;
  if (!held.length) return <span class="muted">–</span>;
  return (
    <ul class="chips">
      {held.map((r) => (
        <li class="chip">
          {roleLabel(r)}
          <button
            type="button"
            class="chip-remove"
            disabled={busy}
            aria-label={`Remove the role ${roleLabel(r)} of ${login(member)} in ${envLabel(env)}`}
            title="Remove this role"
            onClick={() => onRemove(member, env, r)}
          >
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

function AddRole({ tenant, members, envs, roles, onAdded }) {
  const f = useForm(
    ['user_id', 'env_id', 'role_names'],
    async (v) => {
      await api('POST', `${T(tenant.id)}/users/${encodeURIComponent(v.get('user_id'))}/envs/${encodeURIComponent(v.get('env_id'))}/roles`, {
        role_names: [v.get('role_names')],
      });
      const m = members.find((x) => x.id === v.get('user_id'));
      const e = envs.find((x) => String(x.id) === v.get('env_id'));
      const r = roles.find((x) => x.role_name === v.get('role_names'));
      return `Added the role ${r ? roleLabel(r) : v.get('role_names')} to ${m ? login(m) : v.get('user_id')} in ${e ? envLabel(e) : v.get('env_id')}.`;
    },
    onAdded,
    { reset: false },
  );
  if (!members.length) return null;
  return (
    <form class="create" onSubmit={f.onSubmit} aria-labelledby="add-role-title" noValidate>
      <h3 id="add-role-title">Add a role</h3>
      <div class="row">
        <Field form="role" name="user_id" label="User" error={f.errors.user_id}>
          {(p) => (
            <select {...p}>
              {members.map((m) => (
                <option value={m.id}>{login(m)}</option>
              ))}
            </select>
          )}
        </Field>
        <Field form="role" name="env_id" label="Env" error={f.errors.env_id}>
          {(p) => (
            <select {...p}>
              {envs.map((e) => (
                <option value={e.id}>{envLabel(e)}</option>
              ))}
            </select>
          )}
        </Field>
        <Field form="role" name="role_names" label="Role" error={f.errors.role_names}>
          {(p) => (
            <select {...p}>
              {roles.map((r) => (
                <option value={r.role_name}>{roleLabel(r)}</option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <FormErrors errors={f.errors} />
      <button type="submit" disabled={f.busy || !roles.length}>
        Add role
      </button>
    </form>
  );
}

function AddMember({ tenant, onAdded }) {
  const f = useForm(
    ['login'],
    async (v) => {
      const l = v.get('login').trim();
      await api('POST', T(tenant.id) + '/users', { ...(l.includes('@') ? { email: l } : { sign_in_id: l }), attributes: {} });
      return `Added ${l} to ${tenant.name}.`;
    },
    onAdded,
    { as: { email: 'login', sign_in_id: 'login' } },
  );
  return (
    <form class="create" onSubmit={f.onSubmit} aria-labelledby="add-member-title" noValidate>
      <h3 id="add-member-title">Add a user to {tenant.name}</h3>
      <div class="row">
        <Field
          form="member"
          name="login"
          label="Email or sign-in id"
          autocomplete="off"
          spellcheck={false}
          error={f.errors.login}
          hint="A user of the SaaS: the API makes no user here."
        />
      </div>
      <FormErrors errors={f.errors} />
      <button type="submit" disabled={f.busy}>
        Add user
      </button>
    </form>
  );
}

function Members({ tenant, members, envs, roles, reload }) {
  const [note, setNote] = useState({ ok: '', error: '' });
  const [busy, setBusy] = useState(false);
  // The forms' successes and the removals share one status line.
  function added(text) {
    setNote({ ok: text, error: '' });
    reload();
  }
  async function remove(m, env, r) {
    setBusy(true);
    setNote({ ok: '', error: '' });
    try {
      await api('DELETE', `${T(tenant.id)}/users/${encodeURIComponent(m.id)}/envs/${env.id}/roles/${encodeURIComponent(r.role_name)}`);
      setNote({ ok: `Removed the role ${roleLabel(r)} of ${login(m)} in ${envLabel(env)}.`, error: '' });
      reload();
    } catch (e) {
      setNote({ ok: '', error: e.message });
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="panel" aria-labelledby="members-title">
      <h2 id="members-title">Users of {tenant.name}</h2>
      {members.length ? (
        <div class="table-wrap">
          <table data-testid="members">
            <caption class="visually-hidden">Users of {tenant.name} and their roles per env</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                {envs.map((e) => (
                  <th scope="col">Roles in {envLabel(e)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr data-member={m.id}>
                  <th scope="row">{login(m)}</th>
                  {envs.map((e) => (
                    <td data-env={e.id}>
                      <RoleChips member={m} env={e} onRemove={remove} busy={busy} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>{tenant.name} has no users yet.</Empty>
      )}
      {note.error && (
        <p class="error" role="alert">
          {note.error}
        </p>
      )}
      <p role="status" class="saved" id="members-status">
        {note.ok}
      </p>
      <div class="grid2">
        <AddRole tenant={tenant} members={members} envs={envs} roles={roles} onAdded={added} />
        <AddMember tenant={tenant} onAdded={added} />
      </div>
    </section>
  );
}

const statusBadge = { pending: 'status-2', accepted: 'status-3', expired: 'status-1' };

function Invite({ tenant, envs, roles, onCreated }) {
  const f = useForm(
    ['email', 'envs', 'access_token'],
    async (v) => {
      const body = {
        email: v.get('email').trim(),
        access_token: v.get('access_token').trim(),
        envs: envs.map((e) => ({ id: e.id, role_names: v.getAll(`role-${e.id}`) })).filter((e) => e.role_names.length),
      };
      try {
        return await api('POST', T(tenant.id) + '/invitations', body);
      } catch (e) {
        // A refused token is a 401 of the API: show it at its field.
        if (e instanceof APIError && e.status === 401) throw new APIError(400, e.type, 'access_token: ' + e.message);
        throw e;
      }
    },
    onCreated,
  );
  return (
    <form class="create" onSubmit={f.onSubmit} aria-labelledby="invite-title" noValidate>
      <h3 id="invite-title">Invite someone to {tenant.name}</h3>
      <div class="row">
        <Field form="invite" name="email" label="Email" type="email" autocomplete="off" error={f.errors.email} />
        <Field
          form="invite"
          name="access_token"
          label="Inviting member's access token"
          type="password"
          autocomplete="off"
          error={f.errors.access_token}
          hint="The API makes an invitation on behalf of a member of the tenant: paste a live access token of one. It is sent once and not kept."
        />
      </div>
      <fieldset class={'role-grid' + (f.errors.envs ? ' invalid' : '')} aria-describedby={f.errors.envs ? 'invite-envs-error' : undefined}>
        <legend>Roles the invited person gets</legend>
        {envs.map((e) => (
          <div class="role-env">
            <span class="role-env-name" id={`invite-env-${e.id}`}>
              {envLabel(e)}
            </span>
            <div role="group" aria-labelledby={`invite-env-${e.id}`} class="role-checks">
              {roles.map((r) => (
                <span class="check">
                  <input type="checkbox" id={`invite-${e.id}-${r.role_name}`} name={`role-${e.id}`} value={r.role_name} />
                  <label for={`invite-${e.id}-${r.role_name}`}>{roleLabel(r)}</label>
                </span>
              ))}
              {!roles.length && <span class="muted">No roles yet.</span>}
            </div>
          </div>
        ))}
        {f.errors.envs && (
          <p class="field-error" id="invite-envs-error">
            {f.errors.envs}
          </p>
        )}
      </fieldset>
      <FormErrors errors={f.errors} />
      <button type="submit" disabled={f.busy}>
        Send invitation
      </button>
      <span role="status" class="saved">
        {f.status === 'saved' ? 'Invitation sent.' : ''}
      </span>
    </form>
  );
}

function Invitations({ tenant, invitations, envs, roles, reload }) {
  const [note, setNote] = useState({ ok: '', error: '' });
  async function withdraw(i) {
    setNote({ ok: '', error: '' });
    try {
      await api('DELETE', `${T(tenant.id)}/invitations/${encodeURIComponent(i.id)}`);
      setNote({ ok: `Withdrew the invitation of ${i.email}.`, error: '' });
      reload();
    } catch (e) {
      setNote({ ok: '', error: e.message });
    }
  }
  return (
    <section class="panel" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Invitations to {tenant.name}</h2>
      {invitations.length ? (
        <div class="table-wrap">
          <table data-testid="invitations">
            <caption class="visually-hidden">Invitations to {tenant.name}, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Roles</th>
                <th scope="col">Status</th>
                <th scope="col">Valid until</th>
                <th scope="col">Can be accepted</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {invitations.map((i) => (
                <tr data-invitation={i.id}>
                  <th scope="row">{i.email}</th>
                  <td>
                    {i.envs.length
                      ? i.envs.map((e) => `${envLabel(e)}: ${e.roles.map(roleLabel).join(', ')}`).join('; ')
                      : <span class="muted">no roles</span>}
                  </td>
                  <td>
                    <span class={'badge ' + (statusBadge[i.status] || '')}>{i.status}</span>
                  </td>
                  <td>{dateTime(i.expired_at)}</td>
                  <td data-testid="validity">{i.is_valid === undefined ? '' : i.is_valid ? 'yes' : 'no'}</td>
                  <td>
                    {i.status === 'pending' && (
                      <button type="button" class="ghost" onClick={() => withdraw(i)} aria-label={`Withdraw the invitation of ${i.email}`}>
                        Withdraw
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>No invitations to {tenant.name}.</Empty>
      )}
      {note.error && (
        <p class="error" role="alert">
          {note.error}
        </p>
      )}
      <p role="status" class="saved" id="invitations-status">
        {note.ok}
      </p>
      <Invite tenant={tenant} envs={envs} roles={roles} onCreated={reload} />
    </section>
  );
}

function TenantPanel({ tenant, envs, roles, onChange }) {
  const state = useLoad(() => loadTenant(tenant.id), [tenant.id]);
  const reload = () => {
    state.reload();
    onChange();
  };
  return (
    <Loaded state={state} what={`the users of ${tenant.name}`}>
      {(d) => (
        <>
          <Members tenant={tenant} members={d.members} envs={envs} roles={roles} reload={reload} />
          <Invitations tenant={tenant} invitations={d.invitations} envs={envs} roles={roles} reload={reload} />
        </>
      )}
    </Loaded>
  );
}

export function Users({ query }) {
  const state = useLoad(loadAll, []);
  const [tenantID, setTenantID] = useState(query.get('tenant') || '');
  // A link to /users?tenant=ID from this page changes the query only.
  const asked = query.get('tenant');
  useEffect(() => {
    if (asked) setTenantID(asked);
  }, [asked]);
  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      <Loaded state={state} what="the users">
        {(d) => {
          const tenant = d.tenants.find((t) => t.id === tenantID) || d.tenants[0];
          return (
            <>
              <SaasUsers d={d} query={query} />
              <div class="tenant-pick">
                <label for="users-tenant">Tenant</label>
                <select
                  id="users-tenant"
                  value={tenant ? tenant.id : ''}
                  onChange={(e) => {
                    setTenantID(e.target.value);
                    setQuery('tenant', e.target.value);
                  }}
                >
                  {d.tenants.map((t) => (
                    <option value={t.id}>{t.name}</option>
                  ))}
                </select>
                <span class="hint">
                  Envs: {d.envs.map(envLabel).join(', ')} · Roles: {d.roles.map(roleLabel).join(', ') || 'none'}
                </span>
              </div>
              {tenant ? (
                <TenantPanel key={tenant.id} tenant={tenant} envs={d.envs} roles={d.roles} onChange={state.reload} />
              ) : (
                <Empty>No tenants yet: users are members of tenants.</Empty>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
