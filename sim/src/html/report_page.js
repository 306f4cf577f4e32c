// The hilcap HTML report: draws one page from the JSON in #hilcap-data with
// Chart.js (inlined before this script). A run's page, a suite's page (a
// section per scenario) and a sweep's page share it. When done it leaves
// window.hilcapReport = {ready, render_ms, charts: [{id, title, type,
// datasets, points, painted, width, height}], problems} for the browser
// tests (tests/html/), also as the <html> element's data-hilcap-charts.
(function () {
  'use strict';

  const started = performance.now();
  const data = JSON.parse(document.getElementById('hilcap-data').textContent);
  const charts = [];
  const problems = [];

  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.size = 12;
  Chart.defaults.plugins.tooltip.mode = 'index';
  Chart.defaults.plugins.tooltip.intersect = false;

  const COLORS = {
    at_device: '#1f77b4',
    ready: '#2ca02c',
    held: '#ff7f0e',
    pending: '#9467bd',
    lateness: '#8c564b',
    wait: '#4c78a8',
  };
  const DROP_COLORS = ['#d62728', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
    '#ff9896', '#c49c94', '#9edae5'];
  const LINE_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b',
    '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  function alpha(hex, a) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) return '-';
    if (typeof value !== 'number') return String(value);
    if (Number.isInteger(value)) return String(value);
    return value.toFixed(digits === undefined ? 3 : digits);
  }

  // A Chart.js chart in a box of its own; `tall` for the bigger ones.
  function addChart(parent, id, title, config, height) {
    const box = el('div', {class: 'chart'});
    if (height) box.style.height = height + 'px';
    const canvas = el('canvas', {id: id, 'aria-label': title, role: 'img'});
    box.appendChild(canvas);
    parent.appendChild(box);
    config.options = config.options || {};
    config.options.plugins = config.options.plugins || {};
    config.options.plugins.title = {display: true, text: title, align: 'start',
      font: {size: 13, weight: '600'}};
    const chart = new Chart(canvas.getContext('2d'), config);
    chart.hilcapTitle = title;
    charts.push(chart);
    return chart;
  }

  // The x of bucket i and one more at the end, so that the last bucket shows.
  function bucketXs(timeline) {
    const xs = [];
    for (let i = 0; i <= timeline.buckets; ++i) xs.push(+(i * timeline.bucket_s).toFixed(9));
    return xs;
  }

  function withEnd(values) {
    return values.length ? values.concat([values[values.length - 1]]) : values;
  }

  // A gauge as its max line and a band down to its min: every spike shows.
  function bandDatasets(label, color, xs, series) {
    const max = withEnd(series.max);
    const min = withEnd(series.min);
    return [
      {label: label, data: xs.map((x, i) => ({x: x, y: max[i]})), borderColor: color,
        backgroundColor: color, borderWidth: 1.5, pointRadius: 0, stepped: 'after', fill: false},
      {label: label + ' (min)', data: xs.map((x, i) => ({x: x, y: min[i]})), borderColor: color,
        backgroundColor: alpha(color, 0.18), borderWidth: 0.5, pointRadius: 0, stepped: 'after',
        fill: '-1', hilcapMinBand: true},
    ];
  }

  function timeAxis(timeline, title) {
    return {type: 'linear', min: 0, max: timeline.buckets * timeline.bucket_s,
      title: {display: true, text: title || 'time (s)'}};
  }

  function bandOptions(timeline, yTitle) {
    return {
      parsing: false,
      normalized: true,
      scales: {x: timeAxis(timeline), y: {beginAtZero: true, title: {display: true, text: yTitle},
        ticks: {precision: 0}}},
      plugins: {legend: {labels: {filter: (item, chartData) =>
        !chartData.datasets[item.datasetIndex].hilcapMinBand}}},
    };
  }

  function bucketText(timeline) {
    const ms = timeline.bucket_s * 1000;
    if (ms >= 10000) return `${+timeline.bucket_s.toFixed(3)} s`;
    return ms >= 1 ? `${+ms.toFixed(3)} ms` : `${+(ms * 1000).toFixed(3)} us`;
  }

  function drawOwners(parent, id, timeline) {
    const s = timeline.series;
    const xs = bucketXs(timeline);
    const datasets = [].concat(
      bandDatasets('at the device', COLORS.at_device, xs, s.at_device),
      bandDatasets('ready in the allocator', COLORS.ready, xs, s.ready),
      bandDatasets('held by clients', COLORS.held, xs, s.held));
    addChart(parent, id + '-owners',
      `Frames by owner over time (max per ${bucketText(timeline)}, band down to the min)`,
      {type: 'line', data: {datasets: datasets}, options: bandOptions(timeline, 'frames')});
  }

  function drawPending(parent, id, timeline) {
    const xs = bucketXs(timeline);
    addChart(parent, id + '-pending', 'Pending ALLOC requests over time',
      {type: 'line', data: {datasets: bandDatasets('pending ALLOCs', COLORS.pending, xs,
        timeline.series.pending)}, options: bandOptions(timeline, 'requests')});
  }

  function drawDrops(parent, id, timeline) {
    const xs = bucketXs(timeline);
    const reasons = Object.keys(timeline.series).filter((name) => name.startsWith('dropped.'));
    const datasets = reasons.map((name, i) => ({
      label: name.slice('dropped.'.length),
      data: xs.map((x, j) => ({x: x, y: withEnd(timeline.series[name].sum)[j]})),
      borderColor: DROP_COLORS[i % DROP_COLORS.length],
      backgroundColor: alpha(DROP_COLORS[i % DROP_COLORS.length], 0.55),
      borderWidth: 1, pointRadius: 0, stepped: 'after', fill: i === 0 ? 'origin' : '-1',
    }));
    let title = `Frames dropped over time, by reason (per ${bucketText(timeline)})`;
    if (!datasets.length) {
      title = 'Frames dropped over time: none dropped';
      datasets.push({label: 'dropped', data: xs.map((x) => ({x: x, y: 0})),
        borderColor: DROP_COLORS[0], borderWidth: 1, pointRadius: 0, fill: false});
    }
    const due = timeline.series.due;
    if (due && due.sum.some((v) => v > 0)) {
      datasets.push({label: 'frames due', data: xs.map((x, j) => ({x: x, y: withEnd(due.sum)[j]})),
        borderColor: '#999999', borderDash: [4, 3], borderWidth: 1, pointRadius: 0,
        stepped: 'after', fill: false, yAxisID: 'due'});
    }
    const options = bandOptions(timeline, 'frames dropped');
    options.scales.y.stacked = true;
    options.scales.due = {position: 'right', beginAtZero: true, grid: {drawOnChartArea: false},
      title: {display: true, text: 'frames due'}, ticks: {precision: 0}};
    addChart(parent, id + '-drops', title, {type: 'line', data: {datasets: datasets},
      options: options});
  }

  function drawLateness(parent, id, timeline, clock) {
    const series = timeline.series.lateness_us;
    if (!series || !series.max.some((v) => v !== null)) {
      parent.appendChild(el('p', {class: 'note', text: clock === 'virtual'
        ? 'Frame lateness: in virtual time every frame starts exactly when it is due.'
        : 'Frame lateness: no frame was measured.'}));
      return;
    }
    const xs = bucketXs(timeline);
    const datasets = bandDatasets(clock === 'virtual' ? 'lateness' : 'lateness (max)',
      COLORS.lateness, xs, series);
    for (const d of datasets) d.spanGaps = false;
    const options = bandOptions(timeline, 'us');
    options.scales.y.ticks = {};
    addChart(parent, id + '-lateness', 'Frame lateness over time (us after the frame was due)',
      {type: 'line', data: {datasets: datasets}, options: options});
  }

  // A histogram with its p50, p99 and max marked.
  function drawHistogram(parent, id, title, h, color, xTitle) {
    const xs = h.counts.map((c, i) => h.low + (i + 0.5) * h.width);
    const peak = Math.max(1, ...h.counts);
    const datasets = [{type: 'bar', label: `${h.count} samples`,
      data: xs.map((x, i) => ({x: x, y: h.counts[i]})), backgroundColor: alpha(color, 0.75),
      borderColor: color, borderWidth: 0, barPercentage: 1, categoryPercentage: 1}];
    const markColors = {p50: '#2ca02c', p99: '#ff7f0e', max: '#d62728'};
    for (const [name, value] of Object.entries(h.marks)) {
      if (value === null || value === undefined) continue;
      datasets.push({type: 'line', label: `${name} ${fmt(value)} ${h.unit}`,
        data: [{x: value, y: 0}, {x: value, y: peak}], borderColor: markColors[name] || '#333',
        borderDash: [6, 3], borderWidth: 2, pointRadius: 0, fill: false});
    }
    addChart(parent, id, title, {type: 'bar', data: {datasets: datasets}, options: {
      parsing: false,
      scales: {x: {type: 'linear', min: h.low, max: h.low + h.counts.length * h.width, offset: false,
        title: {display: true, text: xTitle}}, y: {beginAtZero: true, ticks: {precision: 0},
        title: {display: true, text: 'count'}}},
      plugins: {tooltip: {mode: 'nearest', intersect: true}},
    }});
  }

  function drawClients(parent, id, timeline) {
    const clients = timeline.clients;
    if (!clients || !clients.rows.length) return;
    const names = clients.rows.map((r) => r.name);
    const pending = [];
    const holding = [];
    for (const r of clients.rows) {
      for (const p of r.pending) pending.push({x: p, y: r.name});
      for (const p of r.holding) holding.push({x: p, y: r.name});
    }
    let title = `Each client over the first ${fmt(clients.window_s)} s: ALLOCs pending and frames held`;
    if (clients.not_shown) title += ` (${clients.not_shown} more clients not shown)`;
    addChart(parent, id + '-clients', title, {type: 'bar', data: {labels: names, datasets: [
      {label: 'ALLOC pending', data: pending, backgroundColor: alpha(COLORS.pending, 0.8),
        borderSkipped: false, barPercentage: 0.9},
      {label: 'holding a frame', data: holding, backgroundColor: alpha(COLORS.held, 0.8),
        borderSkipped: false, barPercentage: 0.9},
    ]}, options: {indexAxis: 'y',
      scales: {x: {type: 'linear', min: 0, max: clients.window_s,
        title: {display: true, text: 'time (s)'}}, y: {type: 'category'}},
      plugins: {tooltip: {mode: 'nearest', intersect: true, callbacks: {label: (ctx) => {
        const [from, to] = ctx.raw.x;
        return `${ctx.dataset.label}: ${fmt(from, 6)} s to ${fmt(to, 6)} s ` +
          `(${fmt((to - from) * 1000, 3)} ms)`;
      }}}}}}, 120 + 36 * names.length);
  }

  function table(headers, rows, classes) {
    const head = el('tr', {}, ...headers.map((h) => el('th', {text: h})));
    const body = rows.map((row) => el('tr', {}, ...row.map((cell, i) =>
      cell instanceof Node ? el('td', {}, cell)
        : el('td', {class: (classes && classes[i]) || '', text: fmt(cell)}))));
    return el('table', {}, el('thead', {}, head), el('tbody', {}, ...body));
  }

  function figureTable(groups) {
    const rows = [];
    for (const group of groups) {
      rows.push(el('tr', {class: 'group'}, el('th', {colspan: '2', text: group.title})));
      for (const [path, text] of group.rows) {
        rows.push(el('tr', {}, el('td', {class: 'mono', text: path}),
          el('td', {class: 'num mono', text: text})));
      }
    }
    return el('table', {}, el('tbody', {}, ...rows));
  }

  function expectationTable(run) {
    const rows = run.expectations.map((e) => [e.figure, e.expected, e.found === '' ? '-' : e.found,
      e.met ? 'met' : 'not met', e.problem || '']);
    const t = table(['figure', 'expected', 'found', '', 'why'], rows,
      ['mono', 'mono', 'num mono', '', 'mono']);
    t.querySelectorAll('tbody tr').forEach((tr, i) => {
      tr.children[3].className = run.expectations[i].met ? 'met' : 'unmet';
    });
    return t;
  }

  function drawRun(root, run, index) {
    const id = run.id || `run-${index}`;
    const section = el('section', {class: 'run', id: id});
    section.appendChild(el('h2', {}, run.title,
      el('span', {class: `verdict ${run.verdict}`, text: run.verdict})));
    if (run.headline_text) section.appendChild(el('div', {class: 'headline', text: run.headline_text}));
    if (run.problems && run.problems.length) {
      section.appendChild(el('ul', {class: 'problems'},
        ...run.problems.map((p) => el('li', {text: p}))));
    }
    const t = run.timeline;
    if (t && t.buckets > 0) {
      if (t.series.at_device) {
        drawOwners(section, id, t);
        drawPending(section, id, t);
      }
      drawDrops(section, id, t);
    }
    const hist = run.histograms || {};
    if (hist.pending_wait) {
      drawHistogram(section, id + '-wait', 'How long pended ALLOCs waited for a frame',
        hist.pending_wait, COLORS.wait, `wait (${hist.pending_wait.unit})`);
    } else if (run.verdict !== 'invalid' && t && t.series.pending) {
      section.appendChild(el('p', {class: 'note', text: 'No ALLOC pended: no waits to show.'}));
    }
    if (t && t.buckets > 0) drawLateness(section, id, t, run.clock);
    if (hist.lateness) {
      drawHistogram(section, id + '-lateness-hist', `Frame lateness (${hist.lateness.figure})`,
        hist.lateness, COLORS.lateness, `lateness (${hist.lateness.unit})`);
    }
    if (t) drawClients(section, id, t);
    if (run.expectations && run.expectations.length) {
      section.appendChild(el('h3', {text: 'Expectations'}));
      section.appendChild(expectationTable(run));
    }
    if (run.script_failures && run.script_failures.length) {
      section.appendChild(el('h3', {text: 'Script steps not met'}));
      section.appendChild(el('ul', {class: 'problems'},
        ...run.script_failures.map((p) => el('li', {text: p}))));
    }
    if (run.groups && run.groups.length) {
      section.appendChild(el('h3', {text: 'Figures'}));
      section.appendChild(figureTable(run.groups));
    }
    if (run.scenario_text) {
      section.appendChild(el('h3', {text: 'The scenario'}));
      section.appendChild(el('p', {class: 'note mono', text: run.file}));
      section.appendChild(el('pre', {class: 'scenario', text: run.scenario_text}));
    }
    root.appendChild(section);
  }

  // --- sweeps ---------------------------------------------------------------

  function sameValue(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function drawSweepMetric(root, sweep, metric, index) {
    const dims = sweep.dims;
    const rows = sweep.rows.filter((r) => r.metrics[metric] !== null &&
      typeof r.metrics[metric] === 'number');
    if (!rows.length) {
      root.appendChild(el('p', {class: 'note', text: `${metric}: no numeric value at any point.`}));
      return;
    }
    const xDim = dims.length ? dims[0] : null;
    const numericX = xDim && xDim.values.every((v) => typeof v === 'number');
    // One line per combination of the other dimensions; seeds averaged.
    const lines = new Map();
    for (const r of rows) {
      const key = dims.slice(1).map((d) => `${d.label}=${JSON.stringify(r.values[d.pointer])}`)
        .join(', ') || metric;
      if (!lines.has(key)) lines.set(key, new Map());
      const x = xDim ? JSON.stringify(r.values[xDim.pointer]) : JSON.stringify(r.seed);
      const at = lines.get(key);
      if (!at.has(x)) at.set(x, []);
      at.get(x).push(r.metrics[metric]);
    }
    const datasets = [];
    let i = 0;
    for (const [key, at] of lines) {
      const color = LINE_COLORS[i++ % LINE_COLORS.length];
      const points = [];
      for (const [x, values] of at) {
        const mean = values.reduce((a, b) => a + b, 0) / values.length;
        points.push({x: numericX ? JSON.parse(x) : String(JSON.parse(x)), y: mean,
          min: Math.min(...values), max: Math.max(...values)});
      }
      if (numericX) points.sort((a, b) => a.x - b.x);
      datasets.push({label: key, data: points, borderColor: color, backgroundColor: color,
        pointRadius: 3, borderWidth: 2, fill: false});
    }
    const seeds = sweep.seeds.length > 1 ? ` (mean of ${sweep.seeds.length} seeds)` : '';
    const xTitle = xDim ? xDim.label : 'seed';
    const options = {
      scales: {
        x: numericX ? {type: 'linear', title: {display: true, text: xTitle}}
          : {type: 'category', labels: (xDim ? xDim.values : sweep.seeds).map(String),
            title: {display: true, text: xTitle}},
        y: {beginAtZero: true, title: {display: true, text: metric}},
      },
      plugins: {tooltip: {callbacks: {afterLabel: (ctx) => ctx.raw.min !== ctx.raw.max
        ? `seeds: ${fmt(ctx.raw.min)} .. ${fmt(ctx.raw.max)}` : ''}}},
    };
    addChart(root, `metric-${index}`, `${metric} by ${xTitle}${seeds}`,
      {type: 'line', data: {datasets: datasets}, options: options}, 300);
  }

  function drawSweep(root, sweep) {
    const section = el('section', {class: 'run', id: 'sweep'});
    const dims = sweep.dims.map((d) => `${d.pointer} = ${d.values.map((v) => JSON.stringify(v)).join(', ')}`);
    section.appendChild(el('div', {class: 'headline', text: [
      `${sweep.scenario}: ${sweep.rows.length} of ${sweep.points_total} points` +
        (sweep.missing ? ` (${sweep.missing} missing: a shard not merged?)` : ''),
      ...dims.map((d) => `  vary  ${d}`),
      `  seeds ${sweep.seeds.join(', ')}`,
      sweep.summary || '',
    ].join('\n')}));
    if (sweep.answers && sweep.answers.length) {
      section.appendChild(el('h3', {text: 'Answers'}));
      section.appendChild(el('ul', {class: 'answers'},
        ...sweep.answers.map((a) => el('li', {text: a.text}))));
    }
    sweep.metrics.forEach((metric, i) => drawSweepMetric(section, sweep, metric, i));
    section.appendChild(el('h3', {text: 'Points'}));
    const headers = ['point', 'seed'].concat(sweep.dims.map((d) => d.label), sweep.metrics,
      ['expectations', 'status']);
    const rows = sweep.rows.map((r) => [r.point, r.seed].concat(
      sweep.dims.map((d) => JSON.stringify(r.values[d.pointer])),
      sweep.metrics.map((m) => r.metrics[m]),
      [r.expectations_met === null || r.expectations_met === undefined ? '-'
        : r.expectations || (r.expectations_met ? 'met' : 'not met'), r.status]));
    const classes = ['num', 'num'].concat(sweep.dims.map(() => 'num mono'),
      sweep.metrics.map(() => 'num'), ['', '']);
    section.appendChild(el('div', {class: 'table-scroll'}, table(headers, rows, classes)));
    root.appendChild(section);
  }

  // --- the page ---------------------------------------------------------------

  function draw() {
    document.title = data.title;
    const header = el('header', {class: 'page'}, el('h1', {text: data.title}),
      el('div', {class: 'sub', text: data.subtitle || ''}));
    const main = el('main');
    document.body.appendChild(header);
    document.body.appendChild(main);
    if (data.kind === 'sweep') {
      drawSweep(main, data.sweep);
      return;
    }
    const runs = data.runs || [];
    if (runs.length > 1) {
      main.appendChild(el('nav', {class: 'toc'}, ...runs.map((run, i) =>
        el('a', {href: `#${run.id || 'run-' + i}`, text: `${run.title} (${run.verdict})`}))));
    }
    runs.forEach((run, i) => {
      try {
        drawRun(main, run, i);
      } catch (e) {
        problems.push(`${run.title}: ${e}`);
        console.error(e);
      }
    });
  }

  try {
    draw();
  } catch (e) {
    problems.push(String(e));
    console.error(e);
  }
  // Pixels a chart painted in its plot area (every 4th pixel of every 4th
  // row, not transparent): > 0 once its data are drawn. Axes and legend are
  // outside chartArea, so an empty chart counts 0 (grid lines aside: they
  // are drawn, faint, in every chart, hence the datasets' own check below).
  function painted(c) {
    const a = c.chartArea;
    if (!a || a.right <= a.left || a.bottom <= a.top) return 0;
    const ratio = c.currentDevicePixelRatio || 1;
    const x = Math.floor(a.left * ratio), y = Math.floor(a.top * ratio);
    const w = Math.floor((a.right - a.left) * ratio), h = Math.floor((a.bottom - a.top) * ratio);
    const pixels = c.ctx.getImageData(x, y, w, h).data;
    let n = 0;
    for (let row = 0; row < h; row += 4) {
      for (let col = 0; col < w; col += 4) {
        if (pixels[(row * w + col) * 4 + 3] !== 0) ++n;
      }
    }
    return n;
  }

  // The page's own account, once the browser has laid the charts out (a
  // chart sizes itself to its box when the page first lays out).
  function account() {
    window.hilcapReport = {
      ready: true,
      render_ms: performance.now() - started,
      problems: problems,
      charts: charts.map((c) => ({
        id: c.canvas.id,
        title: c.hilcapTitle,
        type: c.config.type,
        datasets: c.data.datasets.length,
        points: c.data.datasets.reduce((n, d, i) => n + c.getDatasetMeta(i).data.length, 0),
        painted: painted(c),
        width: c.width,
        height: c.height,
      })),
    };
    // The same for a browser without a script console (chromium --dump-dom).
    document.documentElement.setAttribute('data-hilcap-charts', JSON.stringify(window.hilcapReport));
    document.documentElement.setAttribute('data-hilcap-ready', problems.length ? 'problems' : 'ok');
  }
  requestAnimationFrame(() => setTimeout(account, 0));
})();
