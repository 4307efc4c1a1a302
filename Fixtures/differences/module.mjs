import { helper } from "./helper.mjs";
export const x = helper();
//# sourceMappingURL=module.mjs.map
