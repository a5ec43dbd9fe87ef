import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The charting code a report inlines: uPlot (MIT, about 50 KB minified; the whole page opens
 * offline from file://) and the script that draws each ChartSpec with it. uPlot was chosen
 * over a custom ECharts build by measurement (BENCHMARKS.md: installed size and report size).
 */

let assets: { js: string; css: string } | undefined;
export function uplotAssets(): { js: string; css: string } {
  if (!assets) {
    const require = createRequire(import.meta.url);
    const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8').replace(/<\/(script|style)/gi, '<\\/$1');
    assets = { js: read('uPlot.iife.min.js'), css: read('uPlot.min.css') };
  }
  return assets;
}

/** Reads the specs embedded in the page and draws each into its `[data-chart-id]` element. */
export const CHART_CLIENT = String.raw`
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  var PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
  function percentLabel(v) {
    var p = 100 * (1 - Math.pow(10, -v));
    var digits = Math.max(0, Math.ceil(v) - 2);
    return (Math.abs(p - Math.round(p)) < 1e-9 && digits === 0 ? Math.round(p) : p.toFixed(digits)) + '%';
  }
  function number(v) {
    if (v == null) return '-';
    var a = Math.abs(v);
    return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : a === 0 ? '0' : v.toPrecision(3);
  }
  // Log axes: lines at whole decades (1, 10, 100 ms), or at 1-2-5 steps when the range spans under three.
  function logSplits(u, axisIdx, min, max) {
    var lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max)), out = [];
    var steps = hi - lo >= 3 ? [1] : [1, 2, 5];
    for (var e = lo; e <= hi; e++) steps.forEach(function (m) { var v = m * Math.pow(10, e); if (v >= min * 0.999 && v <= max * 1.001) out.push(+v.toPrecision(6)); });
    return out;
  }
  function drawExtras(spec) {
    return function (u) {
      var ctx = u.ctx;
      ctx.save();
      if (spec.zeroLine) {
        var y0 = u.valToPos(0, 'y', true);
        ctx.strokeStyle = '#6b7280';
        ctx.lineWidth = 1;
        ctx.setLineDash([4, 4]);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y0);
        ctx.lineTo(u.bbox.left + u.bbox.width, y0);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      spec.series.forEach(function (s, si) {
        if (!s.boxes) return;
        var color = s.color || PALETTE[si % PALETTE.length];
        var half = Math.min(40, u.bbox.width / spec.x.values.length / 4);
        s.boxes.forEach(function (b, i) {
          if (!b) return;
          var x = u.valToPos(spec.x.values[i], 'x', true);
          var y = b.map(function (v) { return u.valToPos(v, 'y', true); });
          ctx.fillStyle = color + '33';
          ctx.strokeStyle = color;
          ctx.lineWidth = 2;
          ctx.fillRect(x - half, y[3], 2 * half, y[1] - y[3]);
          ctx.strokeRect(x - half, y[3], 2 * half, y[1] - y[3]);
          ctx.beginPath();
          ctx.moveTo(x - half, y[2]); ctx.lineTo(x + half, y[2]);
          ctx.moveTo(x, y[1]); ctx.lineTo(x, y[0]);
          ctx.moveTo(x, y[3]); ctx.lineTo(x, y[4]);
          ctx.moveTo(x - half / 2, y[0]); ctx.lineTo(x + half / 2, y[0]);
          ctx.moveTo(x - half / 2, y[4]); ctx.lineTo(x + half / 2, y[4]);
          ctx.stroke();
        });
      });
      spec.series.forEach(function (s, si) {
        if (!s.intervals) return;
        ctx.strokeStyle = s.color || PALETTE[si % PALETTE.length];
        ctx.lineWidth = 2;
        s.intervals.forEach(function (iv, i) {
          if (!iv) return;
          var x = u.valToPos(spec.x.values[i], 'x', true);
          var lo = u.valToPos(iv[0], 'y', true);
          var hi = u.valToPos(iv[1], 'y', true);
          ctx.beginPath();
          ctx.moveTo(x, lo); ctx.lineTo(x, hi);
          ctx.moveTo(x - 6, lo); ctx.lineTo(x + 6, lo);
          ctx.moveTo(x - 6, hi); ctx.lineTo(x + 6, hi);
          ctx.stroke();
        });
      });
      ctx.restore();
    };
  }
  function options(spec, width) {
    var x = spec.x;
    var xAxis = { label: x.label, labelSize: 22, stroke: '#374151', grid: { stroke: '#eef0f3' } };
    var xScale = { time: false, distr: x.scale === 'log' ? 3 : 1 };
    if (x.range) xScale.range = function () { return x.range; };
    if (x.scale === 'log') xAxis.splits = logSplits;
    if (x.ticks === 'percentile') {
      xAxis.splits = function (u) { var out = [0, Math.log10(2)]; for (var v = 1; v <= u.scales.x.max + 1e-9; v++) out.push(v); return out; };
      xAxis.values = function (u, splits) { return splits.map(percentLabel); };
    }
    if (x.ticks === 'category') {
      xScale.range = function () { return [-0.5, x.values.length - 0.5]; };
      xAxis.splits = function () { return x.values; };
      xAxis.values = function (u, splits) { return splits.map(function (i) { return x.categories[i] || ''; }); };
      xAxis.rotate = x.categories.some(function (c) { return c.length > 8; }) ? -30 : 0;
      xAxis.size = xAxis.rotate ? 95 : 40;
    }
    var yScale = { distr: spec.y.scale === 'log' ? 3 : 1 };
    if (spec.y.range) yScale.range = function () { return spec.y.range; };
    var yAxis = { label: spec.y.label, labelSize: 22, size: 64, stroke: '#374151', grid: { stroke: '#eef0f3' } };
    if (spec.y.scale === 'log') yAxis.splits = logSplits;
    if (spec.series.some(function (s) { return s.boxes; })) {
      yScale.range = function (u, min, max) {
        spec.series.forEach(function (s) { (s.boxes || []).forEach(function (b) { if (b) { min = Math.min(min, b[0]); max = Math.max(max, b[4]); } }); });
        var pad = (max - min) * 0.08 || 1;
        return [Math.max(0, min - pad), max + pad];
      };
    }
    if (spec.series.some(function (s) { return s.intervals; })) {
      yScale.range = function (u, min, max) {
        spec.series.forEach(function (s) { (s.intervals || []).forEach(function (iv) { if (iv) { min = Math.min(min, iv[0]); max = Math.max(max, iv[1]); } }); });
        min = Math.min(min, 0); max = Math.max(max, 0);
        var pad = (max - min) * 0.08 || 1;
        return [min - pad, max + pad];
      };
    }
    var series = [{ label: x.ticks === 'percentile' ? 'percentile' : x.label, value: function (u, v) { return v == null ? '-' : x.ticks === 'percentile' ? percentLabel(v) : x.ticks === 'category' ? (x.categories[v] || '') : number(v); } }];
    spec.series.forEach(function (s, i) {
      var color = s.color || PALETTE[i % PALETTE.length];
      var out = { label: s.name, stroke: color, width: 2, spanGaps: !!spec.spanGaps, value: function (u, v) { return number(v); } };
      if (s.dash) out.dash = [6, 4];
      if (s.kind === 'bars') { out.paths = uPlot.paths.bars({ size: [0.9, Infinity] }); out.fill = color + 'cc'; out.width = 1; out.points = { show: false }; }
      else if (s.kind === 'step') { out.paths = uPlot.paths.stepped({ align: 0 }); out.points = { show: false }; }
      else if (s.kind === 'points') { out.paths = function () { return null; }; out.points = { show: true, size: 9, fill: color }; }
      else out.points = { show: spec.x.values.length <= 30, size: 6 };
      series.push(out);
    });
    return {
      // Room on the right for a rotated last label.
      padding: [12, x.ticks === 'category' ? 48 : 16, null, null],
      width: width,
      height: spec.height || 280,
      series: series,
      scales: { x: xScale, y: yScale },
      axes: [xAxis, yAxis],
      legend: { show: spec.legend !== false, live: true },
      cursor: { drag: { x: false, y: false } },
      hooks: { draw: [drawExtras(spec)] },
    };
  }
  var charts = [];
  document.querySelectorAll('[data-chart-id]').forEach(function (el) {
    var spec = specs[el.getAttribute('data-chart-id')];
    var data = [spec.x.values].concat(spec.series.map(function (s) { return s.values; }));
    var chart = new uPlot(options(spec, el.clientWidth), data, el);
    el.setAttribute('data-rendered', 'true');
    charts.push({ el: el, chart: chart });
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (c) { c.chart.setSize({ width: c.el.clientWidth, height: c.chart.height }); });
  });
})();
`;
