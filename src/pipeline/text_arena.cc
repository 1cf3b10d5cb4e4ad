#include "pipeline/text_arena.h"

#include <cstring>

namespace otelhouse {
namespace {

constexpr size_t kBlockBytes = 64 * 1024;

}  // namespace

char* TextArena::allocate(size_t size) {
  if (blocks_.empty() || blocks_.back().size - blocks_.back().used < size) {
    Block b;
    b.size = size > kBlockBytes ? size : kBlockBytes;
    b.data = std::make_unique<char[]>(b.size);
    blocks_.push_back(std::move(b));
  }
  Block& b = blocks_.back();
  char* p = b.data.get() + b.used;
  b.used += size;
  return p;
}

std::string_view TextArena::save(std::string_view text) {
  if (text.empty()) return {};
  char* p = allocate(text.size());
  std::memcpy(p, text.data(), text.size());
  return {p, text.size()};
}

std::string_view TextArena::join(std::string_view a, std::string_view b, std::string_view c) {
  const size_t n = a.size() + b.size() + c.size();
  if (n == 0) return {};
  char* p = allocate(n);
  if (!a.empty()) std::memcpy(p, a.data(), a.size());
  if (!b.empty()) std::memcpy(p + a.size(), b.data(), b.size());
  if (!c.empty()) std::memcpy(p + a.size() + b.size(), c.data(), c.size());
  return {p, n};
}

void TextArena::reset() {
  if (blocks_.empty()) return;
  // Keep one standard block; a huge one-off block is given back.
  if (blocks_.front().size != kBlockBytes) {
    blocks_.clear();
    return;
  }
  blocks_.resize(1);
  blocks_.front().used = 0;
}

}  // namespace otelhouse
