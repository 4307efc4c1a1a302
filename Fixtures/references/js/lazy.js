export function lazy(...values) { return values.join(" "); }
