'use strict';

// The dashboard: polls the HTTP API, shows the members, each group's figures summed over the
// cluster (as a table and as charts of the last minutes), and looks keys up.
(() => {
  const POLL_MS = 2000;
  const HISTORY_POINTS = 150; // five minutes of polls
  const REQUEST_TIMEOUT_MS = 10000;
  const TOKEN_KEY = 'kamacache.token';
  const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
  const CHARTS = [
    {id: 'hitRatio', value: g => g.cluster.gets === 0 ? null : 100 * g.cluster.hitRatio, format: v => v.toFixed(1) + '%'},
    {id: 'throughput', value: (g, throughput) => throughput, format: v => v.toFixed(1) + '/s'},
    {id: 'evictions', value: g => g.cluster.evictions, format: v => Number.isInteger(v) ? count(v) : v.toFixed(1)},
    {id: 'bytes', value: g => g.cluster.bytes, format: v => bytes(v)},
  ];

  const $ = id => document.getElementById(id);
  const history = {times: [], series: new Map()}; // series: group name -> {chart id -> values}
  const plots = new Map(); // chart id -> uPlot
  let plotted = ''; // the group names the plots were made for
  let previous = null; // {time, gets: Map of group name -> gets} of the last poll

  class Unauthorized extends Error {}

  /** A request to the API, with the token when one was given, within REQUEST_TIMEOUT_MS. */
  async function api(path) {
    const headers = new Headers();
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) {
      headers.set('Authorization', 'Bearer ' + token);
    }
    const response = await fetch(path, {headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)});
    if (response.status === 401) {
      throw new Unauthorized(await errorOf(response));
    }
    return response;
  }

  async function errorOf(response) {
    try {
      return (await response.json()).error;
    } catch (e) {
      return 'HTTP ' + response.status;
    }
  }

  async function json(path) {
    const response = await api(path);
    if (!response.ok) {
      throw new Error(path + ': ' + await errorOf(response));
    }
    return response.json();
  }

  function count(n) {
    return Math.round(n).toLocaleString('en-US');
  }

  function percent(ratio) {
    return (100 * ratio).toFixed(1) + '%';
  }

  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let unit = 0;
    while (n >= 1024 && unit < units.length - 1) {
      n /= 1024;
      unit++;
    }
    return (unit === 0 ? n : n.toFixed(1)) + ' ' + units[unit];
  }

  function cell(row, text) {
    row.insertCell().textContent = text;
  }

  function showMembers(cluster) {
    $('node').textContent = 'node ' + cluster.self + ' · version ' + cluster.version;
    const body = $('members').tBodies[0];
    body.replaceChildren();
    for (const member of cluster.members) {
      const row = body.insertRow();
      cell(row, member.address);
      cell(row, percent(member.share));
      cell(row, member.self ? 'this node' : '');
    }
  }

  function showGroups(groups, throughputs) {
    const body = $('groups').tBodies[0];
    body.replaceChildren();
    if (groups.length === 0) {
      const row = body.insertRow();
      row.className = 'empty';
      const only = row.insertCell();
      only.colSpan = $('groups').tHead.rows[0].cells.length;
      only.textContent = 'No groups yet: create one with POST /api/v1/groups, or from an application.';
    }
    for (const group of groups) {
      const c = group.cluster;
      const throughput = throughputs.get(group.name);
      const row = body.insertRow();
      row.dataset.group = group.name;
      cell(row, group.name);
      cell(row, group.policy);
      cell(row, c.gets === 0 ? '–' : percent(c.hitRatio));
      cell(row, count(c.gets));
      cell(row, throughput === null ? '–' : throughput.toFixed(1) + '/s');
      cell(row, count(c.evictions));
      cell(row, count(c.entries));
      cell(row, bytes(c.bytes));
    }
    const missing = groups.length === 0 ? {} : groups[0].cluster.unanswered;
    const names = Object.keys(missing);
    $('unanswered').hidden = names.length === 0;
    $('unanswered').textContent = 'Not counted, no answer from: '
        + names.map(name => name + ' (' + missing[name] + ')').join(', ');

    const select = $('lookup-group');
    const chosen = select.value;
    if ([...select.options].map(o => o.value).join() !== groups.map(g => g.name).join()) {
      select.replaceChildren(...groups.map(g => new Option(g.name, g.name)));
      if (groups.some(g => g.name === chosen)) {
        select.value = chosen;
      }
    }
  }

  /** Adds a poll's figures to the history, one point per chart and group. */
  function record(time, groups, throughputs) {
    history.times.push(time);
    for (const group of groups) {
      if (!history.series.has(group.name)) {
        const values = {};
        for (const chart of CHARTS) {
          values[chart.id] = new Array(history.times.length - 1).fill(null);
        }
        history.series.set(group.name, values);
      }
    }
    const byName = new Map(groups.map(g => [g.name, g]));
    for (const [name, values] of history.series) {
      const group = byName.get(name);
      for (const chart of CHARTS) {
        values[chart.id].push(group ? chart.value(group, throughputs.get(name)) : null);
      }
    }
    if (history.times.length > HISTORY_POINTS) {
      history.times.shift();
      for (const values of history.series.values()) {
        for (const chart of CHARTS) {
          values[chart.id].shift();
        }
      }
    }
  }

  function draw() {
    const names = [...history.series.keys()];
    $('charts').hidden = names.length === 0;
    if (names.length === 0) {
      return;
    }
    if (names.join('\n') !== plotted) { // a group came or went: new series, new plots
      plots.forEach(plot => plot.destroy());
      plots.clear();
      plotted = names.join('\n');
    }
    for (const chart of CHARTS) {
      const figure = $('chart-' + chart.id);
      const data = [history.times, ...names.map(name => history.series.get(name)[chart.id])];
      let plot = plots.get(chart.id);
      if (plot) {
        plot.setData(data);
      } else {
        const container = figure.querySelector('.plot');
        plot = new uPlot({
          width: Math.max(container.clientWidth, 300),
          height: 180,
          legend: {show: false},
          scales: {x: {time: true}, y: {range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1]}},
          axes: [{}, {size: 70, values: (u, ticks) => ticks.map(chart.format)}],
          series: [{}, ...names.map((name, i) => ({label: name, stroke: PALETTE[i % PALETTE.length], width: 2}))],
        }, data, container);
        plots.set(chart.id, plot);
      }
      const latest = figure.querySelector('.latest');
      latest.replaceChildren(...names.map((name, i) => {
        const values = history.series.get(name)[chart.id];
        const value = values[values.length - 1];
        const span = document.createElement('span');
        const swatch = document.createElement('i');
        swatch.className = 'swatch';
        swatch.style.background = PALETTE[i % PALETTE.length];
        span.append(swatch, name + ' ' + (value === null ? '–' : chart.format(value)));
        return span;
      }));
    }
  }

  function status(text, failing) {
    $('status').textContent = text;
    $('status').classList.toggle('failing', failing);
  }

  async function poll() {
    try {
      const [cluster, groups] = await Promise.all([json('/api/v1/cluster'), json('/api/v1/groups')]);
      const time = Date.now() / 1000;
      const throughputs = new Map(groups.map(g => {
        const before = previous && previous.gets.get(g.name);
        return [g.name, before === undefined || before === null
          ? null : Math.max(0, g.cluster.gets - before) / (time - previous.time)];
      }));
      previous = {time, gets: new Map(groups.map(g => [g.name, g.cluster.gets]))};
      $('token-form').hidden = true;
      showMembers(cluster);
      showGroups(groups, throughputs);
      record(time, groups, throughputs);
      draw();
      status('updated ' + new Date(time * 1000).toLocaleTimeString('en-GB'), false);
    } catch (e) {
      if (e instanceof Unauthorized) {
        $('token-reason').textContent = e.message;
        $('token-form').hidden = false;
        status('waiting for the cluster token', true);
      } else {
        status('cannot reach the server: ' + e.message, true);
      }
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  /** Shows a value as text when it is UTF-8, else as its size and first bytes in hexadecimal. */
  function valueText(buffer) {
    try {
      return new TextDecoder('utf-8', {fatal: true}).decode(buffer);
    } catch (e) {
      const head = [...new Uint8Array(buffer.slice(0, 32))].map(b => b.toString(16).padStart(2, '0')).join(' ');
      return buffer.byteLength + ' bytes, not text: ' + head + (buffer.byteLength > 32 ? ' …' : '');
    }
  }

  async function lookUp(event) {
    event.preventDefault();
    const group = $('lookup-group').value;
    const key = $('lookup-key').value;
    $('lookup-result').hidden = true;
    $('lookup-error').hidden = true;
    try {
      const response = await api('/api/v1/groups/' + encodeURIComponent(group) + '/keys/' + encodeURIComponent(key));
      const owner = response.headers.get('Kamacache-Owner');
      if (response.ok) {
        $('lookup-owner').textContent = owner;
        $('lookup-value').textContent = valueText(await response.arrayBuffer());
        $('lookup-result').hidden = false;
      } else {
        $('lookup-error').textContent = await errorOf(response) + (owner ? ' (its owner is ' + owner + ')' : '');
        $('lookup-error').hidden = false;
      }
    } catch (e) {
      $('lookup-error').textContent = e instanceof Unauthorized ? e.message : 'the lookup failed: ' + e.message;
      $('lookup-error').hidden = false;
    }
  }

  $('token-form').addEventListener('submit', event => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value);
    $('token').value = '';
    $('token-form').hidden = true;
    status('connecting…', false);
  });
  $('lookup').addEventListener('submit', lookUp);
  poll();
})();
