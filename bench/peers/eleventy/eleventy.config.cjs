// Eleventy configuration for the benchmark's equivalent site (see bench/sites.py).
module.exports = function (config) {
  config.addPassthroughCopy("assets");
  return { templateFormats: ["njk"], dir: { includes: "_includes", data: "_data" } };
};
