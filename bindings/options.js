// Options objects: a name this call does not know is a TypeError naming it
// (a typo such as { timout: 5 } must not pass silently).

/** Reject options this call does not know (a typo must not pass silently). */
export function checkOptions(where, options, known) {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new TypeError(`${where}: options must be an object`);
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new TypeError(`${where}: unknown option ${JSON.stringify(k)} (known: ${known.join(', ')})`);
  }
  return options;
}
