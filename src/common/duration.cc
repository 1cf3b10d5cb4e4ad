#include "common/duration.h"

#include <cctype>
#include <cstdlib>

namespace otelhouse {

bool parseGoDuration(const std::string& text, int64_t* ms) {
  if (text.empty()) return false;
  size_t i = 0;
  double total = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return false;
    double value = atof(text.substr(start, i - start).c_str());
    size_t ustart = i;
    while (i < text.size() && isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(ustart, i - ustart);
    double scale;
    if (unit == "h") scale = 3600e3;
    else if (unit == "m") scale = 60e3;
    else if (unit == "s") scale = 1e3;
    else if (unit == "ms") scale = 1;
    else if (unit == "us" || unit == "µs") scale = 1e-3;
    else if (unit == "ns") scale = 1e-6;
    else return false;
    total += value * scale;
    any = true;
  }
  if (!any) return false;
  *ms = static_cast<int64_t>(total + 0.5);
  return true;
}

}  // namespace otelhouse
