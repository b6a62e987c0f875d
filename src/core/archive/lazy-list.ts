const INDEX = /^(0|[1-9]\d*)$/;

/**
 * A read-only array whose items are computed when read. It is a real array to every reader
 * (Array.isArray, length, indexing, map/filter/slice, for…of, JSON.stringify), but holds
 * nothing per item: the per-event list of a million-event archive stays a function of the
 * times already kept. Not structured-cloneable: hosts send views (operations.ts), not the list.
 */
export function lazyList<T>(length: number, at: (index: number) => T): readonly T[] {
  const indexOf = (key: string | symbol): number | undefined => {
    if (typeof key !== 'string' || !INDEX.test(key)) return undefined;
    const index = Number(key);
    return index < length ? index : undefined;
  };
  return new Proxy<T[]>([], {
    get(target, key, receiver) {
      if (key === 'length') return length;
      const index = indexOf(key);
      return index === undefined ? Reflect.get(target, key, receiver) : at(index);
    },
    has(target, key) {
      return indexOf(key) !== undefined || Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      if (key === 'length') return { value: length, writable: true, enumerable: false, configurable: false }; // as the target's own
      const index = indexOf(key);
      return index === undefined ? Reflect.getOwnPropertyDescriptor(target, key) : { value: at(index), writable: false, enumerable: true, configurable: true };
    },
    ownKeys(target) {
      return [...Array.from({ length }, (_, i) => String(i)), ...Reflect.ownKeys(target).filter((k) => k !== 'length'), 'length'];
    },
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}
