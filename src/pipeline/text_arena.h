// TextArena: bump storage for the strings the log transforms make for one
// record (flattened keys, rendered numbers, lower-cased severity text).
//
// Views returned by save() stay valid until reset(): blocks never move, a
// new one is started when the current one is full. reset() keeps the first
// block so a warm thread allocates nothing per record. Not thread-safe; one
// arena per thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

namespace otelhouse {

class TextArena {
 public:
  std::string_view save(std::string_view text);
  // Concatenation without a temporary.
  std::string_view join(std::string_view a, std::string_view b, std::string_view c = {});
  void reset();

 private:
  char* allocate(size_t size);

  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t used = 0;
  };
  std::vector<Block> blocks_;
};

}  // namespace otelhouse
