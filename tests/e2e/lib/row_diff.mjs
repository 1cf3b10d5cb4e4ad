// row_diff: a column-by-column (and map-key-by-map-key) account of how stored
// rows differ from expected ones, so one failing test names every wrong value
// instead of the first differing row only.
import assert from 'node:assert/strict';

const show = (v) => JSON.stringify(v);

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// Lines describing how `actual` differs from `expected` (both one row).
export function diffRow(actual, expected) {
  const lines = [];
  const columns = new Set([...Object.keys(expected), ...Object.keys(actual ?? {})]);
  for (const col of columns) {
    const want = expected[col];
    const got = actual?.[col];
    if (!(col in expected)) {
      lines.push(`  ${col}: unexpected column = ${show(got)}`);
    } else if (actual === undefined || !(col in actual)) {
      lines.push(`  ${col}: missing (expected ${show(want)})`);
    } else if (isPlainObject(want) && isPlainObject(got)) {
      const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
      for (const k of [...keys].sort()) {
        if (!(k in got)) lines.push(`  ${col}[${show(k)}]: missing (expected ${show(want[k])})`);
        else if (!(k in want)) lines.push(`  ${col}[${show(k)}]: unexpected = ${show(got[k])}`);
        else if (got[k] !== want[k]) lines.push(`  ${col}[${show(k)}]: expected ${show(want[k])}, actual ${show(got[k])}`);
      }
    } else if (show(got) !== show(want)) {
      lines.push(`  ${col}: expected ${show(want)}, actual ${show(got)}`);
    }
  }
  return lines;
}

// Fails with every difference of the rows whose index `select(i)` accepts.
export function assertRowsEqual(actual, expected, { label = 'row', select = () => true } = {}) {
  const report = [];
  for (let i = 0; i < expected.length; i++) {
    if (!select(i)) continue;
    const lines = diffRow(actual[i], expected[i]);
    if (lines.length > 0) {
      report.push(`${label} ${i} (Timestamp ${expected[i].Timestamp}, Body ${show(expected[i].Body)}):`, ...lines);
    }
  }
  if (actual.length !== expected.length) {
    report.push(`row count: expected ${expected.length}, actual ${actual.length}`);
  }
  if (report.length > 0) assert.fail(report.join('\n'));
}
