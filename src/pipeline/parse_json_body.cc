#include "pipeline/parse_json_body.h"

#include <re2/re2.h>

namespace otelhouse {
namespace {

// Bodies this large release the parser's buffers afterwards.
constexpr size_t kKeepParserBytes = 8u << 20;

const RE2& extractPattern() {
  // Latin-1 makes "." match any byte but "\n", as Go's regexp matches any
  // rune but "\n" (invalid UTF-8 included).
  static const RE2 re("(?P<0>(\\{.*\\}))", [] {
    RE2::Options o;
    o.set_encoding(RE2::Options::EncodingLatin1);
    o.set_log_errors(false);
    return o;
  }());
  return re;
}

}  // namespace

bool extractJsonCandidate(std::string_view body, std::string_view* match) {
  re2::StringPiece m;
  if (!RE2::PartialMatch(re2::StringPiece(body.data(), body.size()), extractPattern(), &m))
    return false;
  *match = std::string_view(m.data(), m.size());
  return true;
}

void JsonBodyParser::apply(const LogRecordView& record, LogAttributes& attributes,
                           TextArena& arena) {
  // 1 + 2: the JSON object inside a string body, upserted.
  std::string_view candidate;
  if (record.body_kind == LogValueKind::kString &&
      extractJsonCandidate(record.body, &candidate)) {
    otlpjson::Element root;
    if (json_.parse(candidate, root).isOk() && root.is_object()) {
      // Bound first: iterating a temporary result would outlive it.
      const simdjson::dom::object object = root.get_object().value_unsafe();
      for (auto field : object) attributes.upsert(attrOfElement(field.key, field.value, arena));
    }
    if (candidate.size() > kKeepParserBytes) json_.trim(kKeepParserBytes);
  }
  // 3: always (see the header).
  flattener_.flatten(attributes, arena);
  // 4: a map body's entries, unflattened.
  if (record.body_kind == LogValueKind::kKvlist) {
    GoJsonReader reader(arena);
    reader.forEachMember(record.body, [&](std::string_view key, const GoJsonValue& v) {
      attributes.upsert(attrOfGoJson(key, v));
    });
  }
}

}  // namespace otelhouse
