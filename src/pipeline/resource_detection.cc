#include "pipeline/resource_detection.h"

#include <netdb.h>
#include <re2/re2.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "rows/columns.h"

namespace otelhouse {
namespace {

std::string_view trimSpace(std::string_view s) {
  const char* kSpace = " \t\n\v\f\r";
  const size_t b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape.
bool queryUnescape(std::string_view s, std::string* out) {
  out->clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out->push_back(' ');
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return false;
      const int hi = hexValue(s[i + 1]), lo = hexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi << 4 | lo));
      i += 2;
    } else {
      out->push_back(s[i]);
    }
  }
  return true;
}

// Reads the serialized Map row back into (key, value) views.
void readMapRow(std::string_view keys, std::string_view values, size_t count,
                std::vector<std::pair<std::string_view, std::string_view>>* out) {
  auto next = [](std::string_view& s) {
    uint64_t n = 0;
    int shift = 0;
    size_t i = 0;
    while (i < s.size()) {
      const auto b = static_cast<uint8_t>(s[i++]);
      n |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    const std::string_view v = s.substr(i, n);
    s.remove_prefix(std::min(s.size(), i + n));
    return v;
  };
  out->clear();
  for (size_t i = 0; i < count; ++i) {
    const std::string_view k = next(keys);
    out->emplace_back(k, next(values));
  }
}

std::string hostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return {};
  std::string name = buf;
  // hostname_sources [dns, os]: the canonical (fully qualified) name when
  // the resolver knows one, else the kernel's hostname.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* res = nullptr;
  if (getaddrinfo(name.c_str(), nullptr, &hints, &res) == 0 && res) {
    if (res->ai_canonname && *res->ai_canonname) name = res->ai_canonname;
    freeaddrinfo(res);
  }
  return name;
}

}  // namespace

Status parseResourceAttributes(std::string_view text,
                               std::vector<std::pair<std::string, std::string>>* out) {
  static const RE2 label(
      "\\s*([[:ascii:]]{1,256}?)\\s*=\\s*([[:ascii:]]{0,256}?)\\s*(?:,|$)", [] {
        RE2::Options o;
        o.set_encoding(RE2::Options::EncodingLatin1);
        o.set_log_errors(false);
        return o;
      }());
  out->clear();
  const re2::StringPiece s(text.data(), text.size());
  size_t pos = 0;
  bool any = false;
  while (pos < text.size()) {
    re2::StringPiece m[3];
    if (!label.Match(s, pos, text.size(), RE2::UNANCHORED, m, 3)) break;
    const size_t start = static_cast<size_t>(m[0].data() - text.data());
    if (start != pos) {
      return Status::invalid("OTEL_RESOURCE_ATTRIBUTES: invalid text '" +
                             std::string(text.substr(pos, start - pos)) + "'");
    }
    std::string value;
    if (!queryUnescape(std::string_view(m[2].data(), m[2].size()), &value)) {
      return Status::invalid("OTEL_RESOURCE_ATTRIBUTES: invalid escape in '" +
                             std::string(m[0].data(), m[0].size()) + "'");
    }
    std::string key(m[1].data(), m[1].size());
    auto it = std::find_if(out->begin(), out->end(), [&](auto& kv) { return kv.first == key; });
    if (it != out->end()) {
      it->second = std::move(value);
    } else {
      out->emplace_back(std::move(key), std::move(value));
    }
    any = true;
    if (m[0].empty()) break;
    pos = start + m[0].size();
  }
  if (!any && !text.empty()) {
    return Status::invalid("OTEL_RESOURCE_ATTRIBUTES: invalid resource format '" +
                           std::string(text) + "'");
  }
  if (pos != text.size()) {
    return Status::invalid("OTEL_RESOURCE_ATTRIBUTES: invalid text '" +
                           std::string(text.substr(pos)) + "'");
  }
  return Status::ok();
}

Result<ResourceDetector> ResourceDetector::fromValues(std::string_view env_attributes,
                                                      const std::string& host_name,
                                                      const std::string& os_type) {
  ResourceDetector d;
  Status st = parseResourceAttributes(trimSpace(env_attributes), &d.attributes_);
  if (!st.isOk()) return st;
  auto add = [&](const char* key, const std::string& value) {
    for (auto& kv : d.attributes_)
      if (kv.first == key) return;  // the env detector comes first
    if (!value.empty()) d.attributes_.emplace_back(key, value);
  };
  add("host.name", host_name);
  add("os.type", os_type);
  std::sort(d.attributes_.begin(), d.attributes_.end());
  return d;
}

Result<ResourceDetector> ResourceDetector::detect() {
  const char* env = getenv("OTEL_RESOURCE_ATTRIBUTES");
  std::string_view attrs = env ? trimSpace(env) : std::string_view();
  if (attrs.empty()) {
    const char* old = getenv("OTEL_RESOURCE");
    attrs = old ? trimSpace(old) : std::string_view();
  }
  return fromValues(attrs, hostName(), "linux");
}

void ResourceDetector::apply(std::string& keys, std::string& values, size_t& count,
                             std::string& service_name) const {
  if (attributes_.empty()) return;
  thread_local std::vector<std::pair<std::string_view, std::string_view>> have;
  readMapRow(keys, values, count, &have);
  const size_t before = have.size();
  bool had_service = false;
  for (auto& kv : have) had_service |= kv.first == "service.name";
  for (auto& kv : attributes_) {
    const bool present = std::any_of(have.begin(), have.begin() + static_cast<ptrdiff_t>(before),
                                     [&](auto& h) { return h.first == kv.first; });
    if (!present) have.emplace_back(kv.first, kv.second);
  }
  if (have.size() == before) return;
  std::sort(have.begin(), have.end(),
            [](auto& a, auto& b) { return a.first < b.first; });
  std::string new_keys, new_values;
  for (auto& kv : have) {
    appendVarUInt(new_keys, kv.first.size());
    new_keys.append(kv.first);
    appendVarUInt(new_values, kv.second.size());
    new_values.append(kv.second);
  }
  if (!had_service) {
    for (auto& kv : attributes_)
      if (kv.first == "service.name") service_name = kv.second;
  }
  keys.swap(new_keys);
  values.swap(new_values);
  count = have.size();
}

}  // namespace otelhouse
