// otel_model: the oracle for otel_logs rows. From a description of what a
// client sent it computes, independently of the binary, the row that
// ClickStack's collector (OpenTelemetry Collector + ClickStack's log transform
// + the clickhouse exporter) stores.
//
// Values are held typed ({t, v}) the way OTLP's AnyValue is, because JS alone
// cannot tell an int from a double: `typed()` converts a JS value exactly as
// the OpenTelemetry JS SDK's OTLP transformer does (integer numbers become
// intValue, others doubleValue, Uint8Array bytes, null/undefined empty), and
// the T.* constructors make values the SDK cannot send (int64 extremes,
// integral doubles) for raw OTLP/JSON requests.
//
// Rendering follows pcommon.Value.AsString: ints decimal, doubles as Go's
// float64AsString (ES6 shortest form, exponent past 1e21 / below 1e-6), bools
// true/false, bytes standard base64, empty "", maps and slices as Go
// encoding/json of AsRaw() with HTML escaping off and map keys sorted bytewise.
//
// The ClickStack log transform (docker/otel-collector/config.yaml in HyperDX):
//  1. a string body's first {...} span is parsed as JSON and upserted into the
//     attributes; then the attributes are flattened (nested maps to dotted
//     keys, slices to key.N with elements copied as they are); then a map body
//     is upserted into the attributes (not flattened);
//  2. when severity number is 0 and text is "", severity is inferred from the
//     first keyword in the body's first 256 bytes (else info / 9);
//  3. severity text is lowercased.
const TYPED = Symbol('typed');

function mk(t, v) {
  return { [TYPED]: true, t, v };
}

export const T = {
  str: (s) => mk('str', s),
  int: (i) => mk('int', BigInt(i)),
  double: (d) => mk('double', d),
  bool: (b) => mk('bool', b),
  bytes: (b) => mk('bytes', Buffer.from(b)),
  array: (items) => mk('array', items.map(typed)),
  // entries: [[key, value], ...] in wire order (duplicates allowed).
  map: (entries) => mk('map', entries.map(([k, v]) => [k, typed(v)])),
  empty: () => mk('empty', null),
};

export function isTyped(v) {
  return v !== null && typeof v === 'object' && v[TYPED] === true;
}

// The JS SDK's toAnyValue, as a typed value.
export function typed(value) {
  if (isTyped(value)) return value;
  if (typeof value === 'string') return T.str(value);
  if (typeof value === 'number') return Number.isInteger(value) ? T.int(value) : T.double(value);
  if (typeof value === 'boolean') return T.bool(value);
  if (value instanceof Uint8Array) return T.bytes(value);
  if (Array.isArray(value)) return T.array(value);
  if (value !== null && typeof value === 'object') return T.map(Object.entries(value));
  return T.empty();
}

// Attribute list (JS object or [[k, v]] entries) -> typed entries.
export function typedEntries(attrs) {
  if (!attrs) return [];
  const entries = Array.isArray(attrs) ? attrs : Object.entries(attrs);
  return entries.map(([k, v]) => [k, typed(v)]);
}

// --- Go text -------------------------------------------------------------

export function goFloat(d) {
  if (Number.isNaN(d) || !Number.isFinite(d)) {
    throw new Error('NaN/Inf have no JSON form; tests do not send them');
  }
  if (Object.is(d, -0)) return '-0';
  // ES6 Number-to-String is the algorithm Go's float64AsString copies
  // (shortest round-trip digits, exponent form outside [1e-6, 1e21)).
  return String(d);
}

