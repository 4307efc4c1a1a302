console.log("other");
//# sourceMappingURL=other.js.map
