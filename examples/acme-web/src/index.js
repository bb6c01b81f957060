'use strict';
// The release artifact of the example: what the evidence is about.
exports.greet = (name) => `hello, ${name}`;
