export function format(value) { return `[${value}]`; }
export const answer = 42;