export function goJsonString(s) {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x2028 || c === 0x2029) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function compareBytes(a, b) {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function goJson(v) {
  switch (v.t) {
    case 'str':
      return goJsonString(v.v);
    case 'int':
      return v.v.toString();
    case 'double':
      return goFloat(v.v);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'bytes':
      return goJsonString(v.v.toString('base64'));
    case 'empty':
      return 'null';
    case 'array':
      return '[' + v.v.map(goJson).join(',') + ']';
    case 'map': {
      // AsRaw builds a Go map: the last duplicate wins, keys come out sorted.
      const m = new Map();
      for (const [k, val] of v.v) m.set(k, val);
      const keys = [...m.keys()].sort(compareBytes);
      return '{' + keys.map((k) => goJsonString(k) + ':' + goJson(m.get(k))).join(',') + '}';
    }
    default:
      throw new Error(`unknown typed value ${v.t}`);
  }
}

export function asString(v) {
  switch (v.t) {
    case 'str':
      return v.v;
    case 'int':
      return v.v.toString();
    case 'double':
      return goFloat(v.v);
    case 'bool':
      return v.v ? 'true' : 'false';
    case 'bytes':
      return v.v.toString('base64');
    case 'empty':
      return '';
    default:
      return goJson(v);
  }
}

// Typed entries -> the Map(String, String) the exporter writes (last wins).
export function attributesColumn(entries) {
  const out = {};
  for (const [k, v] of entries) out[k] = asString(v);
  return out;
}

// --- ClickStack transform --------------------------------------------------

// pcommon.Map with insertion order and in-place overwrite.
class PMap {
  constructor(entries = []) {
    this.m = new Map();
    for (const [k, v] of entries) this.put(k, v);
  }
  put(k, v) {
    this.m.set(k, v);
  }
  entries() {
    return [...this.m.entries()];
  }
}

// OTTL's flatten as the newest collector-contrib has it (func_flatten.go:
// flattenMap / flattenValue / flattenSlice): maps become dotted keys, array
// items get their index, maps inside arrays are flattened too, and items of an
// array inside an array are keyed without a dot ("a.6" + "0" -> "a.60"), as
// that code concatenates prefix and index.
function flattenInto(entries, result, prefix) {
  const p = prefix.length > 0 ? prefix + '.' : '';
  for (const [k, v] of entries) flattenValue(k, v, result, p);
}

function flattenValue(k, v, result, prefix) {
  if (v.t === 'map') {
    // A nested pcommon.Map has unique keys: the last duplicate on the wire wins.
    flattenInto(new PMap(v.v).entries(), result, prefix + k);
  } else if (v.t === 'array') {
    v.v.forEach((item, i) => {
      const key = `${prefix + k}.${i}`;
      if (item.t === 'map') flattenInto(new PMap(item.v).entries(), result, key);
      else if (item.t === 'array') item.v.forEach((inner, j) => flattenValue(String(j), inner, result, key));
      else result.put(key, item);
    });
  } else {
    result.put(prefix + k, v);
  }
}

// OTTL ParseJSON: an object becomes a map; JSON numbers become doubles (which
// render like ints for the small integers tests use).
function fromJson(value) {
  if (value === null) return T.empty();
  if (typeof value === 'string') return T.str(value);
  if (typeof value === 'number') return T.double(value);
  if (typeof value === 'boolean') return T.bool(value);
  if (Array.isArray(value)) return mk('array', value.map(fromJson));
  return mk(
    'map',
    Object.entries(value).map(([k, v]) => [k, fromJson(v)]),
  );
}

const KEYWORD_RE = /\b(alert|crit|emerg|fatal|error|err|warn|notice|debug|dbug|trace)/i;

function inferSeverity(bodyText) {
  const bytes = Buffer.from(bodyText, 'utf8');
  const substr = bytes.length < 256 ? bodyText : bytes.subarray(0, 256).toString('utf8');
  const m = KEYWORD_RE.exec(substr);
  const word = m ? m[1] : null;
  if (word !== null) {
    if (/(alert|crit|emerg|fatal)/i.test(word)) return [21, 'fatal'];
    if (/(error|err)/i.test(word)) return [17, 'error'];
    if (/(warn|notice)/i.test(word)) return [13, 'warn'];
    if (/(debug|dbug)/i.test(word)) return [5, 'debug'];
    if (/(trace)/i.test(word)) return [1, 'trace'];
  }
  return [9, 'info'];
}

// Returns {attributes: typed entries, severityNumber, severityText}.
export function clickstackTransform({ body, attributes, severityNumber, severityText }) {
  let attrs = new PMap(attributes);
  if (body.t === 'str') {
    // RE2's "." stops only at \n; the tests keep \r and U+2028 out of JSON bodies.
    const m = /(\{.*\})/.exec(body.v);
    if (m) {
      let parsed;
      try {
        parsed = JSON.parse(m[1]);
      } catch {
        parsed = undefined; // ParseJSON fails; error_mode ignore skips the statement
      }
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const [k, v] of Object.entries(parsed)) attrs.put(k, fromJson(v));
      }
    }
  }
  const flat = new PMap();
  flattenInto(attrs.entries(), flat, '');
  attrs = flat;
  if (body.t === 'map') {
    for (const [k, v] of body.v) attrs.put(k, v);
  }
  let num = severityNumber;
  let text = severityText;
  if (num === 0 && text === '') {
    [num, text] = inferSeverity(asString(body));
  }
  return { attributes: attrs.entries(), severityNumber: num, severityText: text.toLowerCase() };
}

