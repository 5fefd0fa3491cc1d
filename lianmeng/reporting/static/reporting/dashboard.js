/* Dashboard charts (ECharts, served locally). Data comes from the page's #report-charts-data. */
(function () {
  "use strict";
  var holder = document.getElementById("report-charts-data");
  if (!holder || typeof echarts === "undefined") { return; }
  var data = JSON.parse(holder.textContent);
  var blue = "#1f4e8c", accent = "#d9822b";
  var palette = ["#1f4e8c", "#3a7bd5", "#5fa8d3", "#2a9d8f", "#8ab17d", "#e9c46a", "#f4a261", "#e76f51", "#9c6644", "#6c757d"];
  var charts = [];

  // A chart is drawn only once its box has a size, and redrawn when the box changes. ECharts' geo
  // coordinate system throws ("Cannot read properties of null") when laid out in a 0 x 0 box, which
  // happens when the script runs before the page's layout settles on a busy machine.
  function sized(el) { return el.clientWidth > 0 && el.clientHeight > 0; }

  function make(id, option) {
    var el = document.getElementById(id);
    if (!el) { return; }
    var chart = null;
    function draw() {
      if (!sized(el)) { return; }
      if (chart === null) {
        chart = echarts.init(el, null, { renderer: "canvas" });
        chart.setOption(option);
        charts.push(chart);
      } else {
        chart.resize();
      }
    }
    if (typeof ResizeObserver !== "undefined") { new ResizeObserver(draw).observe(el); }
    draw();
  }

  var mapped = data.cities.filter(function (c) { return c.coordinates; });
  var maxMembers = Math.max.apply(null, [1].concat(mapped.map(function (c) { return c.members; })));
  make("chart-map", {
    grid: { left: 8, right: 8, top: 8, bottom: 8, containLabel: false },
    tooltip: { formatter: function (p) { return p.data.name + "<br>" + data.labels.members + " " + p.data.members + "<br>" + data.labels.projects + " " + p.data.projects; } },
    geo: echarts.getMap("jiaodong") ? {
      map: "jiaodong", roam: false, silent: true, layoutCenter: ["50%", "50%"], layoutSize: "95%",
      itemStyle: { areaColor: "#e9eef6", borderColor: "#8aa4c8", borderWidth: 1 },
      label: { show: false }
    } : undefined,
    xAxis: echarts.getMap("jiaodong") ? undefined : { type: "value", min: 117.4, max: 122.7, show: false, scale: true },
    yAxis: echarts.getMap("jiaodong") ? undefined : { type: "value", min: 35.0, max: 37.9, show: false, scale: true },
    series: [{
      type: "scatter",
      coordinateSystem: echarts.getMap("jiaodong") ? "geo" : "cartesian2d",
      name: data.labels.map,
      data: mapped.map(function (c) {
        return {
          name: c.name, value: c.coordinates, members: c.members, projects: c.projects,
          symbolSize: 10 + 22 * Math.sqrt(c.members / maxMembers),
          itemStyle: { color: c.highlighted ? accent : blue, borderColor: "#fff", borderWidth: c.highlighted ? 3 : 1 }
        };
      }),
      label: { show: true, position: "bottom", distance: 4, formatter: "{b}", fontSize: 13, color: "#1b1f24" }
    }]
  });

  make("chart-landings", {
    color: palette,
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: data.landing_years.map(String) },
    yAxis: { type: "value", minInterval: 1 },
    series: data.landed_by_city_year.map(function (s) {
      return { name: s.name, type: "bar", stack: "landed", data: s.values, emphasis: { focus: "series" } };
    })
  });

  make("chart-cities", {
    color: [blue, "#2a9d8f", accent],
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: data.cities.map(function (c) { return c.name; }), axisLabel: { interval: 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.members, type: "bar", data: data.cities.map(function (c) { return c.members; }) },
      { name: data.labels.events, type: "bar", data: data.cities.map(function (c) { return c.events; }) },
      { name: data.labels.projects, type: "bar", data: data.cities.map(function (c) { return c.projects; }) }
    ]
  });

  if (typeof ResizeObserver === "undefined") {
    window.addEventListener("resize", function () {
      charts.forEach(function (c) { if (sized(c.getDom())) { c.resize(); } });
    });
  }
})();
