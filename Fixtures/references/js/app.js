import { format } from "./lib/util.js";
import './polyfill.js';
import * as all from "./lib/util.js";
export { answer } from './lib/answer.js';
import external from "lib/external";

const message = "import { fake } from './not-a-reference.js'";
// import { commented } from "./commented.js";

export async function start() {
  const { lazy } = await import("./lazy.js");
  return format(lazy(all.answer, message, external));
}
//# sourceMappingURL=app.js.map