// --- Rows ----------------------------------------------------------------------

export function hrTimeToNanos(t) {
  if (t === undefined || t === null) return 0n;
  if (typeof t === 'bigint') return t;
  return BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
}

// One record as sent: {resource: {attributes, schemaUrl}, scope: {name,
// version, schemaUrl, attributes}, timestamp, observedTimestamp ([s, ns] or
// bigint ns), severityNumber, severityText, body, attributes, eventName,
// trace: {traceId, spanId, flags}}. Returns the expected otel_logs row in the
// shape of ROW_SELECT below.
export function expectedLogRow(rec) {
  const resAttrs = typedEntries(rec.resource?.attributes);
  const serviceEntry = [...resAttrs].reverse().find(([k]) => k === 'service.name');
  const body = typed(rec.body);
  const tr = clickstackTransform({
    body,
    attributes: typedEntries(rec.attributes),
    severityNumber: rec.severityNumber ?? 0,
    severityText: rec.severityText ?? '',
  });
  let ts = hrTimeToNanos(rec.timestamp);
  if (ts === 0n) ts = hrTimeToNanos(rec.observedTimestamp);
  return {
    Timestamp: ts.toString(),
    TimestampTime: Number(ts / 1_000_000_000n),
    TraceId: (rec.trace?.traceId ?? '').toLowerCase(),
    SpanId: (rec.trace?.spanId ?? '').toLowerCase(),
    TraceFlags: rec.trace?.flags ?? 0,
    SeverityText: tr.severityText,
    SeverityNumber: tr.severityNumber,
    ServiceName: serviceEntry ? asString(serviceEntry[1]) : '',
    Body: asString(body),
    ResourceSchemaUrl: rec.resource?.schemaUrl ?? '',
    ResourceAttributes: attributesColumn(resAttrs),
    ScopeSchemaUrl: rec.scope?.schemaUrl ?? '',
    ScopeName: rec.scope?.name ?? '',
    ScopeVersion: rec.scope?.version ?? '',
    ScopeAttributes: attributesColumn(typedEntries(rec.scope?.attributes)),
    LogAttributes: attributesColumn(tr.attributes),
    EventName: rec.eventName ?? '',
  };
}

// The columns of ClickStack's otel_logs that a row check reads, in a form
// JSONEachRow renders exactly (64-bit ints as strings, DateTime as seconds).
export const LOG_COLUMNS = [
  'Timestamp',
  'TimestampTime',
  'TraceId',
  'SpanId',
  'TraceFlags',
  'SeverityText',
  'SeverityNumber',
  'ServiceName',
  'Body',
  'ResourceSchemaUrl',
  'ResourceAttributes',
  'ScopeSchemaUrl',
  'ScopeName',
  'ScopeVersion',
  'ScopeAttributes',
  'LogAttributes',
];

