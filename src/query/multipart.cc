#include "query/multipart.h"

namespace otelhouse {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// The value of `key=` in a header's ;-separated parameters, quotes removed.
std::string headerParam(std::string_view header, std::string_view key) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t semi = header.find(';', pos);
    if (semi == std::string_view::npos) semi = header.size();
    std::string_view item = trim(header.substr(pos, semi - pos));
    pos = semi + 1;
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    if (lower(trim(item.substr(0, eq))) != key) continue;
    std::string_view value = trim(item.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return {};
}

}  // namespace

std::string multipartBoundary(std::string_view content_type) {
  std::string type = lower(trim(content_type.substr(0, content_type.find(';'))));
  if (type != "multipart/form-data") return {};
  return headerParam(content_type, "boundary");
}

Status parseMultipart(std::string_view body, std::string_view boundary,
                      std::vector<MultipartPart>* parts) {
  parts->clear();
  const std::string delimiter = "--" + std::string(boundary);
  size_t pos = body.find(delimiter);
  if (boundary.empty() || pos == std::string_view::npos)
    return Status::invalid("multipart body without its boundary");
  pos += delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return Status::ok();  // closing delimiter
    // Rest of the delimiter line.
    size_t eol = body.find('\n', pos);
    if (eol == std::string_view::npos) return Status::invalid("multipart body ends early");
    pos = eol + 1;
    // Header block, up to an empty line.
    std::string name;
    bool named = false;
    while (true) {
      eol = body.find('\n', pos);
      if (eol == std::string_view::npos)
        return Status::invalid("multipart part without a header block end");
      std::string_view line = trim(body.substr(pos, eol - pos));
      pos = eol + 1;
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          lower(trim(line.substr(0, colon))) == "content-disposition") {
        name = headerParam(line.substr(colon + 1), "name");
        named = true;
      }
    }
    if (!named || name.empty())
      return Status::invalid("multipart part without a Content-Disposition name");
    // The body ends at the line break before the next delimiter.
    size_t next = body.find("\n" + delimiter, pos);
    if (next == std::string_view::npos)
      return Status::invalid("multipart body without its closing delimiter");
    size_t end = next;
    if (end > pos && body[end - 1] == '\r') --end;
    parts->push_back({std::move(name), body.substr(pos, end - pos)});
    pos = next + 1 + delimiter.size();
  }
}

}  // namespace otelhouse
