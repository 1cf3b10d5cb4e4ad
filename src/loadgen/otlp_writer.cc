#include "loadgen/otlp_writer.h"

#include <cstring>

#include "codec/go_text.h"

namespace otelhouse::loadgen {
namespace {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

void putVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void putTag(std::string& out, int field, WireType type) {
  putVarint(out, (static_cast<uint64_t>(field) << 3) | type);
}

template <class T>
void putFixed(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian host, as the wire format
  out.append(b, sizeof(T));
}

class ProtoWriter final : public OtlpWriter {
 public:
  ProtoWriter() { stack_.push_back({0, {}}); }

  // Field 0: an element of the innermost open array.
  void beginMessage(int field, const char*) override {
    stack_.push_back({field ? field : arrays_.back(), {}});
  }
  void endMessage() override {
    Frame done = std::move(stack_.back());
    stack_.pop_back();
    std::string& out = top();
    putTag(out, done.field, kLen);
    putVarint(out, done.bytes.size());
    out += done.bytes;
  }
  // Repeated fields are plain repeated occurrences on the wire.
  void beginArray(int field, const char*) override { arrays_.push_back(field); }
  void endArray() override { arrays_.pop_back(); }
  void string(int field, const char*, std::string_view v) override { putLen(field, v); }
  void id(int field, const char*, std::string_view bytes) override { putLen(field, bytes); }
  void fixed64(int field, const char*, uint64_t v) override {
    putTag(top(), field, kFixed64);
    putFixed(top(), v);
  }
  void sfixed64(int field, const char*, int64_t v) override {
    putTag(top(), field, kFixed64);
    putFixed(top(), v);
  }
  void fixed32(int field, const char*, uint32_t v) override {
    putTag(top(), field, kFixed32);
    putFixed(top(), v);
  }
  void uint(int field, const char*, uint64_t v) override {
    putTag(top(), field, kVarint);
    putVarint(top(), v);
  }
  void int64(int field, const char*, int64_t v) override {
    putTag(top(), field, kVarint);
    putVarint(top(), static_cast<uint64_t>(v));
  }
  void boolean(int field, const char*, bool v) override {
    putTag(top(), field, kVarint);
    top().push_back(v ? 1 : 0);
  }
  void dbl(int field, const char*, double v) override {
    putTag(top(), field, kFixed64);
    putFixed(top(), v);
  }
  std::string take() override { return std::move(stack_.front().bytes); }

 private:
  struct Frame {
    int field;
    std::string bytes;
  };
  std::string& top() { return stack_.back().bytes; }
  void putLen(int field, std::string_view v) {
    putTag(top(), field, kLen);
    putVarint(top(), v.size());
    top().append(v.data(), v.size());
  }
  std::vector<Frame> stack_;
  std::vector<int> arrays_;
};

class JsonWriter final : public OtlpWriter {
 public:
  JsonWriter() {
    out_ += '{';
    stack_.push_back({false, false});
  }

  void beginMessage(int, const char* name) override {
    key(name);
    out_ += '{';
    stack_.push_back({false, false});
  }
  void endMessage() override {
    out_ += '}';
    stack_.pop_back();
  }
  void beginArray(int, const char* name) override {
    key(name);
    out_ += '[';
    stack_.push_back({true, false});
  }
  void endArray() override {
    out_ += ']';
    stack_.pop_back();
  }
  void string(int, const char* name, std::string_view v) override {
    key(name);
    appendGoJsonString(out_, v);
  }
  void id(int, const char* name, std::string_view bytes) override {
    static const char kHex[] = "0123456789abcdef";
    key(name);
    out_ += '"';
    for (unsigned char c : bytes) {
      out_ += kHex[c >> 4];
      out_ += kHex[c & 15];
    }
    out_ += '"';
  }
  void fixed64(int, const char* name, uint64_t v) override { quoted(name, std::to_string(v)); }
  void sfixed64(int, const char* name, int64_t v) override { quoted(name, std::to_string(v)); }
  void fixed32(int, const char* name, uint32_t v) override { bare(name, std::to_string(v)); }
  void uint(int, const char* name, uint64_t v) override { bare(name, std::to_string(v)); }
  void int64(int, const char* name, int64_t v) override { quoted(name, std::to_string(v)); }
  void boolean(int, const char* name, bool v) override { bare(name, v ? "true" : "false"); }
  void dbl(int, const char* name, double v) override {
    key(name);
    if (!appendGoJsonNumber(out_, v)) out_ += "0";
  }
  std::string take() override {
    out_ += '}';
    return std::move(out_);
  }

 private:
  struct Frame {
    bool array;
    bool has_items;
  };
  // Writes the separator and, outside arrays, the member name.
  void key(const char* name) {
    Frame& f = stack_.back();
    if (f.has_items) out_ += ',';
    f.has_items = true;
    if (f.array) return;
    out_ += '"';
    out_ += name;
    out_ += "\":";
  }
  void bare(const char* name, const std::string& v) {
    key(name);
    out_ += v;
  }
  void quoted(const char* name, const std::string& v) {
    key(name);
    out_ += '"';
    out_ += v;
    out_ += '"';
  }
  std::string out_;
  std::vector<Frame> stack_;
};

}  // namespace

std::unique_ptr<OtlpWriter> makeProtoWriter() { return std::make_unique<ProtoWriter>(); }
std::unique_ptr<OtlpWriter> makeJsonWriter() { return std::make_unique<JsonWriter>(); }

}  // namespace otelhouse::loadgen
