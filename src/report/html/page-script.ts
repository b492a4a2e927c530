/**
 * The page's only script of its own (plain browser JavaScript, run after the
 * inlined Vega runtime): it reads the chart payload, turns each named
 * dataset from columns into the rows Vega takes, and renders every chart as
 * SVG into its element. A chart that fails says so in place and on the
 * console, so the browser test sees it.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var payload = JSON.parse(document.getElementById('blocktime-charts').textContent);
  function rows(columns) {
    var keys = Object.keys(columns);
    var n = keys.length ? columns[keys[0]].length : 0;
    var out = new Array(n);
    for (var i = 0; i < n; i++) {
      var row = {};
      for (var k = 0; k < keys.length; k++) row[keys[k]] = columns[keys[k]][i];
      out[i] = row;
    }
    return out;
  }
  payload.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    try {
      var view = new vega.View(vega.parse(chart.spec), { renderer: 'svg', container: el, hover: true });
      Object.keys(chart.data).forEach(function (name) { view.data(name, rows(chart.data[name])); });
      view.runAsync().then(function () { el.setAttribute('data-rendered', 'true'); }, function (err) {
        el.textContent = 'This chart could not be drawn: ' + err;
        console.error(err);
      });
    } catch (err) {
      el.textContent = 'This chart could not be drawn: ' + err;
      console.error(err);
    }
  });
})();`;
