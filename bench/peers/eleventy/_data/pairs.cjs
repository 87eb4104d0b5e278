// One landing page per treatment x area, in the same order as the other generators.
const treatments = require("./treatments.json");
const areas = require("./areas.json");
module.exports = Object.keys(treatments).flatMap((t) => Object.keys(areas).map((a) => ({ t, a })));
