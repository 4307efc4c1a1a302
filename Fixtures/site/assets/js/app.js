import { greet } from "./greet.js";

document.addEventListener("DOMContentLoaded", () => {
  const header = document.querySelector(".header");
  if (header) header.textContent = greet("collectstatic");
});
//# sourceMappingURL=app.js.map
