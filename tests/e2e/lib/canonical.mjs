// canonical: rows with map keys in one order, so that whole rows (including
// arrays of maps, such as Events.Attributes) compare by content. ClickHouse
// Maps are key/value lists; the order the gateway writes is not what the
// tests compare.
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

function byBytes(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (isPlainObject(value)) {
    const out = {};
    for (const k of Object.keys(value).sort(byBytes)) out[k] = canonical(value[k]);
    return out;
  }
  return value;
}

// A stable text key of a row, for sorting rows that have no natural order.
export function rowKey(row) {
  return JSON.stringify(canonical(row));
}

// Drops `key` from the map column `column` of every row (the run id).
export function withoutMapKey(rows, column, key) {
  return rows.map((r) => {
    const m = { ...r[column] };
    delete m[key];
    return { ...r, [column]: m };
  });
}