// The columns an insert may set in ClickStack's current otel_logs (#2125).
export const OTEL_LOGS_INSERTABLE = [...LOG_COLUMNS.filter((c) => c !== 'TimestampTime'), 'EventName'];

export function rowSelect({ withEventName = false } = {}) {
  const cols = LOG_COLUMNS.map((c) => {
    if (c === 'Timestamp') return 'toString(toUnixTimestamp64Nano(Timestamp)) AS Timestamp';
    // Computed from Timestamp: the current otel_logs layout (#2125) has no TimestampTime column.
    if (c === 'TimestampTime') return 'toUInt32(toUnixTimestamp(Timestamp)) AS TimestampTime';
    return c;
  });
  if (withEventName) cols.push('EventName');
  return cols.join(', ');
}

// --- OTLP/JSON encoding of typed values (for raw requests) ------------------

export function otlpJsonValue(v) {
  switch (v.t) {
    case 'str':
      return { stringValue: v.v };
    case 'int':
      return { intValue: v.v.toString() };
    case 'double':
      return { doubleValue: v.v };
    case 'bool':
      return { boolValue: v.v };
    case 'bytes':
      return { bytesValue: v.v.toString('base64') };
    case 'empty':
      return {};
    case 'array':
      return { arrayValue: { values: v.v.map(otlpJsonValue) } };
    case 'map':
      return { kvlistValue: { values: v.v.map(([key, val]) => ({ key, value: otlpJsonValue(val) })) } };
    default:
      throw new Error(`unknown typed value ${v.t}`);
  }
}

export function otlpJsonAttributes(attrs) {
  return typedEntries(attrs).map(([key, v]) => ({ key, value: otlpJsonValue(v) }));
}

// One ExportLogsServiceRequest (OTLP/JSON) holding `records`, grouped by
// resource and scope in order of first appearance.
export function otlpJsonRequest(records) {
  const resourceLogs = [];
  for (const rec of records) {
    const resKey = JSON.stringify([rec.resource?.schemaUrl ?? '', otlpJsonAttributes(rec.resource?.attributes)]);
    let rl = resourceLogs.find((r) => r._key === resKey);
    if (!rl) {
      rl = {
        _key: resKey,
        resource: { attributes: otlpJsonAttributes(rec.resource?.attributes) },
        scopeLogs: [],
        schemaUrl: rec.resource?.schemaUrl ?? '',
      };
      resourceLogs.push(rl);
    }
    const scopeKey = JSON.stringify([
      rec.scope?.name ?? '',
      rec.scope?.version ?? '',
      rec.scope?.schemaUrl ?? '',
      otlpJsonAttributes(rec.scope?.attributes),
    ]);
    let sl = rl.scopeLogs.find((s) => s._key === scopeKey);
    if (!sl) {
      sl = {
        _key: scopeKey,
        scope: {
          name: rec.scope?.name ?? '',
          version: rec.scope?.version ?? '',
          attributes: otlpJsonAttributes(rec.scope?.attributes),
        },
        logRecords: [],
        schemaUrl: rec.scope?.schemaUrl ?? '',
      };
      rl.scopeLogs.push(sl);
    }
    const lr = {
      timeUnixNano: hrTimeToNanos(rec.timestamp).toString(),
      observedTimeUnixNano: hrTimeToNanos(rec.observedTimestamp).toString(),
      severityNumber: rec.severityNumber ?? 0,
      severityText: rec.severityText ?? '',
      attributes: otlpJsonAttributes(rec.attributes),
    };
    if (rec.body !== undefined) lr.body = otlpJsonValue(typed(rec.body));
    if (rec.eventName !== undefined) lr.eventName = rec.eventName;
    if (rec.trace) {
      lr.traceId = rec.trace.traceId;
      lr.spanId = rec.trace.spanId;
      lr.flags = rec.trace.flags;
    }
    sl.logRecords.push(lr);
  }
  return JSON.stringify({ resourceLogs }, (k, v) => (k === '_key' ? undefined : v));
}
