const en = {};

const zh: typeof en = {};

export default { en, zh };
