// The crmsync operator console: reads the crmsync Actuator endpoint and drives its write operations.
// Plain JavaScript, no build step. Every value is put on the page as text (textContent), never as HTML.
// The endpoint is ../actuator/crmsync unless the page is opened with ?endpoint=/a/same-origin/path (for a
// management base path of the application's own).
'use strict';
(function () {
  const params = new URLSearchParams(window.location.search);
  const given = params.get('endpoint');
  // same origin only: the CSRF token goes with every write
  const endpoint = given && /^\/[^/\\]/.test(given) ? given.replace(/\/+$/, '') : '../actuator/crmsync';
  let state = null;

  function csrfToken() {
    const c = document.cookie.split('; ').find(function (p) { return p.startsWith('XSRF-TOKEN='); });
    return c ? decodeURIComponent(c.substring('XSRF-TOKEN='.length)) : '';
  }

  function say(text, kind) {
    const m = document.getElementById('message');
    m.textContent = text;
    m.dataset.state = kind;
  }

  function cell(row, text, cls) {
    const td = document.createElement('td');
    td.textContent = text === null || text === undefined || text === '' ? '–' : String(text);
    if (cls) {
      td.className = cls;
    }
    row.appendChild(td);
    return td;
  }

  function button(td, label, cls, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.className = cls;
    b.addEventListener('click', onClick);
    td.appendChild(b);
    return b;
  }

  function emptyRow(tbody, columns, text) {
    const tr = document.createElement('tr');
    const td = cell(tr, text, 'empty');
    td.colSpan = columns;
    tbody.appendChild(tr);
  }

  function lag(seconds) {
    if (seconds === null || seconds === undefined) {
      return 'unknown';
    }
    if (seconds < 120) {
      return seconds + ' s';
    }
    if (seconds < 7200) {
      return Math.round(seconds / 60) + ' min';
    }
    return Math.round(seconds / 3600) + ' h';
  }

  function backlog(b) {
    // the changes waiting in each direction when the type's latest run began, and the six-hour trend
    if (b === null || b === undefined) {
      return 'not counted yet';
    }
    var parts = [];
    if (b.toMarketing !== null) {
      parts.push('to marketing ' + b.toMarketing);
    }
    if (b.toCrm !== null) {
      parts.push('to CRM ' + (b.toCrmExact ? '' : '≥ ') + b.toCrm);
    }
    var text = parts.join(', ');
    if (b.trend === 'GROWING') {
      text += ' (growing: ' + b.sixHoursAgo + ' six hours ago)';
    } else if (b.trend === 'NOT_GROWING') {
      text += ' (not growing)';
    }
    return text;
  }

  function time(iso) {
    return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null;
  }

  function render(s) {
    state = s;
    document.body.classList.toggle('viewer', !s.operator);
    document.getElementById('role').textContent = s.operator ? 'operator' : 'viewer (read only)';
    document.getElementById('cycles').textContent = String(s.cycles);
    document.getElementById('last-outcome').textContent = s.lastOutcome;
    document.getElementById('last-cycle-at').textContent = time(s.lastCycleAt) || '–';
    const problems = document.getElementById('problems');
    problems.textContent = s.problems.length ? s.problems.join(', ') : 'none';
    problems.className = s.problems.length ? 'bad' : 'good';

    const types = document.querySelector('#types tbody');
    types.replaceChildren();
    const names = Object.keys(s.types);
    if (!names.length) {
      emptyRow(types, 9, 'No cycle has run yet.');
    }
    names.forEach(function (name) {
      const t = s.types[name];
      const tr = document.createElement('tr');
      tr.dataset.type = name;
      cell(tr, name);
      cell(tr, t.outcome, t.outcome === 'done' ? 'good' : (t.outcome === 'failed' || t.outcome === 'blocked' ? 'bad' : null));
      cell(tr, time(t.lastCycleAt));
      cell(tr, t.cyclesWithoutCompletion);
      cell(tr, lag(t.lagSeconds), 'lag');
      cell(tr, backlog(t.backlog), 'backlog');
      cell(tr, t.rejected, t.rejected > 0 ? 'bad rejected' : 'rejected');
      cell(tr, t.problems.length ? t.problems.join(', ') : 'none', t.problems.length ? 'bad' : null);
      const actions = cell(tr, '', 'op');
      actions.textContent = '';
      button(actions, 'Re-drive all', 'redrive-all', function () {
        act('redrive-all', { type: name }, function (r) { return 'Re-driven ' + r.count + ' ' + name + ' record(s): the next cycle retries them.'; });
      });
      types.appendChild(tr);
    });

    const failures = document.querySelector('#failures tbody');
    failures.replaceChildren();
    if (!s.failures.length) {
      emptyRow(failures, 8, 'No parked record.');
    }
    s.failures.forEach(function (f) {
      const tr = document.createElement('tr');
      tr.className = 'failure';
      tr.dataset.id = f.id;
      cell(tr, f.type);
      cell(tr, f.key, 'key');
      cell(tr, f.side === 'CRM' ? 'CRM' : 'marketing store');
      cell(tr, f.code, 'code');
      cell(tr, f.reason, 'reason');
      cell(tr, f.attempts);
      cell(tr, time(f.lastFailedAt));
      const actions = cell(tr, '', 'op');
      actions.textContent = '';
      button(actions, 'Re-drive', 'redrive', function () {
        act('redrive', { id: f.id }, function () { return 'Re-driven ' + f.type + ' ' + f.key + ': the next cycle retries it.'; });
      });
      failures.appendChild(tr);
    });

    const conflicts = document.querySelector('#conflicts tbody');
    conflicts.replaceChildren();
    if (!s.conflicts.length) {
      emptyRow(conflicts, 7, 'No conflict to decide.');
    }
    s.conflicts.forEach(function (c) {
      const tr = document.createElement('tr');
      tr.className = 'conflict';
      tr.dataset.id = c.id;
      cell(tr, c.type);
      cell(tr, c.crmId);
      cell(tr, c.marketingId);
      cell(tr, c.field, 'field');
      cell(tr, c.crmValue, 'op crm-value');
      cell(tr, c.marketingValue, 'op marketing-value');
      const actions = cell(tr, '', 'op');
      actions.textContent = '';
      button(actions, 'Use CRM value', 'resolve-crm', function () {
        act('resolve', { id: c.id, choice: 'crm' }, function () { return 'Decided ' + c.field + ': the CRM value wins.'; });
      });
      button(actions, 'Use marketing value', 'resolve-marketing', function () {
        act('resolve', { id: c.id, choice: 'marketing' }, function () { return 'Decided ' + c.field + ': the marketing value wins.'; });
      });
      conflicts.appendChild(tr);
    });
  }

  function answered(r) {
    if (r.status === 401) {
      window.location.href = 'login.html';
      throw new Error('not logged in');
    }
    return r.text().then(function (text) {
      let body = {};
      try {
        body = text ? JSON.parse(text) : {};
      } catch (e) {
        body = {};
      }
      if (!r.ok) {
        const why = body.code || (r.status === 403 ? 'FORBIDDEN' : r.status === 404 ? 'NOT_FOUND' : 'HTTP_' + r.status);
        throw new Error(why);
      }
      return body;
    });
  }

  function load(after) {
    return fetch(endpoint, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(answered)
      .then(function (s) {
        render(s);
        say(after || ('Loaded at ' + new Date().toISOString().substring(11, 19) + ' UTC.'), 'ready');
      })
      .catch(function (e) {
        if (e.message !== 'not logged in') {
          say('Could not read the crmsync endpoint (' + e.message + '). Is it exposed '
            + '(management.endpoints.web.exposure.include=crmsync)?', 'error');
        }
      });
  }

  function act(action, body, done) {
    say('Working…', 'busy');
    return fetch(endpoint + '/' + action, {
      method: 'POST', credentials: 'same-origin', body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-XSRF-TOKEN': csrfToken() }
    }).then(answered)
      .then(function (r) { return load(done(r)); })
      .catch(function (e) {
        if (e.message !== 'not logged in') {
          say('Refused: ' + e.message, 'error');
        }
      });
  }

  document.getElementById('refresh').addEventListener('click', function () { load(); });
  document.getElementById('logout').addEventListener('click', function () {
    fetch('logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-XSRF-TOKEN': csrfToken() } })
      .finally(function () { window.location.href = 'login.html?logout'; });
  });
  document.getElementById('push').addEventListener('submit', function (e) {
    e.preventDefault();
    const form = new FormData(e.target);
    const type = form.get('type');
    const id = String(form.get('marketingId') || '').trim();
    act('push', { type: type, marketingId: id }, function (r) {
      return 'Push of ' + type + ' ' + id + ': ' + r.result + (r.crmId ? ' (' + r.crmId + ')' : '') + (r.code ? ' ' + r.code : '');
    });
  });
  load();
})();
