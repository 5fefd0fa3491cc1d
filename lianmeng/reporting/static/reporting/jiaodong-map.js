/* The seven member cities as a schematic outline, registered as the ECharts map "jiaodong".
   Drawn by hand from approximate coordinates (longitude, latitude) of each city's extent: a sketch to
   place the cities, not a survey boundary. Nothing is downloaded at run time. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var outlines = {
    "东营": [[118.1, 36.9], [118.6, 36.8], [119.1, 37.1], [119.2, 37.6], [118.9, 38.1], [118.4, 37.9], [118.0, 37.5]],
    "滨州": [[117.3, 37.3], [117.7, 36.9], [118.1, 36.9], [118.0, 37.5], [118.4, 37.9], [118.1, 38.2], [117.6, 38.0], [117.3, 37.7]],
    "潍坊": [[118.3, 36.3], [118.6, 35.9], [119.3, 35.8], [119.8, 36.1], [120.0, 36.6], [119.8, 37.1], [119.1, 37.1], [118.6, 36.8], [118.1, 36.9], [118.2, 36.6]],
    "青岛": [[119.3, 35.8], [119.6, 35.6], [120.2, 35.9], [120.6, 36.1], [120.9, 36.4], [120.8, 36.8], [120.3, 37.0], [119.8, 37.1], [120.0, 36.6], [119.8, 36.1]],
    "日照": [[118.3, 35.4], [118.8, 35.1], [119.4, 35.0], [119.6, 35.6], [119.3, 35.8], [118.6, 35.9], [118.3, 35.7]],
    "烟台": [[119.8, 37.1], [120.3, 37.0], [120.8, 36.8], [121.3, 36.7], [121.7, 36.9], [121.9, 37.3], [121.5, 37.6], [120.9, 37.8], [120.3, 37.7], [119.9, 37.4]],
    "威海": [[121.7, 36.9], [122.2, 36.9], [122.7, 37.3], [122.6, 37.45], [122.3, 37.6], [121.8, 37.6], [121.9, 37.3]]
  };
  var features = Object.keys(outlines).map(function (name) {
    var ring = outlines[name].concat([outlines[name][0]]);
    return { type: "Feature", properties: { name: name }, geometry: { type: "Polygon", coordinates: [ring] } };
  });
  echarts.registerMap("jiaodong", { type: "FeatureCollection", features: features });
})();
