export function greet(name) {
  return `Hello from ${name}!`;
}
